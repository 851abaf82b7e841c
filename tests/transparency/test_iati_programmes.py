"""IATI: funded joint programmes as hierarchy-2 activities, linked to the fund, totals equal to the ledger's."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind
from fundapp.reports import iati, transparency
from tests.reports.test_iati import SCHEMA_PATH, _totals
from tests.transparency.helpers import seed_with_movements


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@pytest.fixture
def doc(client, db):
    seed_with_movements()
    response = client.get("/api/v1/iati.xml")
    assert response.status_code == 200
    return etree.fromstring(response.data)


def test_export_with_programmes_validates_against_the_schema(doc, schema):
    schema.assertValid(doc)
    hierarchies = [a.get("hierarchy") for a in doc.iter("iati-activity")]
    assert hierarchies[0] == "1"
    assert hierarchies.count("2") == len(transparency.list_programmes()) > 0


def test_programme_totals_by_transaction_type_equal_the_ledger(doc):
    totals = _totals(doc)
    cat = ledger.category_totals()
    assert totals[iati.TransactionType.OUTGOING_COMMITMENT] == cat[EntryKind.allocation]
    assert totals[iati.TransactionType.DISBURSEMENT] == cat[EntryKind.transfer] - cat[EntryKind.refund]
    assert totals[iati.TransactionType.EXPENDITURE] == cat[EntryKind.expenditure] > 0
    assert totals[iati.TransactionType.INCOMING_FUNDS] == cat[EntryKind.deposit]
    assert cat[EntryKind.refund] > 0


def test_parent_and_child_links_resolve_both_ways(doc):
    activities = {a.findtext("iati-identifier"): a for a in doc.iter("iati-activity")}
    fund = doc.find("iati-activity")
    fund_id = fund.findtext("iati-identifier")
    children = {r.get("ref") for r in fund.findall("related-activity") if r.get("type") == "2"}
    programmes = {i for i, a in activities.items() if a.get("hierarchy") == "2"}
    assert children == programmes
    for identifier in programmes:
        activity = activities[identifier]
        parents = [r.get("ref") for r in activity.findall("related-activity") if r.get("type") == "1"]
        assert parents == [fund_id]
        for tr in activity.findall("transaction"):
            if tr.find("transaction-type").get("code") in ("2", "3"):
                assert tr.find("receiver-org").get("receiver-activity-id") == identifier
                assert tr.find("provider-org").get("provider-activity-id") == fund_id


def test_programme_activity_carries_implementers_countries_sector_and_gender_marker(doc):
    programmes = {p.reference: p for p in transparency.list_programmes()}
    fund_id = iati.fund_identifier()
    for activity in doc.iter("iati-activity"):
        if activity.get("hierarchy") != "2":
            continue
        programme = programmes[activity.findtext("iati-identifier").removeprefix(fund_id + "-")]
        implementing = [p.findtext("narrative") for p in activity.findall("participating-org") if p.get("role") == "4"]
        assert sorted(implementing) == sorted(name for _code, name in programme.organisations)
        countries = activity.findall("recipient-country")
        regions = activity.findall("recipient-region")
        assert len(countries) == len(programme.countries)
        shares = [Decimal(e.get("percentage")) for e in countries + regions]
        assert sum(shares) == Decimal(100)
        assert [s.get("code") for s in activity.findall("sector")] == [programme.area_code]
        markers = activity.findall("policy-marker")
        if programme.gender_marker is None:
            assert markers == []
        else:
            assert markers[0].get("significance") == iati.GENDER_SIGNIFICANCE[programme.gender_marker]


def test_programme_budgets_add_up_to_the_programme_document_in_periods_of_a_year_at_most(doc):
    programmes = {p.reference: p for p in transparency.list_programmes()}
    fund_id = iati.fund_identifier()
    for activity in doc.iter("iati-activity"):
        if activity.get("hierarchy") != "2":
            continue
        programme = programmes[activity.findtext("iati-identifier").removeprefix(fund_id + "-")]
        budgets = activity.findall("budget")
        assert sum(Decimal(b.findtext("value")) for b in budgets) == programme.budget
        starts = [date.fromisoformat(b.find("period-start").get("iso-date")) for b in budgets]
        ends = [date.fromisoformat(b.find("period-end").get("iso-date")) for b in budgets]
        assert starts[0] == programme.starts_on
        assert ends[-1] == programme.ends_on
        for start, end in zip(starts, ends, strict=True):
            assert (end - start).days < 366
        for end, next_start in zip(ends, starts[1:], strict=False):
            assert (next_start - end).days == 1


@pytest.mark.parametrize(
    ("start", "end", "total", "expected"),
    [
        (date(2024, 1, 1), date(2024, 12, 31), "100.00", ["100.00"]),
        # 365 + 365 + 183 days
        (date(2021, 1, 18), date(2023, 7, 19), "900.00", ["359.80", "359.80", "180.40"]),
        # a leap day start: the first period ends on 27 February (365 days), then 2 days
        (date(2024, 2, 29), date(2025, 3, 1), "10.00", ["9.95", "0.05"]),
    ],
)
def test_budget_periods_split_by_days_and_add_up(start, end, total, expected):
    periods = iati.budget_periods(start, end, Decimal(total))
    assert [f"{v:.2f}" for _a, _b, v in periods] == expected
    assert sum(v for _a, _b, v in periods) == Decimal(total)


def test_programme_activity_is_identified_by_its_reference_with_its_former_identifier(doc):
    """One identifier: <fund>-JP-0007, the reference every page shows; the note's (<fund>-CN-0037), under which the
    programme was published before, is kept as a previous activity identifier (B1)."""
    programmes = {p.reference: p for p in transparency.list_programmes()}
    fund_id = iati.fund_identifier()
    seen = 0
    for activity in doc.iter("iati-activity"):
        if activity.get("hierarchy") != "2":
            continue
        reference = activity.findtext("iati-identifier").removeprefix(fund_id + "-")
        assert reference.startswith("JP-")
        programme = programmes[reference]
        others = activity.findall("other-identifier")
        assert [(o.get("type"), o.get("ref")) for o in others] == [("B1", f"{fund_id}-{programme.note_reference}")]
        assert others[0].find("owner-org").get("ref") == iati.reporting_org_ref()
        seen += 1
    assert seen == len(programmes) > 0
