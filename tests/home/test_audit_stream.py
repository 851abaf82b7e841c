"""The audit log CSV is streamed: entries are read a batch at a time (keyset on the id), each batch described
and written before the next is read, so a large log never sits in memory whole (the benchmark measures the
peak memory at 100×; here the row count and the batches)."""

import csv
import io

import sqlalchemy as sa

from fundapp.core.audit import record_change
from fundapp.core.models import AuditEntry
from fundapp.home import audit, services


def test_the_audit_csv_of_a_large_log_is_written_batch_by_batch(db, client, login, monkeypatch):
    for number in range(450):
        record_change(None, "test.bulk", "widgets", number, {"n": number})
    monkeypatch.setattr(services, "AUDIT_CSV_BATCH", 100)
    batches: list[int] = []
    described = audit.readable

    def spy(entries):
        batches.append(len(entries))
        return described(entries)

    monkeypatch.setattr(audit, "readable", spy)
    login("admin@example.org")
    response = client.get("/admin/audit.csv")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    assert len(rows) == total >= 450
    assert max(batches) == 100  # never more than a batch at a time
    assert sum(batches) == total
    ids = [int(r["id"]) for r in rows]
    assert ids == sorted(ids, reverse=True)  # newest first, no row twice
    assert len(set(ids)) == total


def test_the_filtered_audit_csv_streams_only_what_the_filters_select(db, client, login, monkeypatch):
    for number in range(130):
        record_change(None, "test.bulk", "widgets", number, {"n": number})
        record_change(None, "test.other", "gadgets", number, {"n": number})
    monkeypatch.setattr(services, "AUDIT_CSV_BATCH", 50)
    login("admin@example.org")
    body = client.get("/admin/audit.csv?object_type=widgets").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 130
    assert {r["object_type"] for r in rows} == {"widgets"}


def test_the_audit_csv_runs_a_fixed_number_of_statements_per_batch_not_per_row(db, client, login, queries, monkeypatch):
    """Each batch is one keyset query and one description query per object type in it (the bench counts about
    13 per batch of 1,000 at 100×): 400 more entries add statements for their 4 batches, not for their rows."""
    monkeypatch.setattr(services, "AUDIT_CSV_BATCH", 100)
    login("admin@example.org")

    def statements() -> tuple[int, int]:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        with queries() as run:
            response = client.get("/admin/audit.csv")
            assert sum(len(chunk) for chunk in response.iter_encoded()) > 0
            response.close()
        return len(run), -(-total // 100)

    for number in range(150):
        record_change(None, "test.bulk", "widgets", number, {"n": number})
    small, small_batches = statements()
    for number in range(400):
        record_change(None, "test.bulk", "widgets", 1000 + number, {"n": number})
    large, large_batches = statements()
    assert large_batches - small_batches == 4
    assert large - small <= 3 * (large_batches - small_batches)
