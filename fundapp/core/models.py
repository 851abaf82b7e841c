"""Core tables: the hash-chained audit log, its signed checkpoints, and the state-machine event log."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from fundapp.core import clock
from fundapp.core.extensions import db


class AppendOnly:
    """Marker mixin: rows are inserted, never updated or deleted (core.audit's flush guard in the ORM, and
    database triggers installed by the migrations on both engines)."""


class AuditEntry(AppendOnly, db.Model):
    """One row per state change or sign-in event, chained by HMAC-SHA-256 so tampering shows.

    Each row's hash covers its content and the previous row's hash, keyed with AUDIT_HMAC_KEY (never stored
    in the database), so rewriting a row means recomputing every later hash, which needs the key. Rows written
    before the key was introduced stay plain SHA-256 (`is_keyed` false); they form the chain's prefix, sealed
    by the first keyed row.
    """

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    #: Null for the system itself (CLI loads, scheduled jobs).
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: Kept beside the id so the log stays readable if a user is renamed.
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_id: Mapped[str | None] = mapped_column(sa.String(80))
    #: Canonical JSON (sorted keys) so the hash can be recomputed byte for byte.
    details: Mapped[str] = mapped_column(sa.Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: HMAC-SHA-256 with the audit key; false for the plain SHA-256 rows written before the key existed.
    is_keyed: Mapped[bool] = mapped_column(default=True, server_default=sa.false())


class AuditCheckpoint(AppendOnly, db.Model):
    """An anchor of the audit chain: how many rows it had and its head hash at a moment, signed with the key.

    Written when a chain starts or crosses AUDIT_CHECKPOINT_EVERY rows, on every `flask audit verify` and every
    month close; each is also appended to AUDIT_ANCHOR_FILE, outside the database. A later verification
    checks the chain still has exactly that many rows up to the head and the same hash there, so deleting
    the tail or recomputing the chain is caught even by someone able to rewrite the table.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: Rows of the audit log with an id up to head_id.
    row_count: Mapped[int]
    head_id: Mapped[int]
    head_hash: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    #: HMAC-SHA-256 of the fields above with the audit key: a checkpoint cannot be forged without it.
    signature: Mapped[str] = mapped_column(sa.String(64))


class StateEvent(AppendOnly, db.Model):
    """A transition of some state machine: feeds status timelines."""

    __tablename__ = "state_events"
    __table_args__ = (sa.Index("ix_state_events_object", "machine", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    machine: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(40))
    from_state: Mapped[str | None] = mapped_column(sa.String(40))
    to_state: Mapped[str] = mapped_column(sa.String(40))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    reason: Mapped[str | None] = mapped_column(sa.Text)


class SubmissionKey(db.Model):
    """A form's one-time key, used once by its user: where the first submission led (core.edge).

    Written in the transaction that does the form's work, so a key exists exactly when its work was
    committed; a concurrent duplicate runs into the unique constraint and is answered with this row.
    """

    __tablename__ = "submission_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_submission_keys_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(64))
    #: The endpoint the form was posted to (for the audit of what a repeat was answered with).
    endpoint: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    #: Where the first submission sent its user (the page of what it created); a repeat is sent there.
    result_url: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
