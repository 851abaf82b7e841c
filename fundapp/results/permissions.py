"""Who may read and keep the fund-level results framework and the alignment indicators."""

from fundapp.core.permissions import Role

#: Everyone signed in with a fund role reads the framework and the alignment indicators.
VIEW_ROLES = tuple(Role)
#: The Fund Management Unit keeps them.
EDIT_ROLES = (Role.secretariat,)


def can_edit_framework(user) -> bool:
    return user.is_authenticated and user.has_any_role(*EDIT_ROLES)


def can_edit_alignment(user) -> bool:
    return user.is_authenticated and user.has_any_role(*EDIT_ROLES)
