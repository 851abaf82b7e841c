"""The audit log: append-only, hash-chained with a key, anchored by signed checkpoints. record_change() is the
only writer.

- **Keyed chain.** Each row's hash is HMAC-SHA-256, keyed with AUDIT_HMAC_KEY (configuration, never the
  database), over the row's content and the previous row's hash. Someone who can write the table but does not
  hold the key cannot rewrite a row and recompute the hashes after it. Rows written before the key existed
  stay plain SHA-256 (`is_keyed` false): they must form the chain's prefix, and the first keyed row seals it.
- **Anchors.** A checkpoint (row count, head id and head hash, signed with the key) is stored in
  `audit_checkpoints` when the chain starts or crosses AUDIT_CHECKPOINT_EVERY rows, on every
  `flask audit verify` and on every month close; after the transaction commits it is also appended to
  AUDIT_ANCHOR_FILE, a file outside the database (make it append-only, ship it elsewhere). Deleting the tail
  of the chain, or recomputing it, no longer matches the checkpoints.
- **Reconciliation.** `verify()` also asks each domain (core.signals.audit_reconcile) to compare its records
  with their audit rows: the ledger and deposits answer the first row whose amount, kind or date differs.

Database triggers (see the migration 20261130_books_integrity) refuse UPDATE and DELETE on the audit log,
its checkpoints and the other append-only tables; the flush guard at the end refuses them in the ORM.
"""

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from fundapp.core import clock, signals
from fundapp.core.errors import AppendOnlyError
from fundapp.core.extensions import db
from fundapp.core.models import AppendOnly, AuditCheckpoint, AuditEntry
from fundapp.core.permissions import Actor

log = logging.getLogger("fundapp.audit")

GENESIS_HASH = "0" * 64
#: Arbitrary constant for pg_advisory_xact_lock: one writer extends the chain at a time.
_CHAIN_LOCK_KEY = 727_001
#: Where a transaction keeps the checkpoints to append to the anchor file once it commits.
_PENDING_ANCHORS = "fundapp.audit.pending_anchors"
#: Rows between two automatic checkpoints, unless AUDIT_CHECKPOINT_EVERY says otherwise.
DEFAULT_CHECKPOINT_EVERY = 1000


class MissingAuditKey(RuntimeError):
    """AUDIT_HMAC_KEY is not configured: the chain cannot be extended or verified."""


def audit_key() -> bytes:
    """The key of the chain, from the app's configuration (never from the database)."""
    key = current_app.config.get("AUDIT_HMAC_KEY") if has_app_context() else None
    if not key:
        raise MissingAuditKey("AUDIT_HMAC_KEY is not set: the audit chain is keyed with it.")
    return key.encode() if isinstance(key, str) else bytes(key)


def _canonical(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, sort_keys=True, separators=(",", ":"), default=str)


def _content(entry: AuditEntry | Any) -> bytes:
    return "|".join(
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
    ).encode()


def compute_hash(entry: AuditEntry | Any, key: bytes | None = None) -> str:
    """HMAC-SHA-256 of the row's content with the audit key; plain SHA-256 for a row from before the key."""
    if entry.is_keyed is False:
        return hashlib.sha256(_content(entry)).hexdigest()
    return hmac.new(key or audit_key(), _content(entry), hashlib.sha256).hexdigest()


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_CHAIN_LOCK_KEY)))


def _head() -> tuple[int | None, str, bool]:
    """(id, hash, keyed) of the last row, under the chain lock; (None, genesis, False) on an empty log."""
    _lock_chain()
    row = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.hash, AuditEntry.is_keyed).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    return (row.id, row.hash, bool(row.is_keyed)) if row else (None, GENESIS_HASH, False)


def record_change(
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row. Call it from services, after the change is flushed."""
    key = audit_key()
    _head_id, prev_hash, prev_keyed = _head()
    entry = AuditEntry(
        created_at=clock.now(),
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=_canonical(details),
        prev_hash=prev_hash,
        is_keyed=True,
    )
    entry.hash = compute_hash(entry, key)
    db.session.add(entry)
    db.session.flush()
    log.info("%s %s %s:%s by %s", action, details or "", object_type, object_id, entry.actor_email or "system")
    if not prev_keyed:
        # The first keyed row: the chain starts here, or seals the plain rows written before the key.
        write_checkpoint("chain start" if prev_hash == GENESIS_HASH else "first keyed row")
    elif entry.id % checkpoint_every() == 0:
        write_checkpoint(f"every {checkpoint_every()} rows")
    return entry


def checkpoint_every() -> int:
    return int(current_app.config.get("AUDIT_CHECKPOINT_EVERY") or DEFAULT_CHECKPOINT_EVERY)


# Checkpoints -----------------------------------------------------------------------------------------------


def _signature(row_count: int, head_id: int, head_hash: str, created_at: str, key: bytes) -> str:
    message = f"{row_count}|{head_id}|{head_hash}|{created_at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _stamp(moment) -> str:
    return moment.isoformat(timespec="microseconds")


def write_checkpoint(reason: str) -> AuditCheckpoint | None:
    """Anchor the chain as it stands in this transaction (count and head hash, signed); None on an empty log.

    The row is stored now; its line goes to AUDIT_ANCHOR_FILE after the transaction commits (never for work
    that is rolled back).
    """
    key = audit_key()
    head_id, head_hash, _keyed = _head()
    if head_id is None:
        return None
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.id <= head_id))
    now = clock.now()
    checkpoint = AuditCheckpoint(
        created_at=now,
        row_count=count,
        head_id=head_id,
        head_hash=head_hash,
        reason=reason[:120],
        signature=_signature(count, head_id, head_hash, _stamp(now), key),
    )
    db.session.add(checkpoint)
    db.session.flush()
    anchor = {
        "at": _stamp(now),
        "rows": count,
        "head_id": head_id,
        "head_hash": head_hash,
        "reason": checkpoint.reason,
        "signature": checkpoint.signature,
    }
    pending = db.session().info.setdefault(_PENDING_ANCHORS, [])
    pending.append((checkpoint.id, checkpoint.signature, json.dumps(anchor, sort_keys=True)))
    return checkpoint


def anchor_file() -> Path | None:
    """AUDIT_ANCHOR_FILE, or None when the instance keeps no anchor file (the test suite)."""
    value = current_app.config.get("AUDIT_ANCHOR_FILE") if has_app_context() else None
    return Path(value) if value else None


def _append_anchors(path: Path, lines: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_APPEND: each line lands at the end even with several workers; fsync so a crash keeps it.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, "".join(f"{line}\n" for line in lines).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        # The checkpoint is committed in the database; a missing line only weakens the outside anchor.
        log.exception("Could not append %d audit checkpoint(s) to %s", len(lines), path)


def _anchor_committed(session: Session, **_data: Any) -> None:
    """Receiver of core.signals.committed: append the transaction's checkpoints to the anchor file.

    Only checkpoints the database now holds (same id and signature) are written: one that was rolled back,
    with its transaction or a savepoint, never reaches the file.
    """
    pending = session.info.pop(_PENDING_ANCHORS, None)
    path = anchor_file()
    if not pending or path is None:
        return
    stored = dict(
        session.execute(
            sa.select(AuditCheckpoint.id, AuditCheckpoint.signature).where(
                AuditCheckpoint.id.in_([checkpoint_id for checkpoint_id, _s, _l in pending])
            )
        ).all()
    )
    lines = [line for checkpoint_id, signature, line in pending if stored.get(checkpoint_id) == signature]
    if lines:
        _append_anchors(path, lines)


signals.committed.connect(_anchor_committed)


def _on_period_closed(period: Any, **_data: Any) -> None:
    """A month close anchors the chain (in the close's transaction)."""
    write_checkpoint(f"period {getattr(period, 'year', '?')}-{getattr(period, 'month', 0):02d} closed")


signals.period_closed.connect(_on_period_closed)


# Verification ----------------------------------------------------------------------------------------------


@dataclass
class Anchor:
    """A checkpoint to hold the chain to: from the checkpoints table or a line of the anchor file."""

    source: str
    row_count: int
    head_id: int
    head_hash: str


@dataclass
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str | None = None
    #: Rows from before the key (plain SHA-256), at the start of the chain.
    legacy: int = 0
    #: Checkpoints (table) and anchor-file lines the chain was held to.
    checkpoints: int = 0
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_id is None and self.reason is None


def _file_anchors(key: bytes) -> tuple[list[Anchor], str | None]:
    path = anchor_file()
    if path is None or not path.exists():
        return [], None
    anchors = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(f"line {number} of {path.name}", int(data["rows"]), int(data["head_id"]), data["head_hash"])
            expected = _signature(anchor.row_count, anchor.head_id, anchor.head_hash, data["at"], key)
            signed = hmac.compare_digest(expected, data["signature"])
        except (ValueError, KeyError, TypeError):
            return anchors, f"line {number} of the anchor file {path} is not a checkpoint"
        if not signed:
            return anchors, f"line {number} of the anchor file {path} is not signed with this AUDIT_HMAC_KEY"
        anchors.append(anchor)
    return anchors, None


def _table_anchors(key: bytes) -> tuple[list[Anchor], str | None]:
    anchors = []
    for cp in db.session.scalars(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id)):
        expected = _signature(cp.row_count, cp.head_id, cp.head_hash, _stamp(cp.created_at), key)
        if not hmac.compare_digest(expected, cp.signature):
            return anchors, f"checkpoint #{cp.id} is not signed with this AUDIT_HMAC_KEY (forged, or the key changed)"
        source = f"checkpoint #{cp.id} of {cp.created_at:%Y-%m-%d %H:%M}"
        anchors.append(Anchor(source, cp.row_count, cp.head_id, cp.head_hash))
    return anchors, None


def _rows(batch: int) -> Iterator[Any]:
    """The log's rows in id order, as plain rows (what the table holds now; nothing enters the session)."""
    columns = AuditEntry.__table__.c
    last_id = 0
    while True:
        query = sa.select(columns).where(columns.id > last_id).order_by(columns.id).limit(batch)
        rows = db.session.execute(query).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain(batch: int = 1000) -> ChainReport:
    """Recompute every hash in id order and hold the chain to every checkpoint; name the first broken row.

    Broken: a row whose previous-hash link or content does not match (with the key, or plain SHA-256 for the
    rows from before it); a plain row after a keyed one (recomputed without the key); a checkpoint or anchor
    line not signed with the key; a checkpoint's head row missing (the tail was deleted), or reached with
    another row count or hash (rows deleted or the chain recomputed).
    """
    key = audit_key()
    table, problem = _table_anchors(key)
    if problem:
        return ChainReport(0, reason=problem)
    lines, problem = _file_anchors(key)
    if problem:
        return ChainReport(0, reason=problem)
    expected: dict[int, list[Anchor]] = {}
    for anchor in table + lines:
        expected.setdefault(anchor.head_id, []).append(anchor)
    report = ChainReport(0, checkpoints=len(table), anchors=len(lines))
    expected_prev = GENESIS_HASH
    keyed_seen = False
    last_id = 0
    for row in _rows(batch):
        if row.prev_hash != expected_prev:
            return _broken(report, row.id, "previous-hash link does not match the row before")
        if not row.is_keyed and keyed_seen:
            return _broken(report, row.id, "a plain SHA-256 row after the keyed chain began (written without the key)")
        if compute_hash(row, key) != row.hash:
            kind = "its HMAC (rewritten, or another AUDIT_HMAC_KEY)" if row.is_keyed else "its hash"
            return _broken(report, row.id, f"content does not match {kind}")
        keyed_seen = keyed_seen or bool(row.is_keyed)
        report.legacy += 0 if row.is_keyed else 1
        report.checked += 1
        for anchor in expected.pop(row.id, []):
            if anchor.row_count != report.checked or anchor.head_hash != row.hash:
                return _broken(
                    report,
                    row.id,
                    f"{anchor.source} recorded {anchor.row_count} rows with hash {anchor.head_hash[:12]}… at this "
                    f"row; the log has {report.checked} rows with hash {row.hash[:12]}… (rows deleted or the chain "
                    "recomputed)",
                )
        expected_prev = row.hash
        last_id = row.id
    if expected:
        head_id = min(expected)
        anchor = expected[head_id][0]
        where = "after the last row" if head_id > last_id else "in the middle of the log"
        return _broken(
            report,
            head_id,
            f"{anchor.source} recorded {anchor.row_count} rows up to row {head_id}, which is missing {where} "
            "(the tail of the log was deleted)",
        )
    return report


def _broken(report: ChainReport, row_id: int, reason: str) -> ChainReport:
    report.broken_id = row_id
    report.reason = reason
    return report


@dataclass
class Verification:
    """`flask audit verify`: the chain, then each domain's records against their audit rows."""

    chain: ChainReport
    discrepancies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.discrepancies


def verify(batch: int = 1000) -> Verification:
    """The chain (verify_chain), then the domains' reconciliations (the first discrepancy each names)."""
    chain = verify_chain(batch)
    answers = signals.answers(signals.audit_reconcile, None)
    return Verification(chain, [a for a in answers if a])


@sa.event.listens_for(Session, "before_flush")
def _refuse_append_only_changes(session: Session, _context, _instances) -> None:
    """Append-only tables (audit, events, ledger) are never updated or deleted through the ORM."""
    for obj in session.deleted:
        if isinstance(obj, AppendOnly):
            raise AppendOnlyError(f"{type(obj).__name__} rows cannot be deleted; record a correction instead.")
    for obj in session.dirty:
        if isinstance(obj, AppendOnly) and session.is_modified(obj, include_collections=False):
            raise AppendOnlyError(f"{type(obj).__name__} rows cannot be changed; record a correction instead.")
