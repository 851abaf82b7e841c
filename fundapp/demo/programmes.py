"""Demo joint programmes: the 12 funded programmes' budgets by UN category, tranches and expenditure.

Through the services, so every rule applies. The demo fund stands at early 2022: each participating
organization received a first tranche of 60% of its budget shortly after the funding decision, reported
interim expenditure for 2020 and 2021 (certified final for 2020 by 30 April 2021) at realistic delivery rates
(about 45–90%), and has a second tranche planned for 2022 on condition that it spent 70% of what it received:
some are released, the others shown blocked.
"""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.committee.models import JointProgrammeDocument
from fundapp.committee.workflow import FUNDED
from fundapp.concept_notes.models import ConceptNote
from fundapp.extensions import db
from fundapp.programmes import services
from fundapp.programmes.models import BudgetCategory, JointProgramme

SEED = 20220131
CENTS = Decimal("0.01")
#: Shares of direct costs per UN category (the last takes the rounding remainder).
SHARES = {
    BudgetCategory.staff: Decimal("0.32"),
    BudgetCategory.supplies: Decimal("0.06"),
    BudgetCategory.equipment: Decimal("0.04"),
    BudgetCategory.contractual: Decimal("0.22"),
    BudgetCategory.travel: Decimal("0.07"),
    BudgetCategory.transfers: Decimal("0.20"),
}
FIRST_SHARE = Decimal("0.60")
SECOND_TRANCHE_ON = date(2022, 1, 20)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def _categories(direct: Decimal, rng: random.Random) -> dict[str, Decimal]:
    amounts = {}
    for category, share in SHARES.items():
        amounts[category.value] = _money(direct * (share + Decimal(rng.randint(-20, 20)) / 1000))
    amounts[BudgetCategory.operating.value] = direct - sum(amounts.values(), Decimal(0))
    return amounts


def seed_programmes() -> int:
    """Money for every funded programme without tranches yet; returns how many programmes were seeded."""
    rng = random.Random(SEED)
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@example.org"))
    documents = list(
        db.session.scalars(
            sa.select(JointProgrammeDocument)
            .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
            .where(ConceptNote.status == FUNDED)
            .order_by(JointProgrammeDocument.id)
        )
    )
    seeded = 0
    for document in documents:
        programme = db.session.get(JointProgramme, document.id)
        if programme is None:
            funded_on = document.approved_at.date() if document.approved_at else document.starts_on
            programme = services.start_programme(secretariat, document, funded_on)
        if programme.tranches:
            continue
        _seed_one(rng, programme, secretariat)
        seeded += 1
    return seeded


def _seed_one(rng: random.Random, programme: JointProgramme, secretariat) -> None:
    note = programme.document.concept_note
    direct = {p.organisation_id: p.direct_costs for p in note.participants}
    first_on = max(programme.approved_on, programme.document.starts_on) + timedelta(days=14)
    for line in list(programme.document.budget_lines):
        if (
            line.organisation_id in direct
            and services.indirect_costs(direct[line.organisation_id], services.isc_rate())
            + direct[line.organisation_id]
            == line.amount
        ):
            services.save_budget(
                secretariat, programme, line.organisation_id, _categories(direct[line.organisation_id], rng)
            )
    for line in list(programme.document.budget_lines):
        org_id, budget = line.organisation_id, line.amount
        first = _money(budget * FIRST_SHARE)
        tranche = services.plan_tranche(secretariat, programme, org_id, first_on, first)
        services.release_tranche(secretariat, tranche, first_on)
        delivery = Decimal(rng.randint(45, 90)) / 100
        spent = _money(first * delivery)
        years = [y for y in (2020, 2021) if y >= first_on.year]
        if len(years) == 2:
            early = _money(spent * Decimal(rng.randint(25, 40)) / 100)
            services.record_expenditure(secretariat, programme, org_id, 2020, "interim", early, date(2020, 12, 31))
            services.record_expenditure(
                secretariat, programme, org_id, 2020, "final", early, date(2021, 4, rng.randint(5, 29))
            )
            services.record_expenditure(
                secretariat, programme, org_id, 2021, "interim", spent - early, date(2021, 12, 31)
            )
        else:
            services.record_expenditure(secretariat, programme, org_id, years[0], "interim", spent, date(2021, 12, 31))
        second = services.plan_tranche(
            secretariat, programme, org_id, SECOND_TRANCHE_ON, budget - first, min_spent_percent=Decimal("70")
        )
        if delivery >= Decimal("0.70"):
            services.release_tranche(secretariat, second, SECOND_TRANCHE_ON)
