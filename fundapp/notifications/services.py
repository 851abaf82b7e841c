"""notify(): one in-app notification per user, plus an email through the outbox when MAIL_SERVER is set.

Each recipient reads the notification and its email in their own language: give the subject and body marked
lazily (`_l("%(reference)s: report approved", reference=...)`) and notify() renders them once per recipient, in
the language of the recipient's profile (`User.language`), else the fund's default language. A plain `str` is
sent as it is.

Mail leaves after commit: notify() and queue_email() only write rows in the caller's transaction; the
edge's `committed` signal then delivers what this transaction queued, and `flask notifications send`
retries what could not leave. A mail server that is down is logged, never fails or undoes the work,
and is never waited for while a lock is held.
"""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel.speaklater import LazyString
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import Session

from fundapp.core import clock
from fundapp.core.errors import NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, force_locale, recipient_locale
from fundapp.core.signals import account_email, committed
from fundapp.notifications.models import Notification, OutboxMessage

if TYPE_CHECKING:
    from fundapp.auth.models import User

log = logging.getLogger(__name__)

#: Messages queued by the current transaction, delivered once it commits.
_QUEUED_KEY = "fundapp.outbox.queued"
#: A claim older than this is taken to belong to a sender that died; the message is tried again.
CLAIM_TIMEOUT = timedelta(minutes=10)
#: After this many failed attempts a message stays in the outbox for a person to look at.
MAX_ATTEMPTS = 10


#: A text for people: a plain string, or a lazily translated one rendered in each reader's language.
Text = str | LazyString


def language_of(user: "User | None") -> str:
    """The language a person reads their notifications, emails and PDFs in: their profile's, else the default."""
    return recipient_locale(user) if user is not None else DEFAULT_LANGUAGE


def render(text: Text, user: "User | None" = None) -> str:
    """The text as `user` reads it (a plain string unchanged)."""
    if isinstance(text, str):
        return text
    with force_locale(language_of(user)):
        return str(text)


def in_every_language(text: Text) -> list[str]:
    """The text in each language of the interface (once each): what a notification about it may have said."""
    if isinstance(text, str):
        return [text]
    variants: list[str] = []
    for code in LANGUAGES:
        with force_locale(code):
            rendered = str(text)
        if rendered not in variants:
            variants.append(rendered)
    return variants


def notify(
    users: "User | Iterable[User]", subject: Text, body: Text = "", link: str | None = None
) -> list[Notification]:
    """Notify a user or several (duplicates and inactive accounts skipped), each in their own language."""
    recipients = [users] if not isinstance(users, Iterable) else list(users)
    seen: set[int] = set()
    created = []
    for user in recipients:
        if user is None or user.id in seen or not getattr(user, "is_active", True):
            continue
        seen.add(user.id)
        their_subject, their_body = render(subject, user), render(body, user)
        note = Notification(user_id=user.id, subject=their_subject[:200], body=their_body, link=link)
        db.session.add(note)
        created.append((user, note, their_subject, their_body))
    db.session.flush()
    for user, note, their_subject, their_body in created:
        queue_email(user.email, their_subject, _with_link(their_body, link), notification=note)
    return [n for _u, n, _s, _b in created]


def mail_enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


def queue_email(
    to: str, subject: str, body: str, notification: Notification | None = None, sensitive: bool = False
) -> OutboxMessage | None:
    """Queue one email in the caller's transaction; None when the instance sends no mail."""
    if not mail_enabled():
        return None
    message = OutboxMessage(
        to_address=to,
        subject=subject[:200],
        body=body,
        notification_id=notification.id if notification is not None else None,
        is_sensitive=sensitive,
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_QUEUED_KEY, []).append(message.id)
    return message


@account_email.connect
def _queue_account_email(to: str, subject: str, body: str, sensitive: bool = True, **_extra) -> OutboxMessage | None:
    """Invitations, password resets and account notices (auth sits below this layer and asks by signal).

    Their links are keys to an account: the body is blanked once the message is sent.
    """
    return queue_email(to, subject, body, sensitive=sensitive)


def _with_link(body: str, link: str | None) -> str:
    if not link:
        return body
    base = current_app.config.get("PUBLIC_BASE_URL", "") if has_app_context() else ""
    return f"{body}\n\n{base}{link}"


@committed.connect
def _deliver_after_commit(session: Session, **_extra) -> None:
    """The work is committed: send what it queued (each message in its own short transaction)."""
    queued = session.info.pop(_QUEUED_KEY, [])
    if queued:
        deliver_pending(ids=queued)


def deliver_pending(ids: list[int] | None = None, limit: int = 200) -> tuple[int, int]:
    """Send pending messages (these ids, or every one due); returns (sent, failed).

    Each message is claimed in a short write transaction, sent with no transaction open, then marked
    sent or failed in another short one: a slow server never holds a lock, and two senders never
    send the same message.
    """
    query = sa.select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    candidates = list(db.session.scalars(query.order_by(OutboxMessage.id).limit(limit)))
    db.session.commit()
    sent = failed = 0
    for message_id in candidates:
        message = _claim(message_id)
        if message is None:
            continue
        error = _send(*message)
        _finish(message_id, error)
        if error is None:
            sent += 1
        else:
            failed += 1
    return sent, failed


def _claim(message_id: int) -> tuple[str, str, str] | None:
    now = clock.now()
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            sa.or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    row = None
    if claimed.rowcount == 1:
        row = db.session.execute(
            sa.select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body).where(
                OutboxMessage.id == message_id
            )
        ).one()
    db.session.commit()
    return None if row is None else (row.to_address, row.subject, row.body)


def _finish(message_id: int, error: str | None) -> None:
    if error is None:
        now = clock.now()
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(sent_at=now, claimed_at=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.is_sensitive)
            .values(body="")
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(Notification)
            .where(
                Notification.id
                == sa.select(OutboxMessage.notification_id).where(OutboxMessage.id == message_id).scalar_subquery()
            )
            .values(emailed_at=now)
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(claimed_at=None, last_error=error[:500])
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _send(to: str, subject: str, body: str) -> str | None:
    """Hand one message to the mail server; the error text when it could not."""
    if not mail_enabled():
        return "mail is not configured (MAIL_SERVER is empty)"
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_SENDER", "fundapp@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(
            current_app.config["MAIL_SERVER"],
            current_app.config.get("MAIL_PORT", 25),
            timeout=current_app.config.get("MAIL_TIMEOUT", 10),
        ) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Email to %s not sent (%s): %s", to, type(exc).__name__, exc)
        return f"{type(exc).__name__}: {exc}"
    return None


def pending_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )


def unread_count(user: "User") -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


#: Notifications per page of the list.
PER_PAGE = 25


def notification_page(user: "User", unread_only: bool = False, page: int = 1) -> Pagination:
    """One page of the user's notifications, newest first (only the unread ones when asked)."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return db.paginate(
        query.order_by(Notification.id.desc()), page=page, per_page=PER_PAGE, max_per_page=100, error_out=False
    )


def mark_read(actor: "User", notification: Notification) -> None:
    if notification.user_id != actor.id:
        raise NotAllowed(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = clock.now()
        db.session.flush()


def mark_all_read(actor: "User") -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.flush()
    return result.rowcount or 0
