"""Issue 7, item 8: every headline figure, computed from the ledger, is the same on every page, API and file."""

import io
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from lxml import etree
from pypdf import PdfReader

from fundapp.committee import workflow
from fundapp.concept_notes.models import ConceptNote
from fundapp.contributions import ledger, services
from fundapp.contributions.models import Donor, EntryKind, LedgerEntry
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.money import format_money, money_str
from fundapp.reports import iati
from tests.reports.test_iati import _totals
from tests.transparency.helpers import seed_with_movements


def _sum(*kinds: EntryKind) -> Decimal:
    """Straight from the ledger table: no service in between."""
    total = db.session.scalar(sa.select(sa.func.sum(LedgerEntry.amount_usd)).where(LedgerEntry.category.in_(kinds)))
    return Decimal(total or 0).quantize(Decimal("0.01"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_headline_figures_agree_everywhere(client, db, login):
    seed_with_movements()
    deposits, fees = _sum(EntryKind.deposit), _sum(EntryKind.fee)
    interest = _sum(EntryKind.interest)
    allocations, transfers = _sum(EntryKind.allocation), _sum(EntryKind.transfer)
    refunds, expenditure = _sum(EntryKind.refund), _sum(EntryKind.expenditure)
    costs = _sum(EntryKind.direct_cost), _sum(EntryKind.bank_charge)
    balance_agent = deposits + interest + refunds - fees - transfers - sum(costs)
    balance_orgs = transfers - refunds - expenditure
    funded = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(LedgerEntry.programme_id))).where(
            LedgerEntry.category == EntryKind.allocation
        )
    )
    notes_funded = db.session.scalar(sa.select(sa.func.count()).where(ConceptNote.status == workflow.FUNDED))
    identified = db.session.scalar(sa.select(sa.func.count()).where(ConceptNote.status.in_(workflow.PIPELINE_STATES)))
    assert min(deposits, fees, allocations, transfers, refunds, expenditure, balance_orgs) > 0
    assert funded == notes_funded > 0

    # The public transparency page.
    page = _text(client.get("/transparency/").get_data(as_text=True))
    for figure in (
        deposits,
        fees,
        allocations,
        transfers,
        transfers - refunds,
        refunds,
        expenditure,
        balance_agent,
        balance_orgs,
        balance_agent + balance_orgs,
    ):
        assert format_money(figure) in page, figure
    assert f"{funded} funded joint programmes" in page
    assert f"{identified} joint programmes endorsed" in page

    # The summary API.
    summary = client.get("/api/v1/summary").json
    assert summary["contributions"]["deposits_usd"] == money_str(deposits)
    assert summary["contributions"]["fees_usd"] == money_str(fees)
    assert sum(Decimal(a["allocations_usd"]) for a in summary["thematic_areas"]) == allocations
    assert summary["joint_programmes"]["funded"] == funded
    assert summary["pipeline"]["identified"] == identified
    assert summary["programme_money"] == {
        "allocated_usd": money_str(allocations),
        "transferred_usd": money_str(transfers),
        "refunded_usd": money_str(refunds),
        "expenditure_usd": money_str(expenditure),
    }
    assert summary["donors"]["count"] == db.session.scalar(sa.select(sa.func.count()).select_from(Donor))

    # The funding status API.
    status = client.get("/api/v1/funding-status").json
    assert status["sources"]["contributions_from_donors"] == money_str(deposits)
    assert status["uses"]["administrative_agent_fee"] == money_str(fees)
    assert status["uses"]["transferred_to_participating_organizations"] == money_str(transfers)
    assert status["uses"]["refunds_from_participating_organizations"] == money_str(-refunds)
    assert status["balances"]["participating_organizations_expenditure"] == money_str(expenditure)
    assert status["balances"]["balance_with_administrative_agent"] == money_str(balance_agent)
    assert status["balances"]["balance_with_participating_organizations"] == money_str(balance_orgs)

    # The public programmes API: its programmes add up to the ledger's programme money.
    listed = client.get("/api/v1/programmes?per_page=100").json
    assert listed["meta"]["total"] == funded
    assert sum(Decimal(p["allocated_usd"]) for p in listed["data"]) == allocations
    assert sum(Decimal(p["transferred_usd"]) for p in listed["data"]) == transfers
    assert sum(Decimal(p["expenditure_usd"]) for p in listed["data"]) == expenditure

    # The donors' contribution reports: each its own deposits; together, all deposits.
    today = clock.today()
    reports = [services.contribution_report(d, date(2019, 1, 1), today) for d in db.session.scalars(sa.select(Donor))]
    assert sum((r.figures.deposits_usd for r in reports), Decimal(0)) == deposits
    assert sum((r.period_fees_usd for r in reports), Decimal(0)) == fees
    germany = next(r for r in reports if r.donor.organisation.code == "DEU")
    login("donor@example.org")
    report_page = _text(client.get(f"/contributions/donors/{germany.donor.id}/report").get_data(as_text=True))
    assert format_money(germany.figures.deposits_usd) in report_page

    # The annual financial report PDF of this year: its cumulative column is the ledger's.
    login("secretariat@example.org")
    response = client.get(f"/transparency/annual-report/{today.year}.pdf")
    assert response.status_code == 200
    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    pdf = re.sub(r"\s+", " ", pdf)
    for figure in (
        deposits,
        fees,
        allocations,
        transfers,
        expenditure,
        transfers - refunds,
        balance_agent,
        balance_orgs,
    ):
        assert format_money(figure) in pdf, figure

    # The IATI export.
    totals = _totals(etree.fromstring(client.get("/api/v1/iati.xml").data))
    assert totals[iati.TransactionType.INCOMING_FUNDS] == deposits
    assert totals[iati.TransactionType.OUTGOING_COMMITMENT] == allocations
    assert totals[iati.TransactionType.DISBURSEMENT] == transfers - refunds
    assert totals[iati.TransactionType.EXPENDITURE] == expenditure
    assert ledger.funding_status().balance_with_agent == balance_agent
