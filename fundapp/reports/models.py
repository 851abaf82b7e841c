"""Frozen annual financial statements: what a closed year's statement said, stored when December closed."""

import hashlib
import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.models import AppendOnly


class FrozenStatement(AppendOnly, db.Model):
    """A year's annual financial statement as it stood when the year was closed: its figures and its PDF.

    Insert-only (the ORM guard and database triggers refuse updates and deletes): from then on the annual
    report's page, PDF and XLSX of that year are served from this row, whatever is posted later. The PDF is
    kept byte for byte with its SHA-256, so the statement an auditor certified can be proved unchanged.
    """

    __tablename__ = "frozen_statements"
    __table_args__ = (sa.CheckConstraint("length(pdf_sha256) = 64", name="sha256_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    #: The report's figures as canonical JSON (amounts as exact decimal strings).
    figures: Mapped[str] = mapped_column(sa.Text)
    #: The PDF served for the year, byte for byte (deferred: the page needs only its hash).
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    #: Why it was frozen: "December 2021 closed", or the command that froze it.
    reason: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    frozen_at: Mapped[datetime] = mapped_column(default=clock.now)
    frozen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.figures)

    @property
    def is_intact(self) -> bool:
        """The stored PDF still hashes to the SHA-256 recorded with it."""
        return hashlib.sha256(self.pdf).hexdigest() == self.pdf_sha256
