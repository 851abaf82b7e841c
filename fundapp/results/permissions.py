"""Who may read and keep the fund-level results framework and the alignment indicators.

Views check these and pass the answer to their templates (can_edit), which show the editing buttons on it.
"""

from fundapp.auth.models import User
from fundapp.core.permissions import Role, has_any_role

#: Everyone signed in with a fund role reads the framework and the alignment indicators.
VIEW_ROLES = tuple(Role)
#: The Fund Management Unit keeps them.
EDIT_ROLES = (Role.secretariat,)


def can_edit_framework(user: User) -> bool:
    return has_any_role(user, *EDIT_ROLES)


def can_edit_alignment(user: User) -> bool:
    return has_any_role(user, *EDIT_ROLES)
