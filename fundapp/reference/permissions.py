"""Who may see and change reference data."""

from fundapp.auth.models import User
from fundapp.core.permissions import Role

#: Roles that may read the reference pages.
VIEW_ROLES = (Role.admin, Role.secretariat)


def can_edit_reference(user: User) -> bool:
    """The secretariat keeps names and the area-to-objective mapping; admins only look."""
    return user.is_authenticated and user.has_role(Role.secretariat)


def can_manage_organisations(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.admin)
