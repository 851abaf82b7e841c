"""The portfolio CSV is streamed from batches: one cursor read CSV_BATCH programmes at a time, each batch's
documents, budget lines, notes, countries and money flows loaded over the batch, each batch written before the
next is read, so memory holds one batch whatever the size of the portfolio (scripts/bench.py measures the peak
at 100×). The document is the same byte for byte whatever the batch size."""

import csv
import io

from fundapp.programmes import services
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.streaming import read_in_batches


def test_the_portfolio_csv_is_written_batch_by_batch(db, client, login, monkeypatch):
    made = [make_programme() for _ in range(3)]
    made.append(make_programme({"UNDP": "100000.00"}, lead="UNDP", email="applicant@example.org"))
    db.session.commit()
    login(SECRETARIAT)

    body, batches = read_in_batches(monkeypatch, client, "/programmes.csv", services, "portfolio_batches", 3)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert batches == [3, 1]  # never more than a batch at a time
    assert [r["reference"] for r in rows] == [p.reference for p in sorted(made, key=lambda p: p.id)]
    assert rows[-1]["approved_budget_usd"] == "100000.00"
    assert rows[-1]["allocated_usd"] == "100000.00"  # each batch's money flows, not only the first's
    assert rows[0]["participating_organizations"] == "UNICEF; ILO"

    whole, one = read_in_batches(monkeypatch, client, "/programmes.csv", services, "portfolio_batches", 1000)
    assert one == [4]
    assert whole == body  # the same document, byte for byte, in one batch or many
