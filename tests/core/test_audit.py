import pytest
import sqlalchemy as sa

from fundapp.core.audit import GENESIS_HASH, compute_hash, record_change, verify_chain
from fundapp.core.errors import AppendOnlyError
from fundapp.core.models import AuditEntry


def test_entries_chain_by_hash(db, user):
    actor = user("admin@example.org")
    first = record_change(actor, "test.one", "things", 1, {"b": 2, "a": 1})
    second = record_change(None, "test.two", "things", 2)
    assert second.prev_hash == first.hash
    assert first.hash == compute_hash(first)
    assert first.details == '{"a":1,"b":2}'  # canonical JSON, so the hash can be recomputed
    assert first.actor_email == "admin@example.org"
    assert verify_chain().ok


def test_the_first_entry_links_to_genesis(db):
    first = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id).limit(1))
    assert first.prev_hash == GENESIS_HASH


def test_tampering_is_detected_and_the_row_named(db):
    record_change(None, "test.a", "things", 1)
    target = record_change(None, "test.b", "things", 2, {"amount": "10.00"})
    record_change(None, "test.c", "things", 3)
    # An attacker edits the table directly, bypassing the ORM guard.
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.id == target.id).values(details='{"amount":"99.00"}'),
        execution_options={"synchronize_session": False},
    )
    db.session.expire_all()
    report = verify_chain()
    assert not report.ok
    assert report.broken_id == target.id
    assert "content" in report.reason


def test_a_deleted_row_breaks_the_link_of_the_next(db):
    record_change(None, "test.a", "things", 1)
    gone = record_change(None, "test.b", "things", 2)
    after = record_change(None, "test.c", "things", 3)
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.id == gone.id))
    db.session.expire_all()
    report = verify_chain()
    assert report.broken_id == after.id
    assert "link" in report.reason


def test_orm_refuses_updates_and_deletes(db):
    entry = record_change(None, "test.a", "things", 1)
    entry.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()


def test_cli_verify_reports_intact_and_broken(runner, db):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact" in result.output
    target = record_change(None, "test.b", "things", 2)
    db.session.execute(sa.update(AuditEntry).where(AuditEntry.id == target.id).values(object_id="3"))
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"row {target.id}" in result.output
