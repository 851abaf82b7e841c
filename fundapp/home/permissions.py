"""Who may do what on the personal pages (the role home pages are route-level: `role_required`)."""

from fundapp.api.models import ApiToken
from fundapp.auth.models import User


def can_revoke_token(user: User, token: ApiToken) -> bool:
    """A personal token is its owner's alone: anyone else is told it does not exist (404)."""
    return token.user_id == user.id
