"""The demo's contributions: 12 donors, several currencies, exactly US$30,000,000.00 deposited."""

from decimal import Decimal

import sqlalchemy as sa

from fundapp.contributions import ledger, services
from fundapp.contributions.models import Agreement, Deposit, Donor
from fundapp.demo.contributions import seed_contributions
from fundapp.demo.services import DONOR_CODES


def test_demo_deposits_total_exactly_thirty_million(db, client):
    assert seed_contributions() > 0
    status = ledger.funding_status()
    assert status.contributions == Decimal("30000000.00")
    assert status.total_sources - status.total_uses == status.balance_with_agent
    donors = db.session.scalars(sa.select(Donor)).all()
    assert sorted(d.organisation.code for d in donors) == sorted(DONOR_CODES)
    currencies = set(db.session.scalars(sa.select(Agreement.currency)))
    assert {"USD", "EUR", "GBP", "NOK", "DKK"} <= currencies
    assert db.session.scalar(sa.select(sa.func.count()).where(Agreement.thematic_area_id.is_not(None))) >= 3
    assert all(d.signed_on.year in (2019, 2020, 2021) for d in db.session.scalars(sa.select(Agreement)))
    assert all(d.deposited_on.year in (2019, 2020, 2021) for d in db.session.scalars(sa.select(Deposit)))
    cap = services.capitalization()
    assert cap.commitments_usd > cap.deposits_usd
    assert cap.target_usd == Decimal("70000000.00")
    assert cap.by_donor[0][0] == "Germany, Federal Foreign Office"  # donor@ is the largest donor
    summary = client.get("/api/v1/summary").json
    assert summary["donors"]["count"] == 12
    assert summary["contributions"]["deposits_usd"] == "30000000.00"
    assert seed_contributions() == 0  # idempotent
