"""Demo joint programmes: the 12 funded programmes' budgets by UN category, tranches and expenditure, and the
full programme documents (budget by category, results framework) of the 10 ready-for-implementation items.

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

from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.committee.models import JointProgrammeDocument
from fundapp.committee.workflow import FUNDED
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.extensions import db
from fundapp.core.permissions import Role
from fundapp.demo import DEMO_PASSWORD
from fundapp.programmes import reporting, services
from fundapp.programmes.models import (
    APPROVAL_OCCASION,
    AlignmentAssessment,
    BudgetCategory,
    JointProgramme,
    ProgrammeOutcome,
)
from fundapp.programmes.workflow import PIPELINE
from fundapp.results import services as fund_results
from fundapp.results.alignment import MeasureKind
from fundapp.results.models import FundIndicator
from fundapp.results.rollup import DISAGGREGATIONS, IndicatorUnit, period_key

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
    # The ready-for-implementation items: their full programme documents (budget by category; frameworks below).
    for programme in db.session.scalars(
        sa.select(JointProgramme).where(JointProgramme.status == PIPELINE).order_by(JointProgramme.id)
    ):
        if not programme.budget_items:
            _budget_by_category(rng, programme, secretariat)
    return seeded + seed_results_frameworks() + seed_alignment()


def _budget_by_category(rng: random.Random, programme: JointProgramme, secretariat) -> None:
    note = programme.document.concept_note
    direct = {p.organisation_id: p.direct_costs for p in note.participants}
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


def _seed_one(rng: random.Random, programme: JointProgramme, secretariat) -> None:
    _budget_by_category(rng, programme, secretariat)
    first_on = max(programme.approved_on, programme.document.starts_on) + timedelta(days=14)
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


# Results frameworks and progress reports ------------------------------------------------------------

OWN_INDICATORS = [
    ("Number of officials trained on migrant-sensitive service delivery", IndicatorUnit.count, ("sex",)),
    ("Number of migrants receiving direct assistance", IndicatorUnit.count, ("sex", "age_group", "migratory_status")),
    ("Share of participants reporting improved knowledge (%)", IndicatorUnit.percentage, ()),
    ("Standard operating procedures adopted by the government", IndicatorUnit.yes_no, ()),
    ("Number of civil society and migrant organizations engaged", IndicatorUnit.count, ()),
]
#: Share of the way from baseline to target reached by the end of each period (cumulative actuals).
REACHED = {"2020-H1": Decimal("0.10"), "2020": Decimal("0.25"), "2021-H1": Decimal("0.40"), "2021": Decimal("0.60")}
REPORTED_UNTIL = (2021, 12)


def _target(unit: IndicatorUnit, baseline: Decimal, rng: random.Random) -> Decimal:
    if unit is IndicatorUnit.yes_no:
        return Decimal(1)
    if unit is IndicatorUnit.percentage:
        return min(Decimal(100), baseline + Decimal(rng.randint(15, 40)))
    if unit is IndicatorUnit.amount_usd:
        return Decimal(rng.randint(50, 400) * 1000)
    if unit is IndicatorUnit.score:
        return baseline + Decimal(rng.randint(1, 3))
    return Decimal(rng.choice((40, 60, 120, 250, 500, 1200, 3000)))


def _share_of_fund_target(link, rng: random.Random) -> Decimal:
    """A linked programme aims at a slice of the fund's target (numbers and amounts), or at the target itself."""
    if link.unit in (IndicatorUnit.count, IndicatorUnit.amount_usd):
        gap = max(link.target_value - link.baseline_value, Decimal(1))
        return max(Decimal(1), (gap * rng.randint(5, 15) / 100).quantize(Decimal(1)))
    return link.target_value


def _actual(unit: IndicatorUnit, baseline: Decimal, target: Decimal, reached: Decimal) -> Decimal:
    if unit is IndicatorUnit.yes_no:
        return Decimal(1) if reached >= Decimal("0.5") else Decimal(0)
    value = baseline + (target - baseline) * reached
    return value.quantize(Decimal(1)) if unit is IndicatorUnit.count else value.quantize(CENTS)


def _split(total: Decimal, categories: tuple[str, ...], rng: random.Random) -> dict[str, str]:
    weights = [rng.randint(2, 6) for _ in categories]
    parts, left = {}, total
    for category, weight in zip(categories[:-1], weights[:-1], strict=False):
        part = (total * weight / sum(weights)).quantize(Decimal(1))
        parts[category] = str(part)
        left -= part
    parts[categories[-1]] = str(left)
    return parts


def _focal_point(programme: JointProgramme, users: dict[str, User]) -> User:
    """A focal point of the lead organization (only the lead submits progress reports); a demo account is created
    for a lead without one (focal.<code>@example.org, password fundapp-demo) so every programme has someone to
    report."""

    note = programme.document.concept_note
    for person in users.values():
        if person.organisation_id == note.organisation_id and person.has_any_role(Role.applicant):
            return person
    email = f"focal.{note.organisation.code.lower()}@example.org"
    person = auth_services.create_user(
        None,
        email,
        f"{note.organisation.code} focal point",
        note.organisation,
        [Role.applicant],
        DEMO_PASSWORD,
        demo=True,
    )
    users[email] = person
    return person


def seed_results_frameworks() -> int:
    """Each funded programme's framework (3–8 indicators, some linked to fund indicators) and its 2020–2021
    progress reports, approved (the latest of a few programmes awaits review). Idempotent."""

    rng = random.Random(SEED + 1)
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    secretariat = users["secretariat@example.org"]
    programmes = list(db.session.scalars(sa.select(JointProgramme).order_by(JointProgramme.id)))
    done = set(db.session.scalars(sa.select(ProgrammeOutcome.programme_id)))
    fund = list(db.session.scalars(sa.select(FundIndicator).where(FundIndicator.is_active).order_by(FundIndicator.id)))
    seeded = 0
    for index, programme in enumerate(programmes):
        if programme.id in done:
            continue
        note = programme.document.concept_note
        focal = _focal_point(programme, users)
        outcomes = [
            reporting.add_outcome(
                secretariat, programme, "1", "Governments adopt and implement rights-based migration policies."
            ),
            reporting.add_outcome(
                secretariat, programme, "2", "Migrants and communities access services and protection."
            ),
        ]
        outputs = [
            reporting.add_output(secretariat, o, f"{o.code}.1", f"Capacities strengthened for outcome {o.code}.")
            for o in outcomes
        ]
        linked = [f for f in fund if f.thematic_area_id == note.thematic_area_id]
        rng.shuffle(linked)
        specs = [
            (f.name, f.unit, tuple(d for d in ("sex", "age_group", "migratory_status") if getattr(f, f"by_{d}")), f)
            for f in linked[: rng.randint(2, 4)]
        ]
        own = OWN_INDICATORS[:]
        rng.shuffle(own)
        specs += [(name, unit, dims, None) for name, unit, dims in own[: rng.randint(1, 4)]]
        indicators = []
        for n, (name, unit, dims, link) in enumerate(specs[:8], start=1):
            outcome = outcomes[n % 2]
            baseline = Decimal(0) if unit is not IndicatorUnit.percentage else Decimal(rng.randint(10, 40))
            if link is not None and unit in (IndicatorUnit.percentage, IndicatorUnit.score):
                baseline = link.baseline_value
            indicators.append(
                reporting.add_indicator(
                    focal,
                    programme,
                    reporting.IndicatorInput(
                        outcome_id=outcome.id,
                        output_id=outputs[n % 2].id if n % 3 else None,
                        code=f"{outcome.code}.{n}",
                        name=name[:600],
                        unit=unit.value,
                        baseline_value=baseline,
                        baseline_year=programme.document.starts_on.year,
                        target_value=_share_of_fund_target(link, rng) if link else _target(unit, baseline, rng),
                        fund_indicator_id=link.id if link else None,
                        disaggregations=list(dims) if unit is not IndicatorUnit.yes_no else [],
                    ),
                )
            )
        if programme.status == PIPELINE:
            seeded += 1
            continue  # not funded: a framework, no reports yet
        periods = [p for p in reporting.calendar(programme) if period_key(p.period) <= REPORTED_UNTIL]
        for number, period in enumerate(periods):
            reached = REACHED.get(period.period, Decimal("0.5")) * Decimal(rng.randint(70, 130)) / 100
            report = reporting.start_report(focal, programme, period.period)
            values = {}
            for indicator in indicators:
                actual = _actual(indicator.unit, indicator.baseline_value, indicator.target_value, reached)
                dis = {}
                if indicator.unit is IndicatorUnit.count:
                    dis = {d: _split(actual, DISAGGREGATIONS[d], rng) for d in indicator.disaggregations}
                values[indicator.id] = (str(actual), dis)
            reporting.save_report(
                focal,
                report,
                f"In {reporting.period_label(period.period)} the programme advanced on all outcomes "
                "with its national partners.",
                rng.choice(
                    ("COVID-19 restrictions delayed field activities.", "Staff turnover in partner ministries.", "")
                ),
                values,
            )
            submitted = min(period.due_on - timedelta(days=rng.randint(2, 20)), date(2022, 1, 25))
            reporting.submit_report(focal, report, submitted)
            last = number == len(periods) - 1
            if not (last and index % 4 == 0):
                reporting.approve_report(secretariat, report, submitted + timedelta(days=rng.randint(3, 15)))
        seeded += 1
    return seeded


# Guiding-principle alignment ------------------------------------------------------------------------


def seed_alignment() -> int:
    """The secretariat's assessments of each funded programme at approval and at each approved annual report:
    marker scores near the applicant's self-assessment (a few below the fund's minimum of 2) and indicator values
    that improve over time. Idempotent: programmes already assessed are skipped."""

    rng = random.Random(SEED + 2)
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@example.org"))
    assessed = set(db.session.scalars(sa.select(AlignmentAssessment.programme_id)))
    indicators = [
        i for i in fund_results.alignment_indicators(include_retired=False) if i.kind is not MeasureKind.marker
    ]
    seeded = 0
    for programme in db.session.scalars(
        sa.select(JointProgramme).where(JointProgramme.status != PIPELINE).order_by(JointProgramme.id)
    ):
        if programme.id in assessed:
            continue
        own = reporting.self_assessment(programme.document.concept_note)
        markers = {code: max(0, min(3, score + rng.choice((-1, -1, 0, 0, 0, 1)))) for code, score in own.items()}
        for step, occasion in enumerate(reporting.alignment_occasions(programme)):
            values = {}
            for indicator in indicators:
                if rng.random() < 0.15 and step == 0:
                    continue  # not measured at approval
                t1, t2, t3 = indicator.thresholds
                level = min(3, rng.choice((0, 1, 2, 2, 3)) + step)
                values[indicator.code] = str(
                    (Decimal(0), t1, t2, t3)[level] if indicator.kind is not MeasureKind.yes_no else min(1, level)
                )
            if step:
                markers = {code: min(3, score + rng.choice((0, 0, 1))) for code, score in markers.items()}
            on = programme.approved_on if occasion == APPROVAL_OCCASION else date(int(occasion) + 1, 4, 15)
            reporting.assess_alignment(secretariat, programme, occasion, on, markers, values)
        seeded += 1
    return seeded
