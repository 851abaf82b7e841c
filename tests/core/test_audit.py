"""The audit log: keyed chain, checkpoints and anchors, the database's refusal of changes, and what
`flask audit verify` names when someone with more rights than the application tampers anyway (issue 11)."""

import hashlib
import hmac
import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.contributions import ledger
from fundapp.contributions.models import Deposit, EntryKind, LedgerEntry
from fundapp.core import audit, signals
from fundapp.core.audit import GENESIS_HASH, compute_hash, record_change, verify, verify_chain, write_checkpoint
from fundapp.core.edge import commit
from fundapp.core.errors import AppendOnlyError
from fundapp.core.extensions import db
from fundapp.core.models import AuditCheckpoint, AuditEntry
from tests.concept_notes.helpers import make_note
from tests.contributions import factories as cf
from tests.core.tamper import APPEND_ONLY, dialect, expected_triggers, trigger_names, without_triggers

KEY = b"test-audit-hmac-key-not-secret-0123456789"


def _raw(db, sql: str, **params) -> None:
    db.session.execute(sa.text(sql), params)
    db.session.expire_all()


# The keyed chain --------------------------------------------------------------------------------------------


def test_entries_chain_by_hmac_with_the_configured_key(db, user):
    actor = user("admin@example.org")
    first = record_change(actor, "test.one", "things", 1, {"b": 2, "a": 1})
    second = record_change(None, "test.two", "things", 2)
    assert second.prev_hash == first.hash
    assert first.is_keyed
    assert first.hash == compute_hash(first)
    content = "|".join(
        [
            first.prev_hash,
            first.created_at.isoformat(timespec="microseconds"),
            str(first.actor_id),
            first.actor_email,
            first.action,
            first.object_type,
            first.object_id,
            first.details,
        ]
    ).encode()
    assert first.hash == hmac.new(KEY, content, hashlib.sha256).hexdigest()
    assert first.hash != hashlib.sha256(content).hexdigest()  # not computable without the key
    assert first.details == '{"a":1,"b":2}'  # canonical JSON, so the hash can be recomputed
    assert verify_chain().ok


def test_the_first_entry_links_to_genesis_and_the_chain_start_is_anchored(db):
    first = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id).limit(1))
    assert first.prev_hash == GENESIS_HASH
    start = db.session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id).limit(1))
    assert (start.reason, start.head_id, start.row_count) == ("chain start", first.id, 1)


def test_another_key_cannot_verify_the_chain(app, db):
    record_change(None, "test.a", "things", 1)
    app.config["AUDIT_HMAC_KEY"] = "a-different-key-of-enough-length-0000000"
    try:
        report = verify_chain()
    finally:
        app.config["AUDIT_HMAC_KEY"] = KEY.decode()
    assert not report.ok
    assert "AUDIT_HMAC_KEY" in report.reason


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


# The database refuses changes ------------------------------------------------------------------------------


def test_the_migrations_install_every_trigger(db):
    """A later migration that rebuilds one of these tables (SQLite batch mode) must reinstall its triggers."""
    assert expected_triggers() <= trigger_names()


def _some_rows(db) -> dict[str, int]:
    """A row id of each append-only table (a deposit, its ledger rows, audit rows, a state event)."""
    deposit = cf.deposit("DEU")
    make_note("UNICEF", "applicant2@example.org", submit=True)
    write_checkpoint("test")
    ids = {}
    for table in ("ledger_entries", "deposits", "audit_log", "audit_checkpoints", "state_events"):
        ids[table] = db.session.scalar(sa.text(f"SELECT max(id) FROM {table}"))  # noqa: S608  (our table names)
    assert ids["deposits"] == deposit.id
    return ids


@pytest.mark.parametrize("table", [t for t in APPEND_ONLY if t != "frozen_statements"])
def test_the_database_refuses_update_and_delete(db, table):
    row_id = _some_rows(db)[table]
    statements = (f"UPDATE {table} SET id = id WHERE id = :id", f"DELETE FROM {table} WHERE id = :id")  # noqa: S608
    for statement in statements:
        with pytest.raises(sa.exc.IntegrityError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(statement), {"id": row_id})


def test_a_bulk_orm_update_of_ledger_amounts_is_refused(db):
    cf.deposit("DEU")
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), db.session.begin_nested():
        db.session.execute(
            sa.update(LedgerEntry).where(LedgerEntry.kind == EntryKind.fee).values(amount_usd=Decimal("1000.00")),
            execution_options={"synchronize_session": False},
        )
    with pytest.raises(sa.exc.IntegrityError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.delete(Deposit))


@pytest.mark.postgres_only
def test_postgresql_refuses_truncate(db):
    if dialect() != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    cf.deposit("DEU")
    for table in ("ledger_entries", "audit_log", "committee_votes"):
        with pytest.raises(sa.exc.IntegrityError, match="append-only"), db.session.begin_nested():
            db.session.execute(sa.text(f"TRUNCATE {table} CASCADE"))


# Tampering that bypasses the triggers is named by `flask audit verify` -------------------------------------------


def test_a_ledger_amount_changed_in_the_table_is_named(runner, db):
    cf.deposit("DEU")
    fee = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.kind == EntryKind.fee))
    with without_triggers("ledger_entries"):
        _raw(db, "UPDATE ledger_entries SET amount_usd = amount_usd + :more WHERE id = :id", id=fee.id, more=100000)
        result = verify()
    assert result.chain.ok  # the audit log itself is untouched...
    assert not result.ok  # ...but the ledger no longer matches it
    assert result.discrepancies[0].startswith(f"ledger row {fee.id} (administrative agent fee")
    assert "amount" in result.discrepancies[0]
    outcome = runner.invoke(args=["audit", "verify"])
    assert outcome.exit_code == 1
    assert f"ledger row {fee.id}" in outcome.output


def test_a_ledger_date_changed_in_the_table_is_named(db):
    entry = ledger.post_interest(None, Decimal("100.00"), date(2020, 6, 30))
    with without_triggers("ledger_entries"):
        _raw(db, "UPDATE ledger_entries SET entry_on = :on WHERE id = :id", id=entry.id, on=date(2019, 1, 1))
        problems = verify().discrepancies
    audit_id = _audit_of("ledger_entries", entry.id)
    expected = (
        f"ledger row {entry.id} (interest of 2019-01-01): date 2019-01-01 in the table, 2020-06-30 in its audit "
        f"record #{audit_id}"
    )
    assert problems == [expected]


def _audit_of(object_type: str, object_id: int) -> int:
    return db.session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
    )


def test_a_deleted_ledger_row_is_named(db):
    first = ledger.post_interest(None, Decimal("100.00"), date(2020, 6, 30)).id
    ledger.post_interest(None, Decimal("200.00"), date(2020, 7, 31))
    with without_triggers("ledger_entries"):
        _raw(db, "DELETE FROM ledger_entries WHERE id = :id", id=first)
        assert verify().discrepancies == [
            f"ledger row {first} has an audit record but is no longer in the ledger (deleted from the table)"
        ]


def test_a_ledger_row_inserted_without_its_audit_record_is_named(db):
    ledger.post_interest(None, Decimal("100.00"), date(2020, 6, 30))
    forged = LedgerEntry(kind=EntryKind.interest, category=EntryKind.interest, entry_on=date(2020, 8, 1))
    forged.amount_usd = Decimal("5000.00")
    db.session.add(forged)
    db.session.flush()
    expected = (
        f"ledger row {forged.id} (interest of 2020-08-01) has no audit record (inserted behind the application's back)"
    )
    assert verify().discrepancies == [expected]


def test_a_deposit_changed_in_the_table_is_named(db):
    deposit = cf.deposit("DEU")
    with without_triggers("deposits"):
        _raw(db, "UPDATE deposits SET currency = 'USD' WHERE id = :id", id=deposit.id)
        problems = verify().discrepancies
    assert len(problems) == 1
    assert problems[0].startswith(f"deposit {deposit.id} (USD 400,000.00 of 2020-03-10): currency USD in the table")


def test_an_edited_audit_row_is_named(db):
    record_change(None, "test.a", "things", 1)
    target = record_change(None, "test.b", "things", 2, {"amount": "10.00"})
    record_change(None, "test.c", "things", 3)
    with without_triggers("audit_log"):
        _raw(db, "UPDATE audit_log SET details = :d WHERE id = :id", id=target.id, d='{"amount":"99.00"}')
        report = verify_chain()
    assert report.broken_id == target.id
    assert "content does not match its HMAC" in report.reason


def test_a_deleted_audit_row_breaks_the_link_of_the_next(db):
    record_change(None, "test.a", "things", 1)
    gone = record_change(None, "test.b", "things", 2)
    after = record_change(None, "test.c", "things", 3)
    with without_triggers("audit_log"):
        _raw(db, "DELETE FROM audit_log WHERE id = :id", id=gone.id)
        report = verify_chain()
    assert report.broken_id == after.id
    assert "link" in report.reason


def test_a_truncated_tail_is_caught_by_the_checkpoint(db):
    kept = record_change(None, "test.a", "things", 1)
    record_change(None, "test.b", "things", 2)
    tail = record_change(None, "test.c", "things", 3).id
    write_checkpoint("test")
    with without_triggers("audit_log"):
        _raw(db, "DELETE FROM audit_log WHERE id > :id", id=kept.id)
        report = verify_chain()
    # Every remaining link is right: only the checkpoint knows rows are missing.
    assert report.broken_id == tail
    assert "tail of the log was deleted" in report.reason


def test_a_truncated_tail_with_its_checkpoints_is_caught_by_the_anchor_file(app, db, tmp_path):
    anchors = tmp_path / "audit-anchors.log"
    app.config["AUDIT_ANCHOR_FILE"] = str(anchors)
    try:
        kept = record_change(None, "test.a", "things", 1).id
        tail = record_change(None, "test.b", "things", 2).id
        write_checkpoint("test")
        assert not anchors.exists()  # written only once the transaction commits
        commit()
        line = json.loads(anchors.read_text().splitlines()[-1])
        assert (line["head_id"], line["reason"]) == (tail, "test")
        with without_triggers("audit_log", "audit_checkpoints"):
            _raw(db, "DELETE FROM audit_checkpoints")
            _raw(db, "DELETE FROM audit_log WHERE id > :id", id=kept)
            report = verify_chain()
    finally:
        app.config["AUDIT_ANCHOR_FILE"] = ""
    assert report.broken_id == tail
    assert "audit-anchors.log" in report.reason
    assert "tail of the log was deleted" in report.reason


def test_a_rolled_back_checkpoint_never_reaches_the_anchor_file(app, db, tmp_path):
    anchors = tmp_path / "audit-anchors.log"
    app.config["AUDIT_ANCHOR_FILE"] = str(anchors)
    try:
        with db.session.begin_nested():
            record_change(None, "test.a", "things", 1)
            write_checkpoint("test")
        db.session.rollback()
        commit()
    finally:
        app.config["AUDIT_ANCHOR_FILE"] = ""
    assert not anchors.exists() or anchors.read_text() == ""


def _recompute_plain(db, from_id: int | None = None, details: str | None = None) -> None:
    """Rewrite the chain from `from_id` (every row if None) with plain SHA-256, as someone without the key must."""
    rows = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = GENESIS_HASH
    started = from_id is None
    for row in rows:
        if row.id == from_id:
            started = True
        if started:
            if details is not None and row.id == (from_id or rows[0].id):
                row_details = details
            else:
                row_details = row.details
            probe = AuditEntry(
                prev_hash=prev,
                created_at=row.created_at,
                actor_id=row.actor_id,
                actor_email=row.actor_email,
                action=row.action,
                object_type=row.object_type,
                object_id=row.object_id,
                details=row_details,
                is_keyed=False,
            )
            new_hash = compute_hash(probe)
            db.session.execute(
                sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h, details = :d, is_keyed = :k WHERE id = :id"),
                {"p": prev, "h": new_hash, "d": row_details, "k": False, "id": row.id},
            )
            prev = new_hash
        else:
            prev = row.hash
    db.session.expire_all()


def test_a_tail_recomputed_without_the_key_is_named(db):
    record_change(None, "test.a", "things", 1)
    target = record_change(None, "test.b", "things", 2, {"amount": "10.00"})
    record_change(None, "test.c", "things", 3)
    with without_triggers("audit_log"):
        _recompute_plain(db, target.id, '{"amount":"99.00"}')
        report = verify_chain()
    assert report.broken_id == target.id
    assert "plain SHA-256 row after the keyed chain began" in report.reason


def test_a_whole_chain_recomputed_without_the_key_is_caught_by_the_checkpoints(db):
    target = record_change(None, "test.b", "things", 2, {"amount": "10.00"})
    write_checkpoint("test")
    with without_triggers("audit_log"):
        _recompute_plain(db)
        report = verify_chain()
    assert not report.ok
    assert "rows deleted or the chain recomputed" in report.reason
    assert report.broken_id <= target.id


def test_a_forged_checkpoint_is_named(db):
    write_checkpoint("test")
    with without_triggers("audit_checkpoints"):
        _raw(db, "UPDATE audit_checkpoints SET row_count = row_count - 1")
        report = verify_chain()
    assert "is not signed with this AUDIT_HMAC_KEY" in report.reason


# Checkpoints: periodically, on verify, on month close ----------------------------------------------------------


def test_checkpoints_every_n_rows(app, db):
    app.config["AUDIT_CHECKPOINT_EVERY"] = 2
    try:
        before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditCheckpoint))
        for n in range(4):
            record_change(None, "test.n", "things", n)
        after = db.session.scalar(sa.select(sa.func.count()).select_from(AuditCheckpoint))
    finally:
        app.config["AUDIT_CHECKPOINT_EVERY"] = 1000
    assert after - before == 2
    assert verify_chain().ok


def test_a_month_close_writes_a_checkpoint(db):
    class Period:
        year, month = 2021, 6

    signals.period_closed.send(Period(), actor=None)
    last = db.session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    assert last.reason == "period 2021-06 closed"
    assert last.head_id == db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))


def test_cli_verify_reports_intact_writes_a_checkpoint_and_names_a_broken_row(runner, db):
    cf.deposit("DEU")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output
    assert "ledger and deposits reconcile" in result.output
    last = db.session.scalar(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    assert last.reason == "flask audit verify"
    target = record_change(None, "test.b", "things", 2)
    with without_triggers("audit_log"):
        _raw(db, "UPDATE audit_log SET object_id = '3' WHERE id = :id", id=target.id)
        result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"row {target.id}" in result.output


def test_verify_reads_what_the_table_holds_not_what_the_session_remembers(db):
    deposit = cf.deposit("DEU")
    assert db.session.get(Deposit, deposit.id).amount == Decimal("400000.00")  # loaded in this session
    with without_triggers("deposits"):
        db.session.execute(sa.text("UPDATE deposits SET amount = 1 WHERE id = :id"), {"id": deposit.id})
        problems = verify().discrepancies
    assert len(problems) == 1
    assert "amount" in problems[0]


def test_audit_key_is_required(app):
    saved = app.config.pop("AUDIT_HMAC_KEY")
    try:
        with pytest.raises(audit.MissingAuditKey):
            audit.audit_key()
    finally:
        app.config["AUDIT_HMAC_KEY"] = saved
