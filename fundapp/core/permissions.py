"""Roles and route-level checks. Object-level checks are can_* predicates in each domain."""

import enum
from collections.abc import Callable
from functools import wraps
from typing import Protocol

from flask import abort
from flask_login import current_user

from fundapp.core.extensions import login_manager
from fundapp.core.i18n import Labels, _l


class Actor(Protocol):
    """Who acts, as core sees it: the auth layer's User satisfies it (core cannot import auth).

    Services of the domains above auth take `fundapp.auth.models.User`; core's audit log and state
    machines take an Actor, or None for the system itself (CLI loads, scheduled jobs).
    """

    id: int
    email: str

    @property
    def role_names(self) -> set[str]: ...


class Role(enum.StrEnum):
    applicant = "applicant"
    secretariat = "secretariat"
    committee_member = "committee_member"
    committee_chair = "committee_chair"
    donor = "donor"
    admin = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = Labels(
    {
        Role.applicant: _l("Applicant (UN organization focal point)"),
        Role.secretariat: _l("Fund Management Unit (secretariat)"),
        Role.committee_member: _l("Steering committee member"),
        Role.committee_chair: _l("Steering committee chair"),
        Role.donor: _l("Donor"),
        Role.admin: _l("Administrator"),
    }
)

#: Committee pages are for members and the chair alike.
COMMITTEE_ROLES = (Role.committee_member, Role.committee_chair)


def has_any_role(user, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_any_role(*roles)


def role_required(*roles: Role) -> Callable:
    """Signed in (else to the sign-in page) and holding one of the roles (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_any_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
