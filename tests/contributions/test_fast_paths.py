"""The short ways the pages take at a hundred times the fund give what the long ones gave: a donor's totals without
every donor's, a donor's instalments without the fund's, the rankings' totals without the ledger, and the fund's
figures kept in the public cache until a change."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.contributions import services
from fundapp.contributions.models import Agreement, Donor, EntryKind
from fundapp.reports import transparency
from tests.contributions import factories as cf

D = Decimal


def _three_donors() -> tuple[int, int, int]:
    """Germany and the Netherlands deposit (in 2020 and 2021); Norway signs and pays nothing."""
    germany = cf.deposit("DEU", "400000.00")
    netherlands = cf.deposit("NLD", "250000.00")
    cf.rate("EUR", date(2021, 2, 1), "0.8")
    services.record_deposit(None, cf.agreement("NLD"), D("200000.00"), date(2021, 2, 10))
    norway = cf.agreement("NOR")
    return germany.donor_id, netherlands.donor_id, norway.donor_id


@pytest.mark.parametrize("as_of", [None, date(2020, 12, 31), date(2019, 1, 1)])
def test_a_donors_deposits_and_the_funds_are_those_of_the_per_donor_totals(db, as_of):
    germany, netherlands, norway = _three_donors()
    every = services.deposits_by_donor(as_of)
    for donor_id in (germany, netherlands, norway):
        mine = every.get(donor_id, {EntryKind.deposit: D(0), EntryKind.fee: D(0)})
        assert services.donor_and_fund_deposits(donor_id, as_of) == (
            mine[EntryKind.deposit],
            mine[EntryKind.fee],
            sum((t[EntryKind.deposit] for t in every.values()), D(0)),
        )
    if as_of is None:
        assert services.donor_and_fund_deposits(netherlands)[0] > services.donor_and_fund_deposits(germany)[0]


def test_a_donors_instalments_owed_are_the_funds_for_its_agreements(db):
    cf.rate("EUR", date(2026, 1, 1), "0.9")
    cf.rate("EUR", date(2026, 2, 1), "0.9")
    schedule = [(date(2026, 3, 31), D("400000.00")), (date(2026, 6, 30), D("600000.00"))]
    for code in ("DEU", "NLD"):
        agreement = services.create_agreement(
            None, cf.donor(code), f"SCHED-{code}", date(2026, 1, 15), D("1000000.00"), "EUR", schedule=schedule
        )
        services.record_deposit(None, agreement, D("500000.00") if code == "DEU" else D("100000.00"), date(2026, 2, 1))
    on = date(2026, 8, 15)
    every = services.instalments_owed(on, within_days=90)
    assert len(every) == 4 - 1  # Germany's first line is paid
    for code in ("DEU", "NLD"):
        donor_id = cf.donor(code).id
        mine = services.instalments_owed(on, within_days=90, donor_id=donor_id)
        assert mine
        assert [(i.payment, i.outstanding) for i in mine] == [
            (i.payment, i.outstanding) for i in every if i.agreement.donor_id == donor_id
        ]


def test_the_rankings_count_the_donors_with_an_agreement(db):
    _three_donors()
    with_agreements = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Donor.id))).join(Agreement, Agreement.donor_id == Donor.id)
    )
    page = services.capitalization_page(1, per_page=2)
    assert page.donors.total == with_agreements >= 3
    rows, pages = transparency.contributors(1, 2)
    assert pages.total == with_agreements
    assert [name for name, _committed, _deposited in rows] == [d.name for d, _c, _d in page.donors.items]
    assert rows[0][2] == page.donors.items[0][2] > 0  # the largest deposits first, with the page's own sums
    last = transparency.contributors(pages.pages, 2)[0]
    assert last[-1][2] == 0  # a donor that has not paid comes last, still counted


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    app.extensions["fundapp.public_cache"].clear()
    yield
    app.extensions["fundapp.public_cache"].clear()


def test_the_capitalization_totals_and_chart_are_kept_until_a_deposit(db, client, login, queries, cache_on):
    _three_donors()
    login("secretariat@example.org")
    with queries() as first:
        before = client.get("/contributions/capitalization").get_data(as_text=True)
    with queries() as again:
        assert client.get("/contributions/capitalization").get_data(as_text=True) == before
    assert len(again) < len(first)
    cf.deposit("NOR", "300000.00")
    after = client.get("/contributions/capitalization").get_data(as_text=True)
    assert after != before


def test_the_public_contributors_page_is_shared_by_visitors_until_a_deposit(db, client, queries, cache_on):
    _three_donors()
    first = client.get("/transparency/contributors").get_data(as_text=True)
    with queries() as q:
        assert client.get("/transparency/contributors").get_data(as_text=True) == first
    assert len(q) == 1  # the version
    cf.deposit("NOR", "300000.00")
    assert client.get("/transparency/contributors").get_data(as_text=True) != first


def test_the_contributors_api_keeps_each_page_until_a_deposit(db, client, queries, cache_on):
    _three_donors()
    first = client.get("/api/v1/contributors?per_page=2").get_json()
    with queries() as q:
        assert client.get("/api/v1/contributors?per_page=2").get_json() == first
    assert len(q) == 1  # the version
    second = client.get("/api/v1/contributors?page=2&per_page=2").get_json()
    assert second["meta"]["page"] == 2
    assert second["contributors"] != first["contributors"]
    cf.deposit("NOR", "300000.00")
    assert client.get("/api/v1/contributors?per_page=2").get_json() != first
