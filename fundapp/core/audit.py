"""The audit log: append-only, hash-chained. record_change() is the only writer."""

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from fundapp.core import clock
from fundapp.core.errors import AppendOnlyError
from fundapp.core.extensions import db
from fundapp.core.models import AppendOnly, AuditEntry
from fundapp.core.permissions import Actor

log = logging.getLogger("fundapp.audit")

GENESIS_HASH = "0" * 64
#: Arbitrary constant for pg_advisory_xact_lock: one writer extends the chain at a time.
_CHAIN_LOCK_KEY = 727_001


def _canonical(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), default=str)


def compute_hash(entry: AuditEntry) -> str:
    content = "|".join(
        [
            entry.prev_hash,
            entry.created_at.isoformat(timespec="microseconds"),
            str(entry.actor_id or ""),
            entry.actor_email or "",
            entry.action,
            entry.object_type,
            entry.object_id or "",
            entry.details,
        ]
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _last_hash() -> str:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))
    last = session.scalar(sa.select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or GENESIS_HASH


def record_change(
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Call it from services, after the change is flushed."""
    actor_id = getattr(actor, "id", None)
    entry = AuditEntry(
        created_at=clock.now(),
        actor_id=actor_id,
        actor_email=getattr(actor, "email", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=_canonical(details),
        prev_hash=_last_hash(),
    )
    entry.hash = compute_hash(entry)
    db.session.add(entry)
    db.session.flush()
    log.info("%s %s %s:%s by %s", action, details or "", object_type, object_id, entry.actor_email or "system")
    return entry


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain(batch: int = 1000) -> ChainReport:
    """Recompute every hash in id order; name the first row whose content or link is wrong."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(checked)
        for row in rows:
            if row.prev_hash != expected_prev:
                return ChainReport(checked, row.id, "previous-hash link does not match the row before")
            if compute_hash(row) != row.hash:
                return ChainReport(checked, row.id, "content does not match its hash")
            expected_prev = row.hash
            checked += 1
            last_id = row.id
        db.session.expunge_all()


@sa.event.listens_for(Session, "before_flush")
def _refuse_append_only_changes(session: Session, _context, _instances) -> None:
    """Append-only tables (audit, events, ledger) are never updated or deleted through the ORM."""
    for obj in session.deleted:
        if isinstance(obj, AppendOnly):
            raise AppendOnlyError(f"{type(obj).__name__} rows cannot be deleted; record a correction instead.")
    for obj in session.dirty:
        if isinstance(obj, AppendOnly) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyError(f"{type(obj).__name__} rows cannot be changed; record a correction instead.")
