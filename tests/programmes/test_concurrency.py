"""Programme money at once on PostgreSQL, through the pages as the secretariat would click: never an overdraw,
one transfer per tranche, whatever the concurrency."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.extensions import db as _db
from fundapp.programmes import services
from fundapp.programmes.models import Tranche
from tests.concept_notes.helpers import org, user
from tests.concurrency import all_at_once, committed, needs_postgresql, signed_in
from tests.programmes.helpers import SECRETARIAT, make_programme

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def active_programme(app):
    """A programme whose UNICEF holds US$ 447,527.50 (a released first tranche) and has a second tranche planned.

    Committed for real (concurrent sessions must see it); every row is deleted afterwards.
    """
    needs_postgresql()
    with committed(app):
        with app.app_context():
            programme = make_programme()
            unicef = org("UNICEF").id
            first = services.plan_tranche(user(SECRETARIAT), programme, unicef, date(2026, 1, 15), "447527.50")
            services.release_tranche(user(SECRETARIAT), first, date(2026, 1, 15))
            second = services.plan_tranche(user(SECRETARIAT), programme, unicef, date(2026, 6, 1), "87472.50")
            _db.session.commit()
            ids = {"programme": programme.id, "unicef": unicef, "second": second.id}
            _db.session.remove()
        yield ids


def _ledger_rows(app, programme_id: int, kind: EntryKind) -> list[Decimal]:
    with app.app_context():
        rows = _db.session.scalars(
            sa.select(LedgerEntry.amount_usd).where(LedgerEntry.programme_id == programme_id, LedgerEntry.kind == kind)
        ).all()
        _db.session.remove()
    return list(rows)


def test_four_expenditures_at_once_against_a_balance_that_allows_one(app, active_programme):
    """The issue's race: four POST /programmes/<id>/expenditure of 300,000.00 against 447,527.50."""
    url = f"/programmes/{active_programme['programme']}/expenditure"
    data = {
        "organisation": "UNICEF",
        "year": "2026",
        "kind": "interim",
        "amount": "300000.00",
        "reported_on": "2026-06-30",
    }
    clients = [signed_in(app, SECRETARIAT) for _ in range(4)]
    responses = all_at_once([lambda c=c: c.post(url, data=data) for c in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 302], statuses
    refused = [r.get_data(as_text=True) for r in responses if r.status_code == 200]
    assert all("The organization holds only US$ 147,527.50 for this programme." in body for body in refused)
    assert _ledger_rows(app, active_programme["programme"], EntryKind.expenditure) == [Decimal("300000.00")]
    with app.app_context():
        totals = ledger.category_totals(programme_id=active_programme["programme"])
        assert totals[EntryKind.transfer] - totals[EntryKind.refund] - totals[EntryKind.expenditure] >= 0
        _db.session.remove()


def test_three_releases_of_one_tranche_at_once_transfer_it_once(app, active_programme):
    url = f"/programmes/tranches/{active_programme['second']}/release"
    clients = [signed_in(app, SECRETARIAT) for _ in range(3)]
    responses = all_at_once([lambda c=c: c.post(url, data={"released_on": "2026-06-01"}) for c in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 302], statuses
    assert all(
        "The tranche has already been released." in r.get_data(as_text=True) for r in responses if r.status_code == 200
    )
    transfers = _ledger_rows(app, active_programme["programme"], EntryKind.transfer)
    assert sorted(transfers) == [Decimal("87472.50"), Decimal("447527.50")]
    with app.app_context():
        tranche = _db.session.get(Tranche, active_programme["second"])
        assert tranche.is_released
        assert _db.session.get(LedgerEntry, tranche.ledger_entry_id).amount_usd == Decimal("87472.50")
        _db.session.remove()


def test_two_refunds_at_once_cannot_return_more_than_the_balance(app, active_programme):
    url = f"/programmes/{active_programme['programme']}/refund"
    data = {"organisation": "UNICEF", "amount": "300000.00", "refunded_on": "2026-07-01"}
    clients = [signed_in(app, SECRETARIAT) for _ in range(2)]
    responses = all_at_once([lambda c=c: c.post(url, data=data) for c in clients])
    assert sorted(r.status_code for r in responses) == [200, 302]
    assert sum(_ledger_rows(app, active_programme["programme"], EntryKind.refund)) == Decimal("300000.00")
