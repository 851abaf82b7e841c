"""Who may do what with accounts (route-level checks are `role_required(...)` on the views)."""

from collections.abc import Iterable

from fundapp.auth.models import Invitation, User
from fundapp.core.permissions import Role

#: Who sends invitations and keeps the list of pending ones.
INVITING_ROLES = (Role.admin, Role.secretariat)


def can_deactivate_user(actor: User, user: User) -> bool:
    """Administrators deactivate and reactivate accounts, never their own (they would lock themselves out)."""
    return actor.is_authenticated and actor.has_role(Role.admin) and actor.id != user.id


def can_reset_two_factor(actor: User, user: User) -> bool:
    """Administrators remove another user's second factor (a lost phone and lost recovery codes)."""
    return actor.is_authenticated and actor.has_role(Role.admin) and actor.id != user.id


def can_invite(actor: User) -> bool:
    return actor.is_authenticated and actor.has_any_role(*INVITING_ROLES)


def can_invite_to(actor: User, roles: Iterable[Role]) -> bool:
    """The secretariat invites to every role but administrator; administrators to every role."""
    if not can_invite(actor):
        return False
    return actor.has_role(Role.admin) or Role.admin not in set(roles)


def can_manage_invitation(actor: User, invitation: Invitation) -> bool:
    """Resend or revoke: whoever could have sent it."""
    return can_invite_to(actor, invitation.roles)
