"""notify(): one in-app notification per user, plus an email when MAIL_SERVER is set.

Mail is best effort: a mail server that is down is logged and never fails the request that triggered it.
"""

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context

from fundapp.core import clock
from fundapp.core.errors import NotAllowed
from fundapp.core.extensions import db
from fundapp.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(users: Any, subject: str, body: str = "", link: str | None = None) -> list[Notification]:
    """Notify a user or several (duplicates and inactive accounts skipped)."""
    recipients = [users] if not isinstance(users, Iterable) else list(users)
    seen: set[int] = set()
    created = []
    for user in recipients:
        if user is None or user.id in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.id)
        note = Notification(user_id=user.id, subject=subject[:200], body=body, link=link)
        db.session.add(note)
        created.append((user, note))
    db.session.flush()
    for user, note in created:
        if _send_email(user.email, subject, body, link):
            note.emailed_at = clock.now()
    db.session.flush()
    return [n for _u, n in created]


def _send_email(to: str, subject: str, body: str, link: str | None) -> bool:
    if not has_app_context() or not current_app.config.get("MAIL_SERVER"):
        return False
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_SENDER", "fundapp@localhost")
    message["To"] = to
    message["Subject"] = subject
    text = body
    if link:
        base = current_app.config.get("PUBLIC_BASE_URL", "")
        text += f"\n\n{base}{link}"
    message.set_content(text)
    try:
        with smtplib.SMTP(
            current_app.config["MAIL_SERVER"], current_app.config.get("MAIL_PORT", 25), timeout=10
        ) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Email to %s not sent (%s): %s", to, type(exc).__name__, exc)
        return False
    return True


def unread_count(user: Any) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def mark_read(actor: Any, notification: Notification) -> None:
    if notification.user_id != actor.id:
        raise NotAllowed("This notification is not yours.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()


def mark_all_read(actor: Any) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.flush()
    return result.rowcount or 0
