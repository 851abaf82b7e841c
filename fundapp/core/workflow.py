"""State machines: one table of allowed transitions each, and an event per transition."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from fundapp.core.audit import record_change
from fundapp.core.errors import IllegalTransition, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.core.models import StateEvent
from fundapp.core.permissions import Actor


@dataclass(frozen=True)
class Transition:
    action: str
    source: str | None  # None: the creation of the object
    target: str
    roles: frozenset[str] = field(default_factory=frozenset)
    label: str = ""
    needs_reason: bool = False


class StateMachine:
    """Later capabilities extend a machine with add(); every change goes through fire()."""

    def __init__(self, name: str, states: Iterable[str], transitions: Iterable[Transition] = ()) -> None:
        self.name = name
        self.states = list(states)
        self.transitions: list[Transition] = []
        for transition in transitions:
            self.add(transition)

    def add(self, transition: Transition) -> None:
        for state in (transition.source, transition.target):
            if state is not None and state not in self.states:
                self.states.append(state)
        self.transitions.append(transition)

    def find(self, state: str | None, action: str) -> Transition:
        for transition in self.transitions:
            if transition.source == state and transition.action == action:
                return transition
        raise IllegalTransition(
            _(
                "Cannot %(action)s from status “%(status)s”.",
                action=action.replace("_", " "),
                status=state or _("new"),
            )
        )

    def available(self, state: str | None, roles: Iterable[str]) -> list[Transition]:
        roles = set(roles)
        return [t for t in self.transitions if t.source == state and (not t.roles or t.roles & roles)]

    def fire(
        self, obj: Any, action: str, actor: Actor | None, reason: str | None = None, state_attr: str = "status"
    ) -> StateEvent:
        """Move obj along the transition named action, recording who, when and why."""
        current = getattr(obj, state_attr)
        transition = self.find(current, action)
        if transition.roles and actor is not None and not (set(actor.role_names) & transition.roles):
            raise NotAllowed(_("You may not %(action)s this.", action=transition.label or action))
        if transition.needs_reason and not (reason or "").strip():
            raise IllegalTransition(
                _("A reason is required to %(action)s.", action=transition.label or action), field="reason"
            )
        setattr(obj, state_attr, transition.target)
        db.session.flush()
        event = StateEvent(
            machine=self.name,
            object_id=obj.id,
            action=action,
            from_state=current,
            to_state=transition.target,
            actor_id=getattr(actor, "id", None),
            reason=reason,
        )
        db.session.add(event)
        db.session.flush()
        record_change(
            actor,
            f"{self.name}.{action}",
            self.name,
            obj.id,
            {"from": current, "to": transition.target, "reason": reason},
        )
        return event

    def timeline(self, object_id: int) -> list[StateEvent]:
        return list(
            db.session.scalars(
                sa.select(StateEvent)
                .where(StateEvent.machine == self.name, StateEvent.object_id == object_id)
                .order_by(StateEvent.id)
            )
        )
