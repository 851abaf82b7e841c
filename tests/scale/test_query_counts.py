"""Every main page and API endpoint runs the same number of SQL statements on the demo fund and on the same fund
ten times over: a page whose count grows with the data (an N+1, a list loaded row by row) fails here."""

import pytest
import sqlalchemy as sa

from fundapp.contributions.models import Deposit, LedgerEntry
from fundapp.core.audit import verify
from fundapp.core.extensions import db
from tests.pages import FLOOR, FLOOR_SIGNED_IN, PAGES, client_for, counted
from tests.scale.conftest import FACTOR

MEASURED = [FLOOR, FLOOR_SIGNED_IN, *(p for p in PAGES if p.kind in ("page", "api"))]


@pytest.fixture(scope="module")
def clients(funds):
    """One signed-in client per (fund, person), reused by every page."""
    made = {}

    def _get(size, email):
        if (size, email) not in made:
            made[size, email] = client_for(funds[size], email)
        return made[size, email]

    return _get


def _statements(app, client, path: str) -> int:
    client.get(path).close()  # warm: the sign-in's first requests, caches that fill once
    with counted(app) as statements:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        response.close()
    return len(statements)


@pytest.mark.parametrize("page", MEASURED, ids=[p.label for p in MEASURED])
def test_the_query_count_does_not_grow_with_the_fund(funds, clients, page):
    counts = {size: _statements(funds[size], clients(size, page.email), page.path) for size in (1, FACTOR)}
    assert counts[FACTOR] == counts[1], f"{page.label}: {counts[1]} statements at 1x, {counts[FACTOR]} at {FACTOR}x"


def test_the_scaled_fund_holds_ten_times_the_demo_and_its_audit_chain_verifies(funds):
    totals = {}
    for size, app in funds.items():
        with app.app_context():
            deposits = db.session.execute(sa.select(sa.func.count(Deposit.id), sa.func.sum(Deposit.amount_usd))).one()
            by_kind = sa.select(LedgerEntry.kind, sa.func.sum(LedgerEntry.amount_usd)).group_by(LedgerEntry.kind)
            totals[size] = deposits, db.session.execute(by_kind).all()
            if size == FACTOR:
                assert verify().ok
            db.session.remove()
    (count1, sum1), kinds1 = totals[1]
    (count10, sum10), kinds10 = totals[FACTOR]
    assert count10 == FACTOR * count1
    assert sum10 == FACTOR * sum1
    assert dict(kinds10) == {kind: FACTOR * amount for kind, amount in kinds1}
