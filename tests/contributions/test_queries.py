"""The statement, the donor portal and the contribution report run as many queries for 10 ledger rows as for 10,000."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.extensions import db as _db
from tests.contributions import factories as cf

START = date(2019, 6, 1)


def _bulk_ledger(count: int, donor_id: int, area_id: int) -> None:
    """Deposits, fees, allocations, transfers and interest in one executemany insert."""
    kinds = [EntryKind.deposit, EntryKind.fee, EntryKind.allocation, EntryKind.transfer, EntryKind.interest]
    rows = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        rows.append(
            {
                "kind": kind,
                "category": kind,
                "entry_on": START + timedelta(days=i % 900),
                "amount_usd": Decimal("10.00") + i % 97,
                "thematic_area_id": area_id if i % 2 else None,
                "donor_id": donor_id if kind in (EntryKind.deposit, EntryKind.fee) else None,
                "programme_id": i % 40 + 1 if kind in (EntryKind.allocation, EntryKind.transfer) else None,
                "description": "bulk",
            }
        )
    _db.session.execute(sa.insert(LedgerEntry), rows)


PAGES = [
    ("secretariat@example.org", lambda donor_id: "/contributions/funding-status?as_of=2022-01-01"),
    ("member1@example.org", lambda donor_id: "/contributions/funding-status"),
    ("donor@example.org", lambda donor_id: "/contributions/my"),
    ("donor@example.org", lambda donor_id: f"/contributions/donors/{donor_id}/report?from=2019-01-01&to=2022-12-31"),
    ("donor@example.org", lambda donor_id: f"/contributions/donors/{donor_id}/report.csv"),
    ("donor@example.org", lambda donor_id: f"/contributions/donors/{donor_id}/report.pdf"),
    ("secretariat@example.org", lambda donor_id: "/contributions/ledger"),
    ("secretariat@example.org", lambda donor_id: "/contributions/capitalization"),
    ("anonymous", lambda donor_id: "/api/v1/funding-status"),
]


@pytest.mark.parametrize(("email", "url"), PAGES)
def test_page_runs_the_same_queries_for_10_and_10000_ledger_rows(client, login, queries, db, email, url):
    deposit = cf.deposit("DEU")
    area_id = db.session.scalar(sa.text("SELECT id FROM thematic_areas WHERE code = 'TA1'"))
    _bulk_ledger(8, deposit.donor_id, area_id)  # with the deposit and its fee: 10 rows
    assert cf.entry_count() == 10
    if email != "anonymous":
        login(email)
    target = url(deposit.donor_id)
    assert client.get(target).status_code == 200  # warm-up
    with queries() as small:
        assert client.get(target).status_code == 200
    _bulk_ledger(9_990, deposit.donor_id, area_id)
    assert cf.entry_count() == 10_000
    with queries() as large:
        assert client.get(target).status_code == 200
    assert len(large) == len(small), target
