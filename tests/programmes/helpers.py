"""Builders for joint programmes in tests, through the services (the committee's flow is tested elsewhere)."""

from datetime import date
from decimal import Decimal

from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.programmes import services
from tests.concept_notes.helpers import make_note, org, user
from tests.contributions import factories

SECRETARIAT = "secretariat@example.org"
CHAIR = "chair@example.org"
START, END = date(2026, 1, 1), date(2027, 12, 31)


def deposit(amount: str = "5000000.00") -> None:
    agreement = factories.agreement("PHL", currency="USD", amount="50000000.00")
    contributions.record_deposit(None, agreement, Decimal(amount), date(2025, 12, 1))


def make_programme(
    budget: dict[str, str] | None = None,
    lead: str = "UNICEF",
    email: str = "applicant2@example.org",
    starts_on: date = START,
    ends_on: date = END,
    fund: bool = True,
):
    """A submitted note led by `lead` with a document (budget per organization code) and, if fund, its allocation."""
    budget = budget or {"UNICEF": "535000.00", "ILO": "214000.00"}
    note = make_note(lead, email, submit=True, attach=True)
    note.status = "funded"
    document = JointProgrammeDocument(
        concept_note_id=note.id, summary="Summary.", starts_on=starts_on, ends_on=ends_on, approved_at=clock.now()
    )
    document.budget_lines = [
        ProgrammeBudgetLine(organisation_id=org(c).id, amount=Decimal(a)) for c, a in budget.items()
    ]
    db.session.add(document)
    db.session.flush()
    if fund:
        deposit()
        total = sum((Decimal(a) for a in budget.values()), Decimal(0))
        ledger.allocate(user(SECRETARIAT), total, note.thematic_area_id, document.id, starts_on, note.organisation_id)
    return services.start_programme(user(SECRETARIAT), document, starts_on)
