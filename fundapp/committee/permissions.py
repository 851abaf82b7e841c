"""Who may see and manage the steering committee."""

from fundapp.core.permissions import COMMITTEE_ROLES, Role

#: The read-only committee page: its members and chair.
VIEW_ROLES = COMMITTEE_ROLES
#: Seats and scoring criteria are kept by the Fund Management Unit.
MANAGE_ROLES = (Role.secretariat,)


def can_manage_seats(user) -> bool:
    return user.is_authenticated and user.has_any_role(*MANAGE_ROLES)


def can_edit_criteria(user) -> bool:
    return user.is_authenticated and user.has_any_role(*MANAGE_ROLES)
