"""Who may see a notification."""

from fundapp.auth.models import User
from fundapp.notifications.models import Notification


def can_read(user: User, notification: Notification) -> bool:
    """A notification is its recipient's alone: anyone else is told it does not exist (404)."""
    return notification.user_id == user.id
