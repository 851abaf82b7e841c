"""Demo data with money moving through programmes: transfers, expenditure, a refund and a reversal."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.extensions import db
from fundapp.demo.services import seed_demo
from fundapp.reports import transparency
from tests.concept_notes.helpers import make_note
from tests.contributions import factories as cf


def seed_with_movements() -> list[JointProgrammeDocument]:
    """seed_demo(), then on three funded programmes: half of each budget line transferred, a third of that
    spent, one refund and one reversed expenditure. Returns the documents money moved on."""
    seed_demo()
    funded = db.session.scalars(transparency.programme_query().order_by(None).order_by(JointProgrammeDocument.id)).all()
    # The demo's programmes already move money; pick three with allocated money still to transfer.
    documents = [d for d in funded if _untransferred(d.id) >= Decimal("30000.00")][:3]
    assert len(documents) == 3, "the demo funds at least three programmes with money left to transfer"
    for n, document in enumerate(documents):
        share = (_untransferred(document.id) / 2 / len(document.budget_lines)).quantize(Decimal("0.01"))
        for line in document.budget_lines:
            ledger.post_transfer(None, share, document.id, line.organisation_id, date(2022, 3, 1 + n))
            spent = (share / 3).quantize(Decimal("0.01"))
            ledger.post_expenditure(None, spent, document.id, line.organisation_id, date(2023, 6, 30))
    first = documents[0].budget_lines[0]
    ledger.post_refund(None, "12500.00", documents[0].id, first.organisation_id, date(2024, 2, 1))
    wrong = ledger.post_expenditure(
        None, "999.99", documents[1].id, documents[1].budget_lines[0].organisation_id, date(2024, 3, 1)
    )
    ledger.reverse_entry(None, wrong, "Posted to the wrong programme")
    db.session.flush()
    return documents


def _untransferred(programme_id: int) -> Decimal:
    totals = ledger.category_totals(programme_id=programme_id)
    return totals[EntryKind.allocation] - totals[EntryKind.transfer]


def ledger_total(kind: EntryKind) -> Decimal:
    return ledger.category_totals()[kind]


def entries(kind: EntryKind) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(LedgerEntry.kind == kind))


def funded_programme(org_code: str = "UNICEF", email: str = "applicant2@example.org") -> JointProgrammeDocument:
    """A submitted note with a programme document and an allocation in the ledger (the data a funding decision
    leaves), built directly: the committee's workflow is tested in tests/committee."""
    cf.deposit("DEU", amount="1000000.00")
    note = make_note(org_code, email, submit=True)
    document = JointProgrammeDocument(
        concept_note_id=note.id,
        summary="Public summary of the programme.",
        starts_on=date(2026, 9, 1),
        ends_on=date(2028, 8, 31),
    )
    document.budget_lines = [
        ProgrammeBudgetLine(organisation_id=p.organisation_id, amount=Decimal("100000.00")) for p in note.participants
    ]
    db.session.add(document)
    db.session.flush()
    ledger.allocate(
        None,
        Decimal("100000.00") * len(note.participants),
        note.thematic_area_id,
        document.id,
        date(2026, 9, 1),
        organisation_id=note.organisation_id,
    )
    db.session.flush()
    return document


def unfunded_programme() -> JointProgrammeDocument:
    """A programme document with no allocation: not public."""
    note = make_note("UNDP", "applicant@example.org", submit=True)
    document = JointProgrammeDocument(
        concept_note_id=note.id, summary="Not funded.", starts_on=date(2026, 9, 1), ends_on=date(2028, 8, 31)
    )
    db.session.add(document)
    db.session.flush()
    return document
