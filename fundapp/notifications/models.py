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
