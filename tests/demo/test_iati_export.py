"""The demo fund's IATI export, read as a registry reads it: the 2.03 schema, the IATI Standard ruleset
(IATI-Rulesets' standard.json, interpreted by fundapp.reports.iati_rules) and the official codelists, all shipped
in fundapp/reports/data. Zero findings, errors and warnings alike; and the checker does find each kind of fault.
"""

import json
from copy import deepcopy
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from lxml import etree

from fundapp.auth.models import Organisation
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core import clock
from fundapp.demo.story import DEMO_TODAY
from fundapp.programmes import services as programme_services
from fundapp.programmes.models import JointProgramme
from fundapp.programmes.workflow import ACTIVE, PIPELINE
from fundapp.reports import iati, iati_rules

DATA = Path(iati_rules.__file__).parent / "data"
REFERENCE = Path(iati.__file__).parents[1] / "reference" / "data" / "migration-mptf.json"


@pytest.fixture
def export(app, db) -> bytes:
    with app.test_request_context(), clock.frozen(DEMO_TODAY):
        return iati.export()


def test_iati_demo_export_has_no_finding_under_schema_ruleset_and_codelists(export):
    findings = iati_rules.validate(export, DEMO_TODAY)
    assert findings == [], "\n".join(map(str, findings))


def test_iati_demo_export_still_passes_on_the_real_date(export):
    """No transaction, date or last-updated in the future, read later too (the rules take NOW as the day read)."""
    assert iati_rules.validate(export, date(2030, 1, 1)) == []


def test_iati_every_activity_has_a_place_and_a_dac_sector_beside_the_funds_vocabulary(export):
    doc = etree.fromstring(export)
    activities = doc.findall("iati-activity")
    assert len(activities) == 13  # the fund and its 12 funded programmes
    for activity in activities:
        places = activity.findall("recipient-country") + activity.findall("recipient-region")
        assert places, activity.findtext("iati-identifier")
        assert sum(Decimal(p.get("percentage")) for p in places) == 100
        by_vocabulary: dict[str, Decimal] = {}
        for sector in activity.findall("sector"):
            vocabulary = sector.get("vocabulary")
            by_vocabulary[vocabulary] = by_vocabulary.get(vocabulary, Decimal(0)) + Decimal(sector.get("percentage"))
            if vocabulary == "99":
                assert sector.get("vocabulary-uri", "").endswith("/api/v1/summary")
        assert by_vocabulary == {"99": 100, "1": 100}
        assert activity.findtext("iati-identifier").startswith(iati.reporting_org_ref() + "-")


def test_iati_status_and_actual_dates_follow_each_programmes_life_cycle(export, db):
    doc = etree.fromstring(export)
    fund_id = iati.fund_identifier()
    programmes = {
        p.reference: p for p in db.session.scalars(sa.select(JointProgramme).where(JointProgramme.status != PIPELINE))
    }
    for activity in doc.findall("iati-activity")[1:]:
        programme = programmes[activity.findtext("iati-identifier").removeprefix(fund_id + "-")]
        dates = {d.get("type"): date.fromisoformat(d.get("iso-date")) for d in activity.findall("activity-date")}
        first_transfer = db.session.scalar(
            sa.select(sa.func.min(LedgerEntry.entry_on)).where(
                LedgerEntry.programme_id == programme.id, LedgerEntry.category == EntryKind.transfer
            )
        )
        assert programme.status == ACTIVE
        assert activity.find("activity-status").get("code") == "2"  # implementation
        assert dates["2"] == first_transfer <= DEMO_TODAY  # actual start: the first transfer
        assert "4" not in dates  # no actual end while active
        assert dates["1"] <= dates["3"]


def test_iati_last_updated_comes_from_the_data_not_the_moment_of_export(app, db):
    with app.test_request_context(), clock.frozen(DEMO_TODAY):
        first = etree.fromstring(iati.export())
    with app.test_request_context(), clock.frozen(date(2024, 5, 1)):
        later = etree.fromstring(iati.export())
    stamps = [a.get("last-updated-datetime") for a in first.findall("iati-activity")]
    assert stamps == [a.get("last-updated-datetime") for a in later.findall("iati-activity")]
    assert all(s and s[:10] <= DEMO_TODAY.isoformat() for s in stamps)
    assert len(set(stamps)) > 1  # each activity its own latest change
    assert first.get("generated-datetime") != later.get("generated-datetime")


def test_iati_commitments_to_each_participating_organization_are_the_books_shares(export, db):
    doc = etree.fromstring(export)
    fund_id = iati.fund_identifier()
    ids = {p.reference: p.id for p in db.session.scalars(sa.select(JointProgramme))}
    shares = programme_services.allocation_shares()
    names = dict(db.session.execute(sa.select(Organisation.name, Organisation.id)).all())
    checked = 0
    for activity in doc.findall("iati-activity")[1:]:
        pid = ids[activity.findtext("iati-identifier").removeprefix(fund_id + "-")]
        committed: dict[int, Decimal] = {}
        for transaction in activity.findall("transaction"):
            if transaction.find("transaction-type").get("code") == "2":
                org = names[transaction.find("receiver-org/narrative").text]
                committed[org] = committed.get(org, Decimal(0)) + Decimal(transaction.findtext("value"))
        assert committed == {org: share for org, share in shares[pid].items() if share}
        checked += len(committed) > 1
    assert checked  # some programmes commit to several organizations


def test_iati_organisation_identifiers_come_from_the_reference_data(export, db):
    doc = etree.fromstring(export)
    refs = dict(db.session.execute(sa.select(Organisation.name, Organisation.iati_ref)).all())
    refs["UNDP Multi-Partner Trust Fund Office"] = iati.reporting_org_ref()
    tags = ("participating-org", "provider-org", "receiver-org", "reporting-org")
    elements = [e for tag in tags for e in doc.iter(tag)]
    assert elements
    for element in elements:
        assert element.get("ref") == refs[element.findtext("narrative")], element.findtext("narrative")
    unnamed = {e.findtext("narrative") for e in elements if not e.get("ref")}
    assert unnamed <= {name for name, ref in refs.items() if ref is None}


def test_iati_reference_identifiers_are_dac_channel_codes_or_registry_identifiers():
    """XM-DAC-<5 digits> is an OECD DAC channel code: each is active in the shipped CRSChannelCode codelist. Other
    identifiers start with a registration agency of the OrganisationRegistrationAgency codelist, or are one of the
    publisher identifiers the IATI Registry lists without one (the reference file says which)."""
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    channels = iati_rules.codelist("CRSChannelCode")
    agencies = iati_rules.codes("OrganisationRegistrationAgency")
    legacy = set(data["iati"]["registry_identifiers_without_agency"])
    refs = [o["iati_ref"] for o in data["un_entities"] + data["organisations"] if o.get("iati_ref")]
    assert len(refs) >= 40
    for ref in refs:
        if ref.startswith("XM-DAC-") and ref[7:].isdigit() and len(ref) == 12:
            assert ref[7:] in channels.active, ref
        elif ref not in legacy:
            assert any(ref.startswith(agency + "-") for agency in agencies), ref


def _without(doc: etree._Element, xpath: str) -> etree._Element:
    changed = deepcopy(doc)
    for node in changed.xpath(xpath):
        node.getparent().remove(node)
    return changed


def _rules(doc: etree._Element, today: date = DEMO_TODAY) -> set[str]:
    return {f.rule for f in iati_rules.validate(etree.tostring(doc), today)}


def test_iati_checker_finds_what_a_registry_would(export):
    doc = etree.fromstring(export)
    fund = "/iati-activities/iati-activity[1]"
    assert "3.7.1" in _rules(_without(doc, f"{fund}/recipient-country | {fund}/recipient-region"))
    assert "102.1.1" in _rules(_without(doc, f"{fund}/sector[@vocabulary='1']"))
    late = deepcopy(doc)
    late.find(".//transaction/transaction-date").set("iso-date", "2022-01-05")
    assert "11.2.1" in _rules(late)
    foreign = deepcopy(doc)
    foreign.find("iati-activity/iati-identifier").text = "XM-DAC-41122-MIG00"
    assert "1.1.21" in _rules(foreign)
    uneven = deepcopy(doc)
    dac = uneven.find("iati-activity/sector[@vocabulary='1']")
    extra = deepcopy(dac)
    extra.set("code", "15110")
    extra.set("percentage", "10.00")
    dac.addnext(extra)  # two DAC sectors adding up to 110
    assert "2.1.2" in _rules(uneven)
    long_budget = deepcopy(doc)
    long_budget.find(".//budget/period-end").set("iso-date", "2030-12-31")
    assert "7.5.3" in _rules(long_budget)
    coded = deepcopy(doc)
    coded.find("iati-activity/activity-status").set("code", "9")
    assert "codelist:ActivityStatus" in _rules(coded)
    other = deepcopy(doc)
    other.find("iati-activity/sector[@vocabulary='1']").set("code", "15110")  # a real code, other meaning
    assert _rules(other) == set()  # a valid code passes: the checker reads the list, not a fixed answer
    bogus = deepcopy(doc)
    bogus.find("iati-activity/sector[@vocabulary='1']").set("code", "15199")
    assert "codelist:Sector" in _rules(bogus)
    swapped = deepcopy(doc)
    swapped.find("iati-activity/title").addprevious(etree.Element("bogus"))
    assert "schema" in _rules(swapped)


def test_iati_data_ships_with_its_sources_and_licences():
    for folder in ("iati-2.03", "iati-codelists", "iati-rulesets"):
        assert (DATA / folder / "LICENSE").exists() or (DATA / folder / "README.md").exists(), folder
        assert "github.com/IATI" in (DATA / folder / "README.md").read_text(encoding="utf-8")
