"""The IATI 2.03 export: schema-valid, and its transaction totals are the ledger's."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from fundapp.contributions import ledger, services
from fundapp.contributions.models import EntryKind
from fundapp.demo.contributions import seed_contributions
from fundapp.programmes import reporting
from fundapp.reports import iati
from tests.concept_notes.helpers import user
from tests.contributions import factories as cf
from tests.programmes.helpers import SECRETARIAT
from tests.programmes.results_helpers import FOCAL, with_framework

#: The official schema, shipped with its licence in fundapp/reports/data/iati-2.03.
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "fundapp/reports/data/iati-2.03/iati-activities-schema.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def _totals(doc: etree._Element) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for tr in doc.iter("transaction"):
        code = tr.find("transaction-type").get("code")
        totals[code] = totals.get(code, Decimal("0.00")) + Decimal(tr.find("value").text)
    return totals


def test_demo_fund_export_validates_against_the_iati_schema(client, schema):
    seed_contributions()
    response = client.get("/api/v1/iati.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    doc = etree.fromstring(response.data)
    schema.assertValid(doc)
    activity = doc.find("iati-activity")
    assert doc.get("version") == "2.03"
    assert activity.get("hierarchy") == "1"
    assert activity.findtext("iati-identifier") == "XM-DAC-41114-MIG00"
    assert activity.find("reporting-org").get("ref") == "XM-DAC-41114"


def test_transaction_totals_by_type_equal_the_ledger(client, db):
    seed_contributions()
    deposit = cf.deposit("DEU")  # one more, then reversed: it must leave the export and the ledger alike
    services.reverse_deposit(None, deposit, "Recorded twice", on=date(2021, 12, 1))
    doc = etree.fromstring(client.get("/api/v1/iati.xml").data)
    totals = _totals(doc)
    ledger_totals = ledger.category_totals()
    assert totals[iati.TransactionType.INCOMING_FUNDS] == ledger_totals[EntryKind.deposit]
    assert totals[iati.TransactionType.INCOMING_FUNDS] == ledger.funding_status().contributions
    assert totals[iati.TransactionType.INCOMING_COMMITMENT] == services.capitalization().commitments_usd
    assert set(totals) == {"1", "11"}  # allocations, transfers and expenditure arrive with programmes
    api = client.get("/api/v1/funding-status").json
    assert f"{totals['1']:.2f}" == api["sources"]["contributions_from_donors"]


def test_participating_organisations_have_their_roles(client):
    seed_contributions()
    activity = etree.fromstring(client.get("/api/v1/iati.xml").data).find("iati-activity")
    roles: dict[str, list[str]] = {}
    for org in activity.iter("participating-org"):
        roles.setdefault(org.get("role"), []).append(org.findtext("narrative"))
    assert len(roles["1"]) == 12  # the demo's donors, funding
    assert "Germany, Federal Foreign Office" in roles["1"]
    assert roles["2"] == roles["3"] == ["UNDP Multi-Partner Trust Fund Office"]
    funding = [o for o in activity.iter("participating-org") if o.get("role") == "1"]
    assert {o.get("type") for o in funding} == {"10"}  # governments


def test_sectors_use_the_reporting_organisation_vocabulary_beside_the_dac_and_sum_to_100(client):
    activity = etree.fromstring(client.get("/api/v1/iati.xml").data).find("iati-activity")
    own = [s for s in activity.findall("sector") if s.get("vocabulary") == "99"]
    dac = [s for s in activity.findall("sector") if s.get("vocabulary") == "1"]
    assert [s.get("code") for s in own] == ["TA1", "TA2", "TA3", "TA4", "TA5"]
    assert {s.get("vocabulary-uri") for s in own} == {"http://localhost/api/v1/summary"}
    assert [s.get("code") for s in dac] == ["15190"]  # every area's OECD DAC purpose code (reference file)
    assert len(own) + len(dac) == len(activity.findall("sector"))
    for vocabulary in (own, dac):
        assert sum(Decimal(s.get("percentage")) for s in vocabulary) == Decimal("100.00")


def test_empty_fund_still_validates(client, schema):
    schema.assertValid(etree.fromstring(client.get("/api/v1/iati.xml").data))


def test_renderer_writes_child_activities_and_links_without_queries(schema, queries):
    fund = iati.Org("Agent", iati.MULTILATERAL, "XM-DAC-41114")
    parent = iati.Activity(
        "XM-DAC-41114-MIG00",
        1,
        fund,
        "Fund",
        "The fund.",
        [(iati.Role.ACCOUNTABLE, fund, None)],
        "2",
        [("2", date(2019, 5, 1))],
        related=[("2", "XM-DAC-41114-MIG00-00001")],
    )
    child = iati.Activity(
        "XM-DAC-41114-MIG00-00001",
        2,
        fund,
        "Programme",
        "A joint programme.",
        [(iati.Role.IMPLEMENTING, iati.Org("IOM", "40"), None)],
        "2",
        [("2", date(2020, 1, 1))],
        transactions=[
            iati.Transaction(
                iati.TransactionType.DISBURSEMENT,
                date(2020, 2, 1),
                Decimal("100.00"),
                "Transfer",
                provider=fund,
                receiver=iati.Org("IOM", "40"),
                receiver_activity_id="XM-DAC-41114-MIG00-00001",
            ),
        ],
        related=[("1", "XM-DAC-41114-MIG00")],
    )
    with queries() as q:
        xml = iati.render([parent, child], generated=None)
    assert len(q) == 0
    doc = etree.fromstring(xml)
    schema.assertValid(doc)
    activities = doc.findall("iati-activity")
    assert [a.get("hierarchy") for a in activities] == ["1", "2"]
    assert activities[1].find("related-activity").get("ref") == activities[0].findtext("iati-identifier")


def test_even_split_sums_to_exactly_100():
    for n in range(1, 13):
        assert sum(iati._even_split(n)) == Decimal("100.00")


def test_export_runs_a_fixed_number_of_queries(client, queries):
    cf.deposit("DEU")
    with queries() as few:
        client.get("/api/v1/iati.xml").get_data()  # streamed: its queries run as the body is read
    for code in ("NLD", "NOR", "DNK", "BEL"):
        cf.deposit(code)
    with queries() as many:
        body = client.get("/api/v1/iati.xml").data
    assert body.count(b'<transaction-type code="1"/>') == 5
    assert len(many) == len(few)


def _programme_with_reports():
    """A funded programme with an approved 2026-H1 report and a submitted (not approved) 2026 report."""
    programme, (people, policy) = with_framework()
    approved = reporting.start_report(user(FOCAL), programme, "2026-H1")
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    reporting.save_report(user(FOCAL), approved, "Good progress.", "", values)
    reporting.submit_report(user(FOCAL), approved, date(2026, 7, 20))
    reporting.approve_report(user(SECRETARIAT), approved, date(2026, 7, 25))
    pending = reporting.start_report(user(FOCAL), programme, "2026")
    values = {people.id: ("987654", {"sex": {"female": "987000", "male": "654"}}), policy.id: ("1", {})}
    reporting.save_report(user(FOCAL), pending, "Draft.", "", values)
    reporting.submit_report(user(FOCAL), pending, date(2027, 1, 20))
    return programme


def test_programme_results_validate_with_baselines_targets_and_approved_actuals(client, db, schema):
    programme = _programme_with_reports()
    doc = etree.fromstring(client.get("/api/v1/iati.xml").data)
    schema.assertValid(doc)
    child = doc.findall("iati-activity")[1]
    results = child.findall("result")
    assert [(r.get("type"), r.find("title").findtext("narrative")[:10]) for r in results] == [
        ("2", "Outcome 1:"),
        ("1", "Output 1.1"),
    ]
    outcome_indicator = results[0].find("indicator")
    assert outcome_indicator.get("measure") == "1"
    assert outcome_indicator.find("baseline").attrib == {"year": "2025", "value": "0"}
    people = results[1].find("indicator")
    assert people.find("title").findtext("narrative") == "1.1.a Migrant workers placed through fair recruitment"
    periods = people.findall("period")
    assert len(periods) == 1
    period = periods[0]
    start = max(date(2026, 1, 1), programme.document.starts_on)
    assert period.find("period-start").get("iso-date") == start.isoformat()
    assert period.find("period-end").get("iso-date") == "2026-06-30"
    assert period.find("target").get("value") == "1000"
    assert period.find("actual").get("value") == "120"


def test_unapproved_report_actuals_never_appear_in_the_export(client, db):
    _programme_with_reports()
    body = client.get("/api/v1/iati.xml").data
    assert b"987654" not in body
    periods = etree.fromstring(body).iter("period")
    assert [p.find("period-end").get("iso-date") for p in periods] == ["2026-06-30", "2026-06-30"]


def test_period_dates_cover_halves_quarters_and_years_within_the_programme():
    start, end = date(2026, 3, 1), date(2027, 9, 30)
    assert iati.period_dates("2026-H1", start, end) == (date(2026, 3, 1), date(2026, 6, 30))
    assert iati.period_dates("2026", start, end) == (date(2026, 3, 1), date(2026, 12, 31))
    assert iati.period_dates("2027-H2", start, end) == (date(2027, 7, 1), date(2027, 9, 30))
    assert iati.period_dates("2026-Q2", start, end) == (date(2026, 4, 1), date(2026, 6, 30))
