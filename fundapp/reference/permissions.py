"""Who may see and change reference data."""

from fundapp.core.permissions import Role

#: Roles that may read the reference pages.
VIEW_ROLES = (Role.admin, Role.secretariat)


def can_view_reference(user) -> bool:
    return user.is_authenticated and user.has_any_role(*VIEW_ROLES)


def can_edit_reference(user) -> bool:
    """The secretariat keeps names and the area-to-objective mapping; admins only look."""
    return user.is_authenticated and user.has_role(Role.secretariat)


def can_manage_organisations(user) -> bool:
    return user.is_authenticated and user.has_role(Role.admin)
