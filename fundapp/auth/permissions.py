"""Who may manage accounts."""

from fundapp.core.permissions import Role


def can_manage_users(user) -> bool:
    return user.is_authenticated and user.has_role(Role.admin)


def can_view_audit_log(user) -> bool:
    return user.is_authenticated and user.has_role(Role.admin)
