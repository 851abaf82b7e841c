"""Who may do what with accounts (route-level checks are `role_required(Role.admin)` on the views)."""

from fundapp.auth.models import User
from fundapp.core.permissions import Role


def can_deactivate_user(actor: User, user: User) -> bool:
    """Administrators deactivate and reactivate accounts, never their own (they would lock themselves out)."""
    return actor.is_authenticated and actor.has_role(Role.admin) and actor.id != user.id
