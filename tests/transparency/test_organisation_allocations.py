"""Allocations per participating organization (issue 11, item 5): each participating UN organization of a joint
programme is allocated its share of the approved budget, split by the largest remainder so the shares add up to
the allocation, on every channel: transparency page and CSV, annual PDF and XLSX, API, public programme page."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from fundapp.auth.models import Organisation
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.contributions import ledger, services
from fundapp.core.extensions import db
from fundapp.core.money import format_money, money_str
from fundapp.programmes import services as programme_services
from tests.concept_notes.helpers import make_note
from tests.contributions import factories as cf

CODES = ("UNICEF", "ILO", "IOM")


def _orgs() -> dict[str, Organisation]:
    return {o.code: o for o in db.session.scalars(sa.select(Organisation).where(Organisation.code.in_(CODES)))}


def _programme(lines: dict[str, str], allocated: str) -> JointProgrammeDocument:
    orgs = _orgs()
    note = make_note(
        "UNICEF",
        "applicant2@example.org",
        submit=True,
        partners=[(orgs["ILO"].id, Decimal("400000.00")), (orgs["IOM"].id, Decimal("300000.00"))],
    )
    document = JointProgrammeDocument(
        concept_note_id=note.id, summary="Joint programme.", starts_on=date(2020, 6, 1), ends_on=date(2022, 5, 31)
    )
    document.budget_lines = [
        ProgrammeBudgetLine(organisation_id=orgs[code].id, amount=Decimal(amount)) for code, amount in lines.items()
    ]
    db.session.add(document)
    db.session.flush()
    # The committee's decision names the convening organization; the ledger books the allocation against it.
    ledger.allocate(None, allocated, None, document.id, date(2020, 6, 1), organisation_id=orgs["UNICEF"].id)
    return document


def joint_programmes() -> tuple[JointProgrammeDocument, JointProgrammeDocument, dict[str, Decimal]]:
    """A programme allocated its whole budget, and one allocated a third of a cent-splitting budget."""
    agreement = cf.agreement("DEU", currency="USD", amount="5000000.00", reference="ORG-USD")
    services.record_deposit(None, agreement, Decimal("5000000.00"), date(2020, 3, 1))
    full = _programme({"UNICEF": "1000000.00", "ILO": "700000.00", "IOM": "300000.00"}, "2000000.00")
    partial = _programme({"UNICEF": "1000.00", "ILO": "1000.00", "IOM": "1000.00"}, "100.00")
    expected = {
        "UNICEF": Decimal("1000000.00") + Decimal("33.34"),
        "ILO": Decimal("700000.00") + Decimal("33.33"),
        "IOM": Decimal("300000.00") + Decimal("33.33"),
    }
    return full, partial, expected


def test_allocation_shares_are_the_budget_shares_and_add_up(db):
    full, partial, _expected = joint_programmes()
    orgs = _orgs()
    shares = programme_services.allocation_shares([full.id, partial.id])
    assert shares[full.id] == {orgs[c].id: line.amount for c, line in zip(CODES, full.budget_lines, strict=True)}
    assert shares[partial.id] == {
        orgs["UNICEF"].id: Decimal("33.34"),
        orgs["ILO"].id: Decimal("33.33"),
        orgs["IOM"].id: Decimal("33.33"),
    }
    assert sum(shares[partial.id].values()) == Decimal("100.00")
    flows = programme_services.money_flows([full.id])[full.id]
    assert {code: flows[orgs[code].id].allocated for code in CODES} == {
        "UNICEF": Decimal("1000000.00"),
        "ILO": Decimal("700000.00"),
        "IOM": Decimal("300000.00"),
    }
    # As of a date before the allocation, nobody has any.
    assert programme_services.allocation_shares([full.id], as_of=date(2020, 5, 31)) == {}


def test_a_programme_without_a_budget_keeps_the_ledger_booking(db):
    cf.deposit("DEU", amount="100000.00")
    unicef = _orgs()["UNICEF"].id
    ledger.allocate(None, "500.00", None, 999, date(2020, 6, 1), organisation_id=unicef)
    assert programme_services.allocation_shares([999]) == {999: {unicef: Decimal("500.00")}}


def test_every_channel_shows_each_organizations_share(client, db, login):
    _full, partial, expected = joint_programmes()
    orgs = _orgs()
    names = {code: orgs[code].name for code in CODES}

    # Transparency page and its CSV.
    page = client.get("/transparency/").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get("/transparency/organisations.csv").get_data(as_text=True))))
    by_name = {r["Participating organization"]: r for r in rows}
    for code in CODES:
        assert Decimal(by_name[names[code]]["Allocated (USD)"]) == expected[code]
        assert format_money(expected[code]) in page
    assert sum(Decimal(r["Allocated (USD)"]) for r in rows) == Decimal("2000100.00")

    # API: the organizations' table, and each programme's participating organizations.
    api = {o["code"]: o for o in client.get("/api/v1/organizations").json["organizations"]}
    assert {code: api[code]["allocated_usd"] for code in CODES} == {c: money_str(v) for c, v in expected.items()}
    detail = client.get(f"/api/v1/programmes/{partial.id}").json
    assert {o["code"]: o["allocated_usd"] for o in detail["participating_organizations"]} == {
        "UNICEF": "33.34",
        "ILO": "33.33",
        "IOM": "33.33",
    }

    # The public programme page.
    public = client.get(f"/transparency/programmes/{partial.id}").get_data(as_text=True)
    assert re.search(r"UNICEF\)</td><td class=\"num\">1,000.00</td><td class=\"num\">33.34</td>", public)

    # The annual report's PDF and XLSX.
    login("secretariat@example.org")
    pdf = PdfReader(io.BytesIO(client.get("/transparency/annual-report/2020.pdf").data))
    text = "".join(p.extract_text() for p in pdf.pages)
    for code in CODES:
        assert format_money(expected[code]) in text, code
    book = load_workbook(io.BytesIO(client.get("/transparency/annual-report/2020.xlsx").data))
    sheet = list(book["By organization"].iter_rows(values_only=True))
    column = sheet[0].index("Allocated cumulative")
    xlsx = {row[0]: row[column] for row in sheet[1:]}
    for code in CODES:
        assert Decimal(str(xlsx[names[code]])).quantize(Decimal("0.01")) == expected[code]
    assert Decimal(str(xlsx["Total"])).quantize(Decimal("0.01")) == Decimal("2000100.00")
    html = client.get("/transparency/annual-report?year=2020").get_data(as_text=True)
    for code in CODES:
        assert format_money(expected[code]) in html
