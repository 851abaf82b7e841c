"""Audit rows written before the key existed stay verifiable: the migration marks them plain SHA-256, the first
keyed row seals them, and a plain row after it is named (issue 11, item 7)."""

from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from fundapp import create_app
from fundapp.core.audit import GENESIS_HASH, compute_hash, record_change, verify_chain
from fundapp.core.extensions import db as _db
from fundapp.core.models import AuditCheckpoint, AuditEntry
from tests.conftest import make_config

BEFORE = "20261130_mail_outbox"


@pytest.fixture
def scratch_url(database_url, tmp_path):
    """An empty database of the run's engine."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
        return
    url = sa.engine.make_url(database_url)
    name = f"{url.database}_legacy"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_rows(count: int) -> list[str]:
    """Rows as the unkeyed chain wrote them (plain SHA-256 of the same content), inserted before the migration."""
    prev, hashes = GENESIS_HASH, []
    for n in range(count):
        row = AuditEntry(
            created_at=datetime(2025, 1, 1, 12, 0, n),
            actor_id=None,
            actor_email=None,
            action="legacy.event",
            object_type="things",
            object_id=str(n),
            details="{}",
            prev_hash=prev,
            is_keyed=False,
        )
        row.hash = compute_hash(row)
        _db.session.execute(
            sa.text(
                "INSERT INTO audit_log (created_at, action, object_type, object_id, details, prev_hash, hash) "
                "VALUES (:created_at, :action, :object_type, :object_id, :details, :prev_hash, :hash)"
            ),
            {c: getattr(row, c) for c in ("created_at", "action", "object_type", "object_id", "details", "prev_hash")}
            | {"hash": row.hash},
        )
        prev = row.hash
        hashes.append(row.hash)
    _db.session.commit()
    return hashes


def test_rows_from_before_the_key_stay_verifiable_and_are_sealed(scratch_url):
    app = create_app(make_config(scratch_url))
    with app.app_context():
        try:
            upgrade(revision=BEFORE)
            hashes = _old_rows(3)
            upgrade()
            legacy = _db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
            assert [(r.is_keyed, r.hash) for r in legacy] == [(False, h) for h in hashes]

            first_keyed = record_change(None, "test.keyed", "things", 9)
            assert first_keyed.is_keyed
            assert first_keyed.prev_hash == hashes[-1]
            seal = _db.session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
            assert (seal.reason, seal.row_count, seal.head_id) == ("first keyed row", 4, first_keyed.id)
            report = verify_chain()
            assert report.ok, report.reason
            assert (report.checked, report.legacy) == (4, 3)

            # Someone without the key appends a plain row: named.
            plain = AuditEntry(
                created_at=datetime(2026, 1, 1),
                action="forged",
                object_type="things",
                details="{}",
                prev_hash=first_keyed.hash,
                is_keyed=False,
            )
            plain.hash = compute_hash(plain)
            _db.session.add(plain)
            _db.session.flush()
            report = verify_chain()
            assert report.broken_id == plain.id
            assert "plain SHA-256 row after the keyed chain began" in report.reason
        finally:
            _db.session.rollback()
            _db.session.remove()
            _db.engine.dispose()
