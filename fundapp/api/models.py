"""Personal API tokens. Only the SHA-256 of a token is stored; the token itself is shown once."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.auth.models import User
from fundapp.core import clock
from fundapp.core.extensions import db


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    #: Hex SHA-256 of the whole token: a token is 256 random bits, so a fast hash is enough.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters of the token, so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: Last day the token works (inclusive); None: until revoked.
    expires_on: Mapped[date | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, today: date) -> bool:
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= today)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and self.expires_on < clock.now().date():
            return "expired"
        return "active"
