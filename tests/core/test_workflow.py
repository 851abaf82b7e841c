"""The generic state machine, exercised on a throwaway table."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundapp.core.errors import IllegalTransition, NotAllowed
from fundapp.core.extensions import db as _db
from fundapp.core.models import AuditEntry
from fundapp.core.workflow import StateMachine, Transition


class Widget(_db.Model):
    """Only for these tests; created inside the rolled-back transaction."""

    __tablename__ = "test_widgets"
    __table_args__ = {"info": {"test_only": True}}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")


_db.metadata.remove(Widget.__table__)  # keep it out of migrations' drift check

MACHINE = StateMachine(
    "widget",
    ["draft", "submitted", "approved", "rejected"],
    [
        Transition("submit", "draft", "submitted", frozenset({"applicant"}), "submit"),
        Transition("approve", "submitted", "approved", frozenset({"secretariat"}), "approve"),
        Transition("reject", "submitted", "rejected", frozenset({"secretariat"}), "reject", needs_reason=True),
    ],
)


@pytest.fixture
def widget(db):
    Widget.__table__.create(db.session.connection())
    item = Widget(status="draft")
    db.session.add(item)
    db.session.flush()
    return item


@pytest.mark.parametrize(
    ("start", "action", "email", "reason", "outcome"),
    [
        ("draft", "submit", "applicant@example.org", None, "submitted"),
        ("submitted", "approve", "secretariat@example.org", None, "approved"),
        ("submitted", "reject", "secretariat@example.org", "Out of scope", "rejected"),
        ("draft", "approve", "secretariat@example.org", None, IllegalTransition),
        ("approved", "submit", "applicant@example.org", None, IllegalTransition),
        ("submitted", "approve", "applicant@example.org", None, NotAllowed),
        ("submitted", "reject", "secretariat@example.org", "  ", IllegalTransition),
    ],
)
def test_transition_table(widget, user, start, action, email, reason, outcome):
    widget.status = start
    actor = user(email)
    if isinstance(outcome, str):
        event = MACHINE.fire(widget, action, actor, reason)
        assert widget.status == outcome
        assert (event.from_state, event.to_state, event.actor_id) == (start, outcome, actor.id)
    else:
        with pytest.raises(outcome):
            MACHINE.fire(widget, action, actor, reason)
        assert widget.status == start


def test_timeline_and_audit_follow_transitions(widget, user, db):
    MACHINE.fire(widget, "submit", user("applicant@example.org"))
    MACHINE.fire(widget, "reject", user("secretariat@example.org"), "Budget too high")
    timeline = MACHINE.timeline(widget.id)
    assert [(e.from_state, e.to_state) for e in timeline] == [("draft", "submitted"), ("submitted", "rejected")]
    assert timeline[-1].reason == "Budget too high"
    last = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert last.action == "widget.reject"


def test_available_lists_what_the_roles_may_do():
    assert [t.action for t in MACHINE.available("submitted", {"secretariat"})] == ["approve", "reject"]
    assert MACHINE.available("submitted", {"applicant"}) == []
