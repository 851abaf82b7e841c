"""The ledger's CSV is streamed from batches: one cursor read CSV_BATCH entries at a time (pool, donor and
organisation joined in), each batch written before the next is read, so memory holds one batch whatever the size
of the ledger (scripts/bench.py measures the peak at 100×). The document is the same byte for byte whatever the
batch size, newest first, with the page's filters."""

import sqlalchemy as sa

from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from tests.contributions import factories as cf
from tests.streaming import dict_rows, read_in_batches


def test_the_ledger_csv_is_written_batch_by_batch(db, client, login, monkeypatch):
    for code in ("DEU", "NLD", "PHL"):
        cf.deposit(code)  # a deposit and its fee each
    db.session.commit()
    login("secretariat@example.org")

    body, batches = read_in_batches(monkeypatch, client, "/contributions/ledger.csv", ledger, "ledger_entry_batches", 4)
    rows = dict_rows(body)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry))
    assert len(rows) == sum(batches) == total >= 6
    assert batches == [4] * (total // 4) + ([total % 4] if total % 4 else [])  # never more than a batch
    keys = [(r["entry_on"], int(r["id"])) for r in rows]
    assert keys == sorted(keys, reverse=True)  # newest first, no entry twice
    assert len(set(keys)) == total

    whole, one = read_in_batches(monkeypatch, client, "/contributions/ledger.csv", ledger, "ledger_entry_batches", 1000)
    assert one == [total]
    assert whole == body  # the same document, byte for byte, in one batch or many

    fees, batches = read_in_batches(
        monkeypatch, client, "/contributions/ledger.csv?kind=fee", ledger, "ledger_entry_batches", 2
    )
    assert {r["kind"] for r in dict_rows(fees)} == {EntryKind.fee.value}
    assert batches == [2, 1]
