"""Demo joint programmes: the full programme documents (budget by UN category, results framework) of the 22
notes that go on to implementation, and the life of the 12 funded ones up to 30 November 2021.

Each step on its date in the demo's story (fundapp/demo/story.py), through the services. A funded programme:

- its document is completed while it waits for funding (budget by category, results framework);
- a week after the committee funds it, the secretariat plans each organization's tranches: 60% on the start date,
  the rest a year later on condition that 70% of what it received is spent;
- it starts on the first of a month at least two weeks after its funding, when the first tranches leave;
- each organization reports interim expenditure for every quarter that ends after the start (two weeks after
  the quarter), reaching 45–90% of its first tranche by 30 September 2021; 2020 is certified final in April 2021;
- the second tranche leaves on its date when its condition is met (otherwise it waits, shown blocked);
- a progress report for each period of its calendar that has ended (semi-annual by 31 July, annual by 31 March),
  submitted before it is due and approved a few days later; a few programmes' latest report was returned
  with comments and came back in November, awaiting review;
- the secretariat assesses its guiding-principle alignment three weeks after the funding decision, and again
  after each approved annual report.
"""

import json
import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.committee.models import JointProgrammeDocument
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.permissions import Role
from fundapp.demo import DEMO_PASSWORD
from fundapp.demo.committee_decisions import CommitteePlan, ProgrammePlan, add_months
from fundapp.demo.story import DEMO_TODAY, Process, agenda
from fundapp.programmes import reporting, services
from fundapp.programmes.models import APPROVAL_OCCASION, BudgetCategory, JointProgramme, ProgrammeIndicator
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
SECOND_AFTER_MONTHS = 12
SECOND_CONDITION = Decimal("70")
#: Expenditure is reported for each quarter that ends after the start, two weeks after the quarter.
QUARTER_ENDS = [
    date(2020, 6, 30),
    date(2020, 9, 30),
    date(2020, 12, 31),
    date(2021, 3, 31),
    date(2021, 6, 30),
    date(2021, 9, 30),
]
REPORTED_AFTER = timedelta(days=15)
#: A returned report comes back on this day (awaiting the secretariat's review on the demo's last day).
RESUBMITTED_ON = date(2021, 11, 22)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def _categories(direct: Decimal, rng: random.Random) -> dict[str, Decimal]:
    amounts = {}
    for category, share in SHARES.items():
        amounts[category.value] = _money(direct * (share + Decimal(rng.randint(-20, 20)) / 1000))
    amounts[BudgetCategory.operating.value] = direct - sum(amounts.values(), Decimal(0))
    return amounts


def _programme(plan: ProgrammePlan) -> JointProgramme:
    document_id = db.session.scalar(
        sa.select(JointProgrammeDocument.id).where(JointProgrammeDocument.concept_note_id == plan.note.note.id)
    )
    return db.session.get(JointProgramme, document_id)


def _users() -> dict[str, User]:
    return {u.email: u for u in db.session.scalars(sa.select(User))}


def programme_stories(plan: CommitteePlan) -> list[Process]:
    """Each programme's story: its full document while in the pipeline, then (funded ones) its life."""
    rng = random.Random(SEED)
    programmes = sorted(plan.programmes, key=lambda p: p.note.index)
    stories: list[Process] = []
    for number, programme in enumerate(programmes):
        stories.append(preparation_story(programme, random.Random(rng.random())))
        if programme.funded_at is not None:
            stories.append(funded_story(programme, number, random.Random(rng.random())))
    return stories


def preparation_story(plan: ProgrammePlan, rng: random.Random) -> Process:
    """A week or two after the document's approval: budget by UN category and results framework."""
    on = plan.document_on + timedelta(days=rng.randint(7, 14))
    if plan.funded_on is not None:
        on = min(on, plan.funded_on - timedelta(days=7))
    yield on
    users = _users()
    programme = _programme(plan)
    _budget_by_category(rng, programme, users["secretariat@example.org"])
    _results_framework(rng, programme, users)


def _budget_by_category(rng: random.Random, programme: JointProgramme, secretariat: User) -> None:
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


def funded_story(plan: ProgrammePlan, number: int, rng: random.Random) -> Process:
    """The programme's life from a week after its funding decision to the demo's last day."""
    funded_on, starts_on = plan.funded_on, plan.starts_on
    yield funded_on + timedelta(days=7)
    users = _users()
    secretariat = users["secretariat@example.org"]
    programme = _programme(plan)
    focal = _focal_point(programme, users)
    lines = list(programme.document.budget_lines)
    firsts, seconds = {}, {}
    for line in lines:
        first = _money(line.amount * FIRST_SHARE)
        firsts[line.organisation_id] = services.plan_tranche(
            secretariat, programme, line.organisation_id, starts_on, first
        )
        seconds[line.organisation_id] = services.plan_tranche(
            secretariat,
            programme,
            line.organisation_id,
            add_months(starts_on, SECOND_AFTER_MONTHS),
            line.amount - first,
            min_spent_percent=SECOND_CONDITION,
        )
    steps: list[tuple[date, Callable[[], object]]] = []
    for tranche in firsts.values():
        steps.append((starts_on, lambda t=tranche: services.release_tranche(secretariat, t, starts_on)))
    steps.append((funded_on + timedelta(days=21), lambda: _assess(rng, programme, APPROVAL_OCCASION, secretariat)))
    for line in lines:
        steps += _expenditure_steps(
            rng, programme, line.organisation_id, firsts[line.organisation_id].amount, secretariat
        )
    for tranche in seconds.values():
        # On its date, then after each later expenditure report, until its condition is met.
        checks = [tranche.planned_on] + [
            q + REPORTED_AFTER + timedelta(days=1) for q in QUARTER_ENDS if q + REPORTED_AFTER >= tranche.planned_on
        ]
        for day in checks:
            if day <= DEMO_TODAY:
                steps.append((day, lambda t=tranche: _release_if_met(secretariat, t)))
    steps += _report_steps(rng, programme, number, focal, secretariat)
    yield from agenda(steps)


def _release_if_met(secretariat: User, tranche) -> None:
    """The second tranche leaves once its date has come and its condition is met; until then it waits, blocked."""
    today = clock.today()
    if not tranche.is_released and not services.release_blockers(tranche, today):
        services.release_tranche(secretariat, tranche, today)


def _expenditure_steps(rng, programme: JointProgramme, org_id: int, received: Decimal, secretariat: User) -> list:
    """Interim expenditure per quarter, proportional to the time elapsed, reaching the organization's delivery
    rate by 30 September 2021; the 2020 total certified final in April 2021."""
    starts_on = programme.document.starts_on
    delivery = Decimal(rng.randint(45, 90)) / 100
    target = _money(received * delivery)
    span = Decimal((QUARTER_ENDS[-1] - starts_on).days)
    quarters = [q for q in QUARTER_ENDS if q > starts_on and q + REPORTED_AFTER <= DEMO_TODAY]
    steps, spent, by_year = [], Decimal(0), {}
    for quarter in quarters:
        reached = _money(target * Decimal((quarter - starts_on).days) / span)
        amount = reached - spent
        if amount <= 0:
            continue
        spent = reached
        by_year[quarter.year] = by_year.get(quarter.year, Decimal(0)) + amount
        steps.append(
            (
                quarter + REPORTED_AFTER,
                lambda q=quarter, a=amount: services.record_expenditure(
                    secretariat, programme, org_id, q.year, "interim", a, q
                ),
            )
        )
    if 2020 in by_year:
        certified_on = date(2021, 4, rng.randint(5, 29))
        total = by_year[2020] + _money(by_year[2020] * Decimal(rng.randint(0, 3)) / 100)
        steps.append(
            (
                certified_on,
                lambda: services.record_expenditure(secretariat, programme, org_id, 2020, "final", total, certified_on),
            )
        )
    return steps


def _assess(rng: random.Random, programme: JointProgramme, occasion: str, secretariat: User) -> None:
    """The secretariat's assessment: marker scores near the applicant's self-assessment (a few below the fund's
    minimum of 2) and indicator values that improve with each annual report."""
    indicators = [
        i for i in fund_results.alignment_indicators(include_retired=False) if i.kind is not MeasureKind.marker
    ]
    step = len(reporting.alignment_history(programme.id))
    own = reporting.self_assessment(programme.document.concept_note)
    markers = {code: max(0, min(3, score + rng.choice((-1, -1, 0, 0, 0, 1)))) for code, score in own.items()}
    if step:
        markers = {code: min(3, score + rng.choice((0, 0, 1, 1))) for code, score in markers.items()}
    values = {}
    for indicator in indicators:
        if rng.random() < 0.15 and step == 0:
            continue  # not measured at approval
        t1, t2, t3 = indicator.thresholds
        level = min(3, rng.choice((0, 1, 2, 2, 3)) + step)
        values[indicator.code] = str(
            (Decimal(0), t1, t2, t3)[level] if indicator.kind is not MeasureKind.yes_no else min(1, level)
        )
    reporting.assess_alignment(secretariat, programme, occasion, clock.today(), markers, values)


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


def _results_framework(rng: random.Random, programme: JointProgramme, users: dict[str, User]) -> None:
    """Two outcomes, an output each, and 3–8 indicators (2–4 linked to the fund's indicators of its area)."""
    secretariat = users["secretariat@example.org"]
    note = programme.document.concept_note
    focal = _focal_point(programme, users)
    fund = list(db.session.scalars(sa.select(FundIndicator).where(FundIndicator.is_active).order_by(FundIndicator.id)))
    outcomes = [
        reporting.add_outcome(
            secretariat, programme, "1", "Governments adopt and implement rights-based migration policies."
        ),
        reporting.add_outcome(secretariat, programme, "2", "Migrants and communities access services and protection."),
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
    for n, (name, unit, dims, link) in enumerate(specs[:8], start=1):
        outcome = outcomes[n % 2]
        baseline = Decimal(0) if unit is not IndicatorUnit.percentage else Decimal(rng.randint(10, 40))
        if link is not None and unit in (IndicatorUnit.percentage, IndicatorUnit.score):
            baseline = link.baseline_value
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


def _period_end(period: str) -> date:
    year, month = period_key(period)
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def _report_steps(rng, programme: JointProgramme, number: int, focal: User, secretariat: User) -> list:
    """A report for each period of the calendar that has ended, started ten days after its end, submitted
    before it is due, approved within two weeks; after an approved annual report, the secretariat's assessment.
    Every fourth programme's latest report was returned and came back on RESUBMITTED_ON."""
    periods = [p for p in reporting.calendar(programme) if _period_end(p.period) + timedelta(days=10) < DEMO_TODAY]
    steps = []
    for position, period in enumerate(periods):
        ended = _period_end(period.period)
        started = ended + timedelta(days=10)
        submitted = max(period.due_on - timedelta(days=rng.randint(2, 20)), started + timedelta(days=2))
        reviewed = submitted + timedelta(days=rng.randint(3, 15))
        returned = position == len(periods) - 1 and number % 4 == 0
        reached = REACHED.get(period.period, Decimal("0.5")) * Decimal(rng.randint(70, 130)) / 100
        report_rng = random.Random(rng.random())
        state: dict = {}

        def start(period=period, reached=reached, report_rng=report_rng, state=state) -> None:
            state["report"] = _write_report(report_rng, programme, focal, period.period, reached)

        steps.append((started, start))
        steps.append((submitted, lambda s=submitted, state=state: reporting.submit_report(focal, state["report"], s)))
        if returned:
            steps.append(
                (
                    reviewed,
                    lambda state=state: reporting.return_report(
                        secretariat,
                        state["report"],
                        "Please give the breakdown by sex for the people reached and explain the delays.",
                    ),
                )
            )
            steps.append((RESUBMITTED_ON, lambda state=state: _resubmit(focal, state["report"])))
            continue
        steps.append(
            (reviewed, lambda r=reviewed, state=state: reporting.approve_report(secretariat, state["report"], r))
        )
        if "-" not in period.period:
            assess_rng = random.Random(rng.random())
            steps.append(
                (
                    reviewed + timedelta(days=14),
                    lambda p=period.period, a=assess_rng: _assess(a, programme, p, secretariat),
                )
            )
    return steps


def _write_report(rng: random.Random, programme: JointProgramme, focal: User, period: str, reached: Decimal):
    report = reporting.start_report(focal, programme, period)
    values = {}
    indicators = db.session.scalars(
        sa.select(ProgrammeIndicator)
        .where(ProgrammeIndicator.programme_id == programme.id)
        .order_by(ProgrammeIndicator.id)
    )
    for indicator in indicators:
        actual = _actual(indicator.unit, indicator.baseline_value, indicator.target_value, reached)
        dis = {}
        if indicator.unit is IndicatorUnit.count:
            dis = {d: _split(actual, DISAGGREGATIONS[d], rng) for d in indicator.disaggregations}
        values[indicator.id] = (str(actual), dis)
    reporting.save_report(
        focal,
        report,
        f"In {reporting.period_label(period)} the programme advanced on all outcomes with its national partners.",
        rng.choice(("COVID-19 restrictions delayed field activities.", "Staff turnover in partner ministries.", "")),
        values,
    )
    return report


def _resubmit(focal: User, report) -> None:
    reporting.save_report(
        focal,
        report,
        report.narrative + " The breakdown by sex is now given for every indicator that counts people.",
        (report.challenges or "") + " Field work resumed after the delays.",
        {v.indicator_id: (str(v.actual), json.loads(v.disaggregation or "{}")) for v in report.values},
    )
    reporting.submit_report(focal, report, clock.today())
