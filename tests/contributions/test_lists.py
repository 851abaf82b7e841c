"""The contributions lists paginated in SQL: donors and agreements, capitalization, a donor's attribution rows,
and the API's agreements; their totals over every row, not the page."""

from datetime import date
from decimal import Decimal

import pytest

from fundapp.contributions import ledger, services
from tests.api.helpers import bearer
from tests.contributions import factories as cf

D = Decimal
GERMANY = "Germany, Federal Foreign Office"


def _three_donors() -> None:
    """Germany (the largest deposit), the Netherlands and Norway, each with one EUR agreement."""
    cf.deposit("DEU", "400000.00")
    cf.deposit("NLD", "200000.00")
    cf.agreement("NOR")


def test_donors_page_shows_one_page_of_donors_by_name_with_a_pager(client, login, monkeypatch):
    monkeypatch.setattr(services, "DONORS_PER_PAGE", 2)
    _three_donors()
    login("secretariat@example.org")
    first = client.get("/contributions/donors").get_data(as_text=True)
    assert GERMANY in first
    assert "TEST-DEU-EUR" in first
    assert "TEST-NOR-EUR" not in first
    assert 'href="/contributions/donors?page=2" rel="next"' in first
    assert "Page 1 of 2 · 3 in all" in first
    second = client.get("/contributions/donors?page=2").get_data(as_text=True)
    assert "TEST-NOR-EUR" in second
    assert "TEST-DEU-EUR" not in second
    assert 'rel="prev"' in second


def test_donors_page_out_of_range_is_empty_and_a_bad_page_is_400(client, login):
    _three_donors()
    login("secretariat@example.org")
    beyond = client.get("/contributions/donors?page=40")
    assert beyond.status_code == 200
    assert "No donor on this page." in beyond.get_data(as_text=True)
    assert client.get(f"/contributions/donors?page={10**23}").status_code == 400
    assert client.get("/contributions/donors?page=٣").status_code == 400


def test_donor_list_reads_a_fixed_number_of_statements_whatever_the_page(db, queries, monkeypatch):
    monkeypatch.setattr(services, "DONORS_PER_PAGE", 1)
    _three_donors()
    counts = []
    for page in (1, 2, 3):
        with queries() as statements:
            services.donor_list(page)
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2] <= 6


def test_capitalization_table_is_paged_by_deposits_and_its_totals_cover_every_donor(client, login, monkeypatch):
    monkeypatch.setattr(services, "CAPITALIZATION_PER_PAGE", 1)
    _three_donors()
    full = services.capitalization()
    login("secretariat@example.org")
    first = client.get("/contributions/capitalization").get_data(as_text=True)
    assert GERMANY in first  # the largest deposits first
    assert "Netherlands" not in first.split("<tbody>")[-1].split("</tbody>")[0]
    # The footer adds up every donor, not the page.
    footer = first.split("<tfoot>")[1].split("</tfoot>")[0]
    assert f"{full.commitments_usd:,.2f}" in footer
    assert f"{full.deposits_usd:,.2f}" in footer
    second = client.get("/contributions/capitalization?page=2").get_data(as_text=True)
    assert "Netherlands" in second.split("<tbody>")[-1].split("</tbody>")[0]
    assert client.get("/contributions/capitalization?page=-1").status_code == 400


def test_capitalization_page_agrees_with_capitalization_to_the_cent(db):
    _three_donors()
    cf.rate("EUR", date(2020, 4, 1), "0.85")
    cf.agreement("DEU", currency="USD", amount="333333.33", reference="TEST-DEU-USD")
    full = services.capitalization()
    page = services.capitalization_page(1, 100)
    assert page.commitments_usd == full.commitments_usd
    assert page.deposits_usd == full.deposits_usd
    assert [(d.name, c, v) for d, c, v in page.donors.items] == full.by_donor
    as_of = date(2020, 3, 31)
    assert services.commitments_usd_total(as_of) == services.capitalization(as_of).commitments_usd


def test_capitalization_chart_bands_the_donors_beyond_the_largest(db, monkeypatch):
    monkeypatch.setattr(services, "CHART_DONORS", 1)
    _three_donors()
    names = {name for _y, _m, name, _v in services.capitalization_page().monthly}
    assert names == {GERMANY, "Other donors"}


def _attribution_rows(count: int) -> None:
    """Germany and the Netherlands in the unearmarked pool, `count` programmes allocated from it."""
    for code in ("DEU", "NLD"):
        agreement = cf.agreement(code, currency="USD", amount="1000000.00", reference=f"P-{code}")
        services.record_deposit(None, agreement, D("100000.00"), date(2020, 1, 1))
    for programme in range(1, count + 1):
        ledger.allocate(None, D("1000.01"), None, programme, date(2020, 2, 1))


def test_donor_page_pages_the_attribution_rows_and_keeps_the_total(client, login, monkeypatch):
    monkeypatch.setattr(services, "ATTRIBUTION_PER_PAGE", 2)
    _attribution_rows(3)
    donor_id = cf.donor_id(None, "DEU")
    rows = services.attribution(donor_id)
    assert len(rows) == 3
    total = sum((r.attributed for r in rows), D(0))
    login("secretariat@example.org")
    first = client.get(f"/contributions/donors/{donor_id}").get_data(as_text=True)
    assert "Programme 1" in first
    assert "Programme 3" not in first
    assert "?uses=2" in first
    assert f"{total:,.2f}" in first  # the total over every row
    second = client.get(f"/contributions/donors/{donor_id}?uses=2&page=1").get_data(as_text=True)
    assert "Programme 3" in second
    assert "Programme 1<" not in second
    report = client.get(f"/contributions/donors/{donor_id}/report?uses=2").get_data(as_text=True)
    assert "Programme 3" in report
    assert client.get(f"/contributions/donors/{donor_id}?uses=x").status_code == 400


def test_one_donors_attribution_equals_its_share_of_the_split_among_every_donor(db):
    """The one-donor working (whole cents, no fractions) gives the rows of the split of every programme."""
    for code, amount in (("DEU", "1000.00"), ("NLD", "1000.00"), ("NOR", "1000.00"), ("DNK", "333.33")):
        agreement = cf.agreement(code, currency="USD", amount="10000.00", reference=f"S-{code}")
        services.record_deposit(None, agreement, D(amount), date(2020, 1, 1))
    for programme, amount in enumerate(("100.00", "0.01", "0.02", "777.77", "1.00", "2333.33"), start=1):
        ledger.allocate(None, D(amount), None, programme, date(2020, 2, 1))
    every = services.attribution_by_donor()
    for code in ("DEU", "NLD", "NOR", "DNK"):
        donor_id = cf.donor_id(None, code)
        assert services.attribution(donor_id) == every[donor_id]
        assert services.attribution(donor_id, date(2020, 1, 15)) == []


# The API's agreements, filtered and paginated in SQL -------------------------------------------------------


def test_api_agreements_are_paginated_and_filtered_by_status_in_sql(client):
    _three_donors()
    headers = bearer("secretariat@example.org")
    first = client.get("/api/v1/contributions/agreements?per_page=2", headers=headers).json
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 3, "pages": 2}
    assert [a["reference"] for a in first["data"]] == ["TEST-DEU-EUR", "TEST-NLD-EUR"]
    second = client.get("/api/v1/contributions/agreements?per_page=2&page=2", headers=headers).json
    assert [a["reference"] for a in second["data"]] == ["TEST-NOR-EUR"]
    signed = client.get("/api/v1/contributions/agreements?status=signed", headers=headers).json
    assert [a["reference"] for a in signed["data"]] == ["TEST-NOR-EUR"]
    partly = client.get("/api/v1/contributions/agreements?status=partially_paid&per_page=1&page=2", headers=headers)
    assert partly.json["meta"]["total"] == 2
    assert [a["reference"] for a in partly.json["data"]] == ["TEST-NLD-EUR"]
    beyond = client.get("/api/v1/contributions/agreements?page=9", headers=headers).json
    assert beyond["data"] == []
    assert beyond["meta"]["total"] == 3


def test_api_agreements_of_a_donor_are_its_own_only(client):
    _three_donors()
    answer = client.get("/api/v1/contributions/agreements", headers=bearer("donor@example.org")).json  # Germany
    assert [a["reference"] for a in answer["data"]] == ["TEST-DEU-EUR"]
    assert answer["meta"]["total"] == 1


@pytest.mark.parametrize("status", ["fully_paid"])
def test_api_agreements_fully_paid_status_is_derived_in_sql(client, status):
    cf.agreement("NLD", amount="200000.00")
    cf.deposit("NLD", "200000.00")
    cf.agreement("NOR")
    answer = client.get(f"/api/v1/contributions/agreements?status={status}", headers=bearer("secretariat@example.org"))
    assert [a["reference"] for a in answer.json["data"]] == ["TEST-NLD-EUR"]
