"""A message for one user: subject, body, a link to what it is about, and whether it was read."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundapp.core import clock
from fundapp.core.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: A path inside the app ('/concept-notes/12'), never an outside URL.
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    #: Set when the email went out; null when mail is off or the server refused it.
    emailed_at: Mapped[datetime | None]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxMessage(db.Model):
    """An email waiting to leave, written in the same transaction as the work it reports.

    Delivery happens after that transaction commits (the edge's `committed` signal, then
    `flask notifications send` for retries), so mail never goes out for work that rolled back, and a
    slow or failing mail server never holds a lock or undoes the work.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (sa.Index("ix_mail_outbox_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: The in-app notification this email copies, when there is one (invitations have none).
    notification_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notifications.id", ondelete="SET NULL"))
    #: Set by the sender that claims the message, so two senders never send it twice.
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    #: The body holds a secret (a sign-in link): it is blanked once the message is sent.
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
