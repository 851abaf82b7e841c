"""Programme results and progress reporting: each programme's outcomes → outputs → indicators, its reporting
calendar, progress reports with actuals, reminders and overdue flags, the roll-up of approved results into the
fund-level framework, and the guiding-principle alignment assessments made at approval and at each approved
annual report.

Reporting calendar: a semi-annual progress update for January–June ('YYYY-H1', due 31 July) and an annual
report for each calendar year ('YYYY', due 31 March of the next year), for every year the programme runs.
Actuals are cumulative to the end of the period (as rollup.py expects). A report moves draft → submitted →
returned (with the secretariat's comments) → submitted → approved; an approved report locks its period.

Alignment: the secretariat's marker scores (next to the applicant's self-assessment in the concept note) and
alignment indicator values; scores by results/alignment.py's documented formula; flags below the fund's marker
minimums; the fund-level view weighted by programme budget per thematic area.
Flush, never commit.
"""

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import selectinload

from fundapp.auth.models import User, UserRole
from fundapp.committee.models import JointProgrammeDocument, ProgrammeBudgetLine
from fundapp.concept_notes.models import ConceptNote, Participant
from fundapp.contributions.services import ListPagination
from fundapp.core import cache
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l, language
from fundapp.core.permissions import Role
from fundapp.notifications.models import Notification
from fundapp.notifications.services import in_every_language, notify
from fundapp.programmes import permissions
from fundapp.programmes.models import (
    APPROVAL_OCCASION,
    AlignmentAssessment,
    JointProgramme,
    ProgrammeIndicator,
    ProgrammeOutcome,
    ProgrammeOutput,
    ProgressReport,
    ReportValue,
)
from fundapp.programmes.texts import short_date
from fundapp.programmes.workflow import (
    DELIVERED_REPORT_STATES,
    EDITABLE_REPORT_STATES,
    PIPELINE,
    PROGRESS_REPORT,
    REPORT_APPROVED,
    REPORT_LABELS,
    RETURNED,
    RUNNING_STATES,
    SUBMITTED,
)
from fundapp.reference import services as reference
from fundapp.reference.models import GuidingPrinciple, ThematicArea
from fundapp.results import alignment as formula
from fundapp.results import services as fund_results
from fundapp.results.alignment import MeasureKind
from fundapp.results.models import FundIndicator
from fundapp.results.rollup import (
    DISAGGREGATIONS,
    Direction,
    IndicatorUnit,
    Progress,
    ResultRow,
    RollUp,
    direction_problem,
    measure_progress,
    natural_key,
    parse_value,
    period_key,
    resolve_direction,
    value_problem,
)

REMIND_DAYS = 14


# The programme's results framework ------------------------------------------------------------------


def _required(errors: dict, field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(message)
    return value


def add_outcome(actor: User, programme: JointProgramme, code: str, statement: str) -> ProgrammeOutcome:
    errors: dict[str, list[str]] = {}
    code = _required(errors, "code", code, _("A code is required, e.g. %(example)s.", example="1"))
    statement = _required(errors, "statement", statement, _("State the outcome."))
    if code and db.session.scalar(
        sa.select(ProgrammeOutcome.id).where(
            ProgrammeOutcome.programme_id == programme.id, ProgrammeOutcome.code == code
        )
    ):
        errors.setdefault("code", []).append(_("The programme already has an outcome %(code)s.", code=code))
    if errors:
        raise ValidationFailed(errors)
    outcome = ProgrammeOutcome(programme_id=programme.id, code=code, statement=statement)
    db.session.add(outcome)
    db.session.flush()
    record_change(actor, "programmes.outcome_added", "programme_outcomes", outcome.id, {"code": code})
    return outcome


def add_output(actor: User, outcome: ProgrammeOutcome, code: str, statement: str) -> ProgrammeOutput:
    errors: dict[str, list[str]] = {}
    code = _required(errors, "code", code, _("A code is required, e.g. %(example)s.", example="1.1"))
    statement = _required(errors, "statement", statement, _("State the output."))
    if code and any(o.code == code for o in outcome.outputs):
        errors.setdefault("code", []).append(
            _("Outcome %(outcome)s already has an output %(code)s.", outcome=outcome.code, code=code)
        )
    if errors:
        raise ValidationFailed(errors)
    output = ProgrammeOutput(code=code, statement=statement)
    outcome.outputs.append(output)
    db.session.flush()
    record_change(actor, "programmes.output_added", "programme_outputs", output.id, {"code": code})
    return output


@dataclass
class IndicatorInput:
    outcome_id: int | None
    code: str
    name: str
    unit: str
    baseline_value: Decimal | None
    baseline_year: int | None
    target_value: Decimal | None
    output_id: int | None = None
    fund_indicator_id: int | None = None
    disaggregations: Sequence[str] = ()
    #: The desired direction; None takes the one the baseline and target imply.
    direction: Direction | str | None = None


def _check_value(errors: dict, field: str, unit: IndicatorUnit, value: Decimal | None) -> None:
    """The same rules and messages as every indicator value (results.rollup.value_problem)."""
    if value is None:
        errors.setdefault(field, []).append(_("A value is required."))
        return
    problem = value_problem(unit, value)
    if problem:
        errors.setdefault(field, []).append(problem)


def add_indicator(actor: User, programme: JointProgramme, data: IndicatorInput) -> ProgrammeIndicator:
    """An indicator of one of the programme's outcomes (or outputs); a link to a fund indicator must match its
    thematic area and unit, and a fund indicator takes at most one indicator per programme (so results add up)."""
    errors: dict[str, list[str]] = {}
    outcome = db.session.get(ProgrammeOutcome, data.outcome_id) if data.outcome_id else None
    if outcome is None or outcome.programme_id != programme.id:
        errors.setdefault("outcome_id", []).append(_("Choose one of the programme's outcomes."))
    output = db.session.get(ProgrammeOutput, data.output_id) if data.output_id else None
    if output is not None and (outcome is None or output.outcome_id != outcome.id):
        errors.setdefault("output_id", []).append(_("The output must belong to the chosen outcome."))
    code = _required(errors, "code", data.code, _("A code is required, e.g. %(example)s.", example="1.1.a"))
    name = _required(errors, "name", data.name, _("Name the indicator."))
    try:
        unit = IndicatorUnit(data.unit)
    except ValueError:
        errors.setdefault("unit", []).append(_("Choose a unit."))
        unit = IndicatorUnit.count
    _check_value(errors, "baseline_value", unit, data.baseline_value)
    _check_value(errors, "target_value", unit, data.target_value)
    if not (errors.get("baseline_value") or errors.get("target_value")):
        problem = direction_problem(data.direction, data.baseline_value, data.target_value)
        if problem:
            errors.setdefault("direction", []).append(problem)
    if data.baseline_year is None or not (2000 <= data.baseline_year <= 2100):
        errors.setdefault("baseline_year", []).append(_("A year such as %(year)s.", year=2020))
    dims = [d for d in data.disaggregations if d in DISAGGREGATIONS]
    if dims and unit is IndicatorUnit.yes_no:
        errors.setdefault("disaggregations", []).append(_("A yes / no indicator is not disaggregated."))
    if code and db.session.scalar(
        sa.select(ProgrammeIndicator.id).where(
            ProgrammeIndicator.programme_id == programme.id, ProgrammeIndicator.code == code
        )
    ):
        errors.setdefault("code", []).append(_("The programme already has an indicator %(code)s.", code=code))
    if data.fund_indicator_id:
        fund = db.session.get(FundIndicator, data.fund_indicator_id)
        area_id = programme.document.concept_note.thematic_area_id
        if fund is None or not fund.is_active:
            errors.setdefault("fund_indicator_id", []).append(_("Choose an active fund indicator."))
        elif fund.thematic_area_id != area_id:
            errors.setdefault("fund_indicator_id", []).append(
                _("Link to an indicator of the programme's thematic area.")
            )
        elif fund.unit != unit:
            errors.setdefault("fund_indicator_id", []).append(
                _(
                    "%(code)s is measured as %(unit)s; use the same unit so results add up.",
                    code=fund.code,
                    unit=fund.unit.label.lower(),
                )
            )
        elif db.session.scalar(
            sa.select(ProgrammeIndicator.id).where(
                ProgrammeIndicator.programme_id == programme.id,
                ProgrammeIndicator.fund_indicator_id == fund.id,
            )
        ):
            errors.setdefault("fund_indicator_id", []).append(
                _("Another indicator of this programme links to %(code)s.", code=fund.code)
            )
    if errors:
        raise ValidationFailed(errors)
    indicator = ProgrammeIndicator(
        programme_id=programme.id,
        outcome_id=outcome.id,
        output_id=output.id if output else None,
        fund_indicator_id=data.fund_indicator_id or None,
        code=code,
        name=name,
        unit=unit,
        direction=resolve_direction(data.direction, data.baseline_value, data.target_value),  # type: ignore[arg-type]
        baseline_value=data.baseline_value,
        baseline_year=data.baseline_year,
        target_value=data.target_value,
        by_sex="sex" in dims,
        by_age_group="age_group" in dims,
        by_migratory_status="migratory_status" in dims,
    )
    db.session.add(indicator)
    db.session.flush()
    record_change(
        actor,
        "programmes.indicator_added",
        "programme_indicators",
        indicator.id,
        {"code": code, "fund_indicator_id": indicator.fund_indicator_id, "direction": indicator.direction.value},
    )
    return indicator


def count_links(fund_indicator_ids: Sequence[int]) -> dict[int, int]:
    """Link counter for the results package: programme indicators per fund indicator (one query)."""
    return dict(
        db.session.execute(
            sa.select(ProgrammeIndicator.fund_indicator_id, sa.func.count())
            .where(ProgrammeIndicator.fund_indicator_id.in_(list(fund_indicator_ids)))
            .group_by(ProgrammeIndicator.fund_indicator_id)
        ).all()
    )


def framework(programme_id: int) -> list[ProgrammeOutcome]:
    """The programme's outcomes with their outputs and indicators, each in natural order of their codes (1.2
    before 1.10, 1.1.a then 1.1.b): the order of every table and form of the framework."""
    outcomes = list(
        db.session.scalars(
            sa.select(ProgrammeOutcome)
            .where(ProgrammeOutcome.programme_id == programme_id)
            .options(selectinload(ProgrammeOutcome.outputs), selectinload(ProgrammeOutcome.indicators))
        )
    )
    for outcome in outcomes:
        # Sorting the loaded collections in place changes no row: they are read-only lists here.
        outcome.outputs.sort(key=lambda o: natural_key(o.code))
        outcome.indicators.sort(key=lambda i: natural_key(i.code))
    return sorted(outcomes, key=lambda o: natural_key(o.code))


def linkable_fund_indicators(programme: JointProgramme) -> list[FundIndicator]:
    """The active fund indicators of the programme's thematic area, which its indicators may contribute to."""
    area_id = programme.document.concept_note.thematic_area_id
    return list(
        db.session.scalars(
            sa.select(FundIndicator)
            .where(FundIndicator.thematic_area_id == area_id, FundIndicator.is_active)
            .order_by(FundIndicator.code)
        )
    )


# Reporting calendar ---------------------------------------------------------------------------------


@dataclass
class Period:
    period: str
    due_on: date

    @property
    def label(self) -> str:
        return period_label(self.period)


def period_label(period: str) -> str:
    """'January–June 2026 (semi-annual)' or '2026 (annual)', in the reader's language when it is shown (lazy)."""
    year, _sep, half = period.partition("-")
    if half == "H1":
        return _l("January–June %(year)s (semi-annual)", year=year)
    return _l("%(year)s (annual)", year=year)


def due_date(period: str) -> date:
    year, month = period_key(period)
    return date(year, 7, 31) if month == 6 else date(year + 1, 3, 31)


def calendar(programme: JointProgramme) -> list[Period]:
    """The periods the programme reports on, from its start to its end."""
    starts, ends = programme.document.starts_on, programme.document.ends_on
    periods = []
    for year in range(starts.year, ends.year + 1):
        # A semi-annual update when the programme runs through 30 June; an annual report every year.
        if starts <= date(year, 6, 30) < ends:
            periods.append(Period(f"{year}-H1", due_date(f"{year}-H1")))
        periods.append(Period(str(year), due_date(str(year))))
    return periods


def reports(programme_id: int) -> list[ProgressReport]:
    return list(
        db.session.scalars(
            sa.select(ProgressReport)
            .where(ProgressReport.programme_id == programme_id)
            .options(selectinload(ProgressReport.values))
            .order_by(ProgressReport.due_on)
        )
    )


def open_periods(programme: JointProgramme) -> list[Period]:
    """The calendar's periods for which no report has been started yet."""
    started = {r.period for r in reports(programme.id)}
    return [p for p in calendar(programme) if p.period not in started]


@dataclass
class CalendarRow:
    period: Period
    report: ProgressReport | None

    def overdue(self, today: date) -> bool:
        return today > self.period.due_on and (self.report is None or self.report.status not in DELIVERED_REPORT_STATES)


def reporting_status(programme: JointProgramme, today: date) -> list[CalendarRow]:
    """Each period of the calendar that has started, with its report (if any)."""
    existing = {r.period: r for r in reports(programme.id)}
    rows = []
    for period in calendar(programme):
        year, month = period_key(period.period)
        if date(year, month, 1) > today and period.period not in existing:
            continue
        rows.append(CalendarRow(period, existing.get(period.period)))
    return rows


def overdue_counts(programme_ids: Iterable[int], today: date) -> dict[int, int]:
    """programme id → number of overdue reports (two queries, whatever the number of programmes)."""
    ids = list(programme_ids)
    if not ids:
        return {}
    programmes = db.session.scalars(
        sa.select(JointProgramme).where(JointProgramme.id.in_(ids), JointProgramme.status.in_(RUNNING_STATES))
    )
    done = {
        (pid, period)
        for pid, period in db.session.execute(
            sa.select(ProgressReport.programme_id, ProgressReport.period).where(
                ProgressReport.programme_id.in_(ids), ProgressReport.status.in_(DELIVERED_REPORT_STATES)
            )
        )
    }
    counts: dict[int, int] = {}
    for programme in programmes:
        late = [p for p in calendar(programme) if p.due_on < today and (programme.id, p.period) not in done]
        if late:
            counts[programme.id] = len(late)
    return counts


# Progress reports -----------------------------------------------------------------------------------


def start_report(actor: User, programme: JointProgramme, period: str) -> ProgressReport:
    if programme.status == PIPELINE:
        raise DomainError(_("Progress is reported once the programme is funded."), field="period")
    match = next((p for p in calendar(programme) if p.period == period), None)
    if match is None:
        raise DomainError(_("Choose a period of the programme's reporting calendar."), field="period")
    if db.session.scalar(
        sa.select(ProgressReport.id).where(ProgressReport.programme_id == programme.id, ProgressReport.period == period)
    ):
        raise DomainError(_("The report for %(period)s exists already.", period=match.label), field="period")
    report = ProgressReport(programme_id=programme.id, period=period, due_on=match.due_on, created_by_id=actor.id)
    report.status = None  # type: ignore[assignment]  # the creation transition sets it
    db.session.add(report)
    PROGRESS_REPORT.fire(report, "create", actor)
    return report


#: The disaggregation dimensions as a sentence names them ("the breakdown by age group").
DIMENSION_NAMES = {"sex": _l("sex"), "age_group": _l("age group"), "migratory_status": _l("migratory status")}


def _dimension(dimension: str) -> str:
    return str(DIMENSION_NAMES.get(dimension, dimension.replace("_", " ")))


def _number(raw: Any, field: str, errors: dict, unit: IndicatorUnit = IndicatorUnit.count) -> Decimal | None:
    """A value read for an indicator of this unit (None when blank); its problem goes next to the field."""
    try:
        return parse_value(raw, unit)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def save_report(
    actor: User,
    report: ProgressReport,
    narrative: str,
    challenges: str,
    values: Mapping[int, tuple[Any, Mapping[str, Mapping[str, Any]]]],
) -> ProgressReport:
    """Narrative, challenges and per indicator (id → (actual, {dimension: {category: value}})).

    Counts and amounts: a dimension's categories, when given, add up to the actual. Only in draft or returned.
    """
    if report.status not in EDITABLE_REPORT_STATES:
        raise DomainError(_("The report is submitted or approved: it can no longer be changed."))
    indicators = {
        i.id: i
        for i in db.session.scalars(
            sa.select(ProgrammeIndicator).where(ProgrammeIndicator.programme_id == report.programme_id)
        )
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, tuple[Decimal, dict[str, dict[str, str]]]] = {}
    for indicator_id, (raw_actual, raw_dis) in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            continue
        field = f"actual-{indicator_id}"
        actual = _number(raw_actual, field, errors, indicator.unit)
        dis: dict[str, dict[str, str]] = {}
        for dimension in indicator.disaggregations:
            cats = {}
            for category in DISAGGREGATIONS[dimension]:
                raw = (raw_dis.get(dimension) or {}).get(category)
                value = _number(raw, f"{field}-{dimension}", errors, indicator.unit)
                if value is not None:
                    cats[category] = value
            if cats:
                if actual is None:
                    errors.setdefault(field, []).append(_("Give the total as well as its breakdown."))
                elif indicator.unit in (IndicatorUnit.count, IndicatorUnit.amount_usd) and sum(cats.values()) != actual:
                    added, total = sum(cats.values()), actual
                    errors.setdefault(f"{field}-{dimension}", []).append(
                        _(
                            "The breakdown by %(dimension)s adds up to %(sum)s, not the total of %(total)s.",
                            dimension=_dimension(dimension),
                            sum=format(added, "f"),
                            total=format(total, "f"),
                        )
                    )
                dis[dimension] = {k: f"{v:f}" for k, v in cats.items()}
        if actual is not None:
            cleaned[indicator_id] = (actual, dis)
    if errors:
        raise ValidationFailed(errors)
    report.narrative = (narrative or "").strip()
    report.challenges = (challenges or "").strip()
    by_indicator = {v.indicator_id: v for v in report.values}
    for indicator_id, (actual, dis) in cleaned.items():
        row = by_indicator.get(indicator_id)
        if row is None:
            report.values.append(ReportValue(indicator_id=indicator_id, actual=actual, disaggregation=json.dumps(dis)))
        else:
            row.actual, row.disaggregation = actual, json.dumps(dis)
    for indicator_id, row in by_indicator.items():
        if indicator_id not in cleaned:
            report.values.remove(row)
    db.session.flush()
    record_change(actor, "programmes.report_saved", "programme_progress_reports", report.id, {"values": len(cleaned)})
    return report


def update_report(
    actor: User,
    report: ProgressReport,
    narrative: str,
    challenges: str,
    values: Mapping[int, tuple[Any, Mapping[str, Mapping[str, Any]]]],
    submit_on: date | None = None,
) -> str | None:
    """Save the report (see save_report) and, given submit_on, submit it as of that date.

    Returns why the submission was refused, or None: what was entered is saved either way, so a focal point
    who submits too early keeps the draft.
    """
    save_report(actor, report, narrative, challenges, values)
    if submit_on is None:
        return None
    try:
        submit_report(actor, report, submit_on)
    except DomainError as exc:  # submit_report checks everything before it changes anything
        return exc.message
    return None


def focal_points(programme: JointProgramme) -> list[User]:
    org_ids = programme.participating_ids
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id.in_(org_ids), UserRole.role == Role.applicant, User.is_active)
            .order_by(User.id)
        )
    )


def _secretariat() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.secretariat, User.is_active)
        )
    )


def _link(report: ProgressReport) -> str:
    return f"/programmes/reports/{report.id}"


def submit_report(actor: User, report: ProgressReport, on: date) -> None:
    """Send a complete report to the secretariat. The focal points of every participating organization fill it
    in; only the lead organization's submit it."""
    programme = report.programme
    if not permissions.is_lead_focal_point(actor, programme):
        lead = programme.document.concept_note.organisation.code
        raise NotAllowed(_("Only the lead organization (%(lead)s) submits the programme's reports.", lead=lead))
    missing = []
    if not report.narrative:
        missing.append(_("the narrative"))
    indicators = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ProgrammeIndicator)
        .where(ProgrammeIndicator.programme_id == programme.id)
    )
    if len(report.values) < indicators:
        missing.append(_("actual values for %(count)s indicator(s)", count=indicators - len(report.values)))
    if missing:
        raise DomainError(_("Before submitting, give %(missing)s.", missing=_(" and ").join(missing)))
    PROGRESS_REPORT.fire(report, "submit", actor)
    report.submitted_on = on
    notify(
        _secretariat(),
        _l("%(reference)s: progress report %(period)s submitted", reference=programme.reference, period=report.period),
        _l(
            "%(title)s: the report for %(period)s awaits review.",
            title=programme.title,
            period=period_label(report.period),
        ),
        _link(report),
    )


def return_report(actor: User, report: ProgressReport, comment: str) -> None:
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say what must be corrected."), field="comment")
    PROGRESS_REPORT.fire(report, "return", actor, comment)
    report.review_comment = comment
    notify(
        focal_points(report.programme),
        _l(
            "%(reference)s: progress report %(period)s returned",
            reference=report.programme.reference,
            period=report.period,
        ),
        comment,
        _link(report),
    )


def approve_report(actor: User, report: ProgressReport, on: date, comment: str = "") -> None:
    PROGRESS_REPORT.fire(report, "approve", actor, (comment or "").strip() or None)
    report.approved_on = on
    report.review_comment = (comment or "").strip()
    notify(
        focal_points(report.programme),
        _l(
            "%(reference)s: progress report %(period)s approved",
            reference=report.programme.reference,
            period=report.period,
        ),
        _l("The report for %(period)s is approved; its period is locked.", period=period_label(report.period)),
        _link(report),
    )


def review_report(actor: User, report: ProgressReport, approve: bool, comment: str, on: date) -> None:
    """The secretariat's review of a submitted report: approve it (locking its period) or return it with comments."""
    if approve:
        approve_report(actor, report, on, comment)
    else:
        return_report(actor, report, comment)


@dataclass
class PreviousValue:
    """An indicator's value in the report of an earlier period, shown beside this period's input."""

    period: str
    actual: Decimal
    status: str

    @property
    def label(self) -> str:
        return period_label(self.period)


def previous_values(report: ProgressReport) -> dict[int, PreviousValue]:
    """indicator id → its value in the latest earlier period's report of the programme (one query). Actuals are
    cumulative, so the previous figure is the floor most indicators should not fall below."""
    here = period_key(report.period)
    previous: dict[int, PreviousValue] = {}
    rows = db.session.execute(
        sa.select(ReportValue.indicator_id, ProgressReport.period, ReportValue.actual, ProgressReport.status)
        .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
        .where(ProgressReport.programme_id == report.programme_id, ProgressReport.id != report.id)
    )
    for indicator_id, period, actual, status in rows:
        key = period_key(period)
        if key >= here:
            continue
        current = previous.get(indicator_id)
        if current is None or key > period_key(current.period):
            previous[indicator_id] = PreviousValue(period, actual, status)
    return previous


def report_page(report: ProgressReport) -> dict[str, Any]:
    """What a report's page and its edit form show: the framework, the saved values, the previous period's
    values, each indicator's progress and the history."""
    outcomes = framework(report.programme_id)
    values = {v.indicator_id: (v.actual, json.loads(v.disaggregation or "{}")) for v in report.values}
    return {
        "report": report,
        "programme": report.programme,
        "outcomes": outcomes,
        "values": values,
        "previous": previous_values(report),
        "progress": {
            i.id: measure_progress(i.unit, i.direction, i.baseline_value, i.target_value, values.get(i.id, (None,))[0])
            for outcome in outcomes
            for i in outcome.indicators
        },
        "disaggregations": DISAGGREGATIONS,
        "period_label": period_label(report.period),
        "timeline": PROGRESS_REPORT.timeline(report.id),
    }


def _latest_due(
    programme: JointProgramme, before: date, statuses: Mapping[str, str] | None
) -> tuple[Period | None, str | None]:
    """(the latest period whose report is due by `before`, its report's status); (None, None) when none is due."""
    due = [p for p in calendar(programme) if p.due_on <= before]
    if not due:
        return None, None
    latest = due[-1]
    if statuses is not None:
        return latest, statuses.get(latest.period)
    return latest, db.session.scalar(
        sa.select(ProgressReport.status).where(
            ProgressReport.programme_id == programme.id, ProgressReport.period == latest.period
        )
    )


def report_condition_met(programme: JointProgramme, before: date, statuses: Mapping[str, str] | None = None) -> bool:
    """report_condition() is None, without writing the reason out."""
    latest, status = _latest_due(programme, before, statuses)
    return latest is None or status == REPORT_APPROVED


def report_condition(programme: JointProgramme, before: date, statuses: Mapping[str, str] | None = None) -> str | None:
    """Tranche condition: the latest report due by `before` is approved (met when none is due yet).

    `statuses`: the programme's report status by period, when the caller loaded them for many (no query then).
    """
    latest, status = _latest_due(programme, before, statuses)
    if latest is None or status == REPORT_APPROVED:
        return None
    state = _("not started") if status is None else str(REPORT_LABELS.get(status, status)).lower()
    return _("The progress report for %(period)s is not approved (%(state)s).", period=latest.label, state=state)


# Reminders ------------------------------------------------------------------------------------------


def _already(user_ids: list[int], subject: Any) -> set[int]:
    """Who was already told: a notification with this subject in any language (each person reads their own)."""
    subjects = [s[:200] for s in in_every_language(subject)]
    return set(
        db.session.scalars(
            sa.select(Notification.user_id).where(
                Notification.user_id.in_(user_ids), Notification.subject.in_(subjects)
            )
        )
    )


def overdue_subject(programme: JointProgramme, period: Period) -> LazyString:
    """The subject of the notice of an overdue progress report, in each reader's language: the reminders here and
    `flask overdue notify` say the same, so they never repeat each other."""
    return _l(
        "%(reference)s: progress report %(period)s overdue since %(date)s",
        reference=programme.reference,
        period=period.period,
        date=LazyString(short_date, period.due_on),
    )


def remind(today: date, days: int = REMIND_DAYS) -> dict[str, int]:
    """Remind focal points of reports due within `days`; flag overdue ones to them and the secretariat.

    Idempotent: each person gets each reminder once. What a scheduler runs daily (`flask programmes remind`).
    """
    sent = {"due_soon": 0, "overdue": 0}
    programmes = list(
        db.session.scalars(
            sa.select(JointProgramme)
            .where(JointProgramme.status.in_(RUNNING_STATES))
            .options(selectinload(JointProgramme.document).selectinload(JointProgrammeDocument.budget_lines))
        )
    )
    done = {
        (pid, period)
        for pid, period in db.session.execute(
            sa.select(ProgressReport.programme_id, ProgressReport.period).where(
                ProgressReport.status.in_(DELIVERED_REPORT_STATES)
            )
        )
    }
    secretariat = _secretariat()
    for programme in programmes:
        for period in calendar(programme):
            if (programme.id, period.period) in done:
                continue
            if today <= period.due_on <= today + timedelta(days=days):
                kind, recipients = "due_soon", focal_points(programme)
                subject = _l(
                    "%(reference)s: progress report %(period)s due %(date)s",
                    reference=programme.reference,
                    period=period.period,
                    date=LazyString(short_date, period.due_on),
                )
            elif period.due_on < today:
                kind, recipients = "overdue", [*focal_points(programme), *secretariat]
                subject = overdue_subject(programme, period)
            else:
                continue
            fresh = [u for u in recipients if u.id not in _already([r.id for r in recipients], subject)]
            if fresh:
                body = _l("%(title)s: %(period)s.", title=programme.title, period=period.label)
                notify(fresh, subject, body, f"/programmes/{programme.id}#reports")
                sent[kind] += len({u.id for u in fresh})
    return sent


# Work lists: what the role inboxes and the overdue notices ask ---------------------------------------


def reports_to_review(limit: int) -> tuple[int, list[ProgressReport]]:
    """Submitted reports waiting for the secretariat's review, the longest waiting first (one query)."""
    rows = db.session.execute(
        sa.select(ProgressReport, sa.func.count().over().label("total"))
        .where(ProgressReport.status == SUBMITTED)
        .options(selectinload(ProgressReport.programme))
        .order_by(ProgressReport.submitted_on, ProgressReport.due_on, ProgressReport.id)
        .limit(limit)
    ).all()
    return (rows[0].total if rows else 0), [row[0] for row in rows]


@dataclass(frozen=True)
class ReportDue:
    """A period of a running programme's calendar whose report is not delivered (none, a draft, or returned)."""

    programme: JointProgramme
    period: Period
    report: ProgressReport | None
    overdue: bool


def participates(organisation_id: int) -> sa.ColumnElement[bool]:
    """The programme's organization list (budget lines and the note's participants) includes this one."""
    in_budget = sa.exists().where(
        ProgrammeBudgetLine.document_id == JointProgramme.id, ProgrammeBudgetLine.organisation_id == organisation_id
    )
    in_note = sa.exists().where(
        JointProgrammeDocument.id == JointProgramme.id,
        Participant.concept_note_id == JointProgrammeDocument.concept_note_id,
        Participant.organisation_id == organisation_id,
    )
    return sa.or_(in_budget, in_note)


def reports_due(
    on: date, within_days: int, organisation_id: int | None = None, overdue_only: bool = False
) -> list[ReportDue]:
    """Reports of running programmes due by `on` + `within_days` (or returned for correction) and not delivered,
    the longest overdue first (two queries: the programmes, their reports). `organisation_id`: only programmes it
    participates in; `overdue_only`: only those past due."""
    query = sa.select(JointProgramme).where(JointProgramme.status.in_(RUNNING_STATES))
    if organisation_id is not None:
        query = query.where(participates(organisation_id))
    programmes = list(db.session.scalars(query.order_by(JointProgramme.id)))
    if not programmes:
        return []
    existing = {
        (r.programme_id, r.period): r
        for r in db.session.scalars(
            sa.select(ProgressReport).where(ProgressReport.programme_id.in_([p.id for p in programmes]))
        )
    }
    horizon = on + timedelta(days=within_days)
    due = []
    for programme in programmes:
        for period in calendar(programme):
            report = existing.get((programme.id, period.period))
            if report is not None and report.status in DELIVERED_REPORT_STATES:
                continue
            overdue = period.due_on < on
            # A report returned for correction waits for its focal points whenever it falls due.
            wanted = (
                overdue if overdue_only else (period.due_on <= horizon or (report is not None and report.is_returned))
            )
            if wanted:
                due.append(ReportDue(programme, period, report, overdue))
    return sorted(due, key=lambda d: (d.period.due_on, d.programme.id))


@functools.lru_cache(maxsize=32)
def calendar_table(first_year: int, last_year: int) -> sa.CTE:
    """calendar() as rows, for every programme at once in SQL: each period of the years given, with its due date
    and the document dates that put it on a programme's calendar (starts_on <= starts_by and ends_on >=
    ends_from: a year the programme runs in; a half year it runs through 30 June). Built once per span of years
    (an immutable statement element, shared by the requests)."""
    rows = []
    for year in range(first_year, last_year + 1):
        for period, starts_by, ends_from in (
            (f"{year}-H1", date(year, 6, 30), date(year, 7, 1)),
            (str(year), date(year, 12, 31), date(year, 1, 1)),
        ):
            rows.append(
                sa.select(
                    sa.literal(period, sa.String).label("period"),
                    sa.literal(due_date(period), sa.Date).label("due_on"),
                    sa.literal(starts_by, sa.Date).label("starts_by"),
                    sa.literal(ends_from, sa.Date).label("ends_from"),
                )
            )
    return sa.union_all(*rows).cte("report_calendar")


def on_calendar(periods: sa.CTE) -> sa.ColumnElement[bool]:
    """The period is on the calendar of the programme whose document the query joins."""
    return sa.and_(
        JointProgrammeDocument.starts_on <= periods.c.starts_by, JointProgrammeDocument.ends_on >= periods.c.ends_from
    )


def calendar_years(states: Iterable[str] = RUNNING_STATES) -> tuple[int, int] | None:
    """The first and last calendar years of the programmes in these states (one query); None when there are none."""
    first, last = db.session.execute(
        sa.select(sa.func.min(JointProgrammeDocument.starts_on), sa.func.max(JointProgrammeDocument.ends_on))
        .join(JointProgramme, JointProgramme.id == JointProgrammeDocument.id)
        .where(JointProgramme.status.in_(list(states)))
    ).one()
    if first is None or last is None:
        return None
    return first.year, last.year


@dataclass(frozen=True)
class ReportsDue:
    """The first items of reports_due() with the size of the whole list and how many of it are overdue."""

    total: int
    overdue: int
    items: list[ReportDue]


def _reports_due_rows(
    on: date, within_days: int, limit: int, organisation_id: int | None, overdue_only: bool
) -> list[tuple[int, str, date, int | None, int, int]]:
    """The page of reports_due_page(): (programme id, period, due date, report id, total, late) rows."""
    years = calendar_years()
    if years is None:
        return []
    periods = calendar_table(*years)
    report = ProgressReport
    overdue = periods.c.due_on < on
    horizon = on + timedelta(days=within_days)
    wanted = overdue if overdue_only else sa.or_(periods.c.due_on <= horizon, report.status == RETURNED)
    query = (
        sa.select(
            JointProgramme.id,
            periods.c.period,
            periods.c.due_on,
            report.id.label("report_id"),
            sa.func.count().over().label("total"),
            sa.func.sum(sa.case((overdue, 1), else_=0)).over().label("late"),
        )
        .join(JointProgrammeDocument, JointProgrammeDocument.id == JointProgramme.id)
        .join(periods, on_calendar(periods))
        .outerjoin(report, sa.and_(report.programme_id == JointProgramme.id, report.period == periods.c.period))
        .where(
            JointProgramme.status.in_(RUNNING_STATES),
            sa.or_(report.id.is_(None), report.status.not_in(DELIVERED_REPORT_STATES)),
            wanted,
        )
        .order_by(periods.c.due_on, JointProgramme.id)
        .limit(limit)
    )
    if organisation_id is not None:
        query = query.where(participates(organisation_id))
    return [tuple(row) for row in db.session.execute(query)]


def reports_due_page(
    on: date, within_days: int, limit: int, organisation_id: int | None = None, overdue_only: bool = False
) -> ReportsDue:
    """reports_due() worked out in SQL: its first `limit` items, its length and how many are overdue (four queries
    whatever the number of programmes: the calendar's years, the page, its programmes, its reports). The page is
    the same for every reader of the fund (or of the organization): kept while the records have not changed
    (core.cache); the programmes and reports shown are read again."""
    key = ("reports-due", on, within_days, limit, organisation_id, overdue_only)
    rows = cache.cached(key, lambda: _reports_due_rows(on, within_days, limit, organisation_id, overdue_only))
    if not rows:
        return ReportsDue(0, 0, [])
    programmes = {
        p.id: p
        for p in db.session.scalars(sa.select(JointProgramme).where(JointProgramme.id.in_({r[0] for r in rows})))
    }
    report_ids = {r[3] for r in rows if r[3] is not None}
    found = (
        {r.id: r for r in db.session.scalars(sa.select(ProgressReport).where(ProgressReport.id.in_(report_ids)))}
        if report_ids
        else {}
    )
    items = [
        ReportDue(
            programmes[programme_id],
            Period(period, due_on),
            found.get(report_id) if report_id is not None else None,
            due_on < on,
        )
        for programme_id, period, due_on, report_id, _total, _late in rows
    ]
    _programme, _period, _due_on, _report, total, late = rows[0]
    return ReportsDue(total, int(late or 0), items)


def approved_reports_since(since: date, limit: int) -> tuple[int, list[ProgressReport]]:
    """Progress reports approved on or after `since`, the newest first (one query): what donors may read."""
    rows = db.session.execute(
        sa.select(ProgressReport, sa.func.count().over().label("total"))
        .where(ProgressReport.status == REPORT_APPROVED, ProgressReport.approved_on >= since)
        .options(selectinload(ProgressReport.programme))
        .order_by(ProgressReport.approved_on.desc(), ProgressReport.id.desc())
        .limit(limit)
    ).all()
    return (rows[0].total if rows else 0), [row[0] for row in rows]


def report_statuses(programme_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """programme id → period → report status (one query), for many tranche conditions at once."""
    ids = list(programme_ids)
    statuses: dict[int, dict[str, str]] = {pid: {} for pid in ids}
    if ids:
        for pid, period, status in db.session.execute(
            sa.select(ProgressReport.programme_id, ProgressReport.period, ProgressReport.status).where(
                ProgressReport.programme_id.in_(ids)
            )
        ):
            statuses[pid][period] = status
    return statuses


# Results: programme progress and the fund-level roll-up ---------------------------------------------


@dataclass
class IndicatorProgress:
    indicator: ProgrammeIndicator
    period: str | None
    actual: Decimal | None
    disaggregation: dict[str, dict[str, str]]

    @property
    def progress(self) -> Progress:
        i = self.indicator
        return measure_progress(i.unit, i.direction, i.baseline_value, i.target_value, self.actual)


def latest_actuals(
    programme_ids: Iterable[int], approved_only: bool = True
) -> dict[int, tuple[str, Decimal, dict[str, dict[str, str]]]]:
    """indicator id → (period, actual, disaggregation) from the latest report (approved only, by default)."""
    query = (
        sa.select(ReportValue.indicator_id, ProgressReport.period, ReportValue.actual, ReportValue.disaggregation)
        .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
        .where(ProgressReport.programme_id.in_(list(programme_ids)))
    )
    if approved_only:
        query = query.where(ProgressReport.status == REPORT_APPROVED)
    latest: dict[int, tuple[str, Decimal, dict]] = {}
    for indicator_id, period, actual, dis in db.session.execute(query):
        if indicator_id not in latest or period_key(period) > period_key(latest[indicator_id][0]):
            latest[indicator_id] = (period, actual, json.loads(dis or "{}"))
    return latest


def programme_progress(programme_id: int, outcomes: list[ProgrammeOutcome]) -> dict[int, IndicatorProgress]:
    latest = latest_actuals([programme_id])
    result = {}
    for outcome in outcomes:
        for indicator in outcome.indicators:
            period, actual, dis = latest.get(indicator.id, (None, None, {}))
            result[indicator.id] = IndicatorProgress(indicator, period, actual, dis)
    return result


@dataclass
class FundRow:
    indicator: FundIndicator
    rollup: RollUp | None

    @property
    def value(self) -> Decimal | None:
        return self.rollup.value if self.rollup else None

    @property
    def progress(self) -> Progress:
        i = self.indicator
        return measure_progress(i.unit, i.direction, i.baseline_value, i.target_value, self.value)


def fund_dashboard(year: int | None = None) -> list[tuple[ThematicArea, list[FundRow]]]:
    """Per thematic area, each active fund indicator with the roll-up of approved programme results (with a
    year, only the reports for periods ending in or before it: the results as they stood at its end).

    The roll-up reads every approved report value; it is the same for every reader, so it is kept per process
    until the records change (core.cache: one query for the version), as the public figures are.
    """
    rolled = cache.cached(("fund-rollup", year), lambda: _fund_rollup(year))
    indicators = list(
        db.session.scalars(
            sa.select(FundIndicator)
            .where(FundIndicator.is_active)
            .order_by(FundIndicator.thematic_area_id, FundIndicator.position, FundIndicator.id)
        )
    )
    by_area: dict[int, list[FundRow]] = {}
    # Natural order of the codes (1.1.a, 1.1.b, 1.2.a), not the order the indicators were entered in.
    indicators.sort(key=lambda i: (i.thematic_area_id, natural_key(i.code)))
    for indicator in indicators:
        by_area.setdefault(indicator.thematic_area_id, []).append(FundRow(indicator, rolled.get(indicator.id)))
    return [(area, by_area.get(area.id, [])) for area in reference.thematic_areas()]


def _fund_rollup(year: int | None) -> dict:
    """fund indicator id -> its RollUp (plain data) over the approved reports (up to `year` when given)."""
    rows = [
        ResultRow(
            fund_id,
            programme_id,
            period,
            actual,
            {d: {c: Decimal(v) for c, v in cats.items()} for d, cats in json.loads(dis or "{}").items()},
        )
        for fund_id, programme_id, period, actual, dis in db.session.execute(
            sa.select(
                ProgrammeIndicator.fund_indicator_id,
                ProgressReport.programme_id,
                ProgressReport.period,
                ReportValue.actual,
                ReportValue.disaggregation,
            )
            .join(ReportValue, ReportValue.indicator_id == ProgrammeIndicator.id)
            .join(ProgressReport, ProgressReport.id == ReportValue.report_id)
            .where(ProgrammeIndicator.fund_indicator_id.is_not(None), ProgressReport.status == REPORT_APPROVED)
        )
        if year is None or period_key(period)[0] <= year
    ]
    budgets = {
        pid: Decimal(total or 0)
        for pid, total in db.session.execute(
            sa.select(ProgrammeBudgetLine.document_id, sa.func.sum(ProgrammeBudgetLine.amount)).group_by(
                ProgrammeBudgetLine.document_id
            )
        )
    }
    return fund_results.roll_up_results(rows, budgets) if rows else {}


# Guiding-principle alignment ------------------------------------------------------------------------


def occasion_label(occasion: str) -> str:
    """'At approval' or 'Annual report 2026', in the reader's language when it is shown (lazy)."""
    return _l("At approval") if occasion == APPROVAL_OCCASION else _l("Annual report %(year)s", year=occasion)


def alignment_occasions(programme: JointProgramme) -> list[str]:
    """When the programme may be assessed: at approval, and for each year whose annual report is approved."""
    years = db.session.scalars(
        sa.select(ProgressReport.period)
        .where(
            ProgressReport.programme_id == programme.id,
            ProgressReport.status == REPORT_APPROVED,
            ~ProgressReport.period.contains("-"),
        )
        .order_by(ProgressReport.period)
    )
    return [APPROVAL_OCCASION, *years]


def self_assessment(note: ConceptNote) -> dict[str, int]:
    """The applicant's marker scores from the concept note (marker code → 0–3)."""
    return {m.marker.code: m.score for m in note.markers}


def assess_alignment(
    actor: User,
    programme: JointProgramme,
    occasion: str,
    on: date,
    marker_scores: Mapping[str, Any],
    values: Mapping[str, Any],
) -> AlignmentAssessment:
    """Record (or redo) the assessment for an occasion and compute its scores.

    marker_scores: marker code → 0–3 (every marker); values: alignment indicator code → measured value (blank:
    not measured, which scores 0). A marker-kind indicator takes its marker's score.
    """
    if occasion not in alignment_occasions(programme):
        raise DomainError(_("Assess at approval or at an approved annual report."), field="occasion")
    markers = {m.id: m.code for m in reference.markers()}
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for code in markers.values():
        raw = marker_scores.get(code)
        try:
            score = int(str(raw))
        except (TypeError, ValueError):
            errors.setdefault(f"marker-{code}", []).append(_("A score from 0 to 3."))
            continue
        if not 0 <= score <= formula.MAX_SCORE:
            errors.setdefault(f"marker-{code}", []).append(_("A score from 0 to 3."))
        scores[code] = score
    measured: dict[str, Decimal | None] = {}
    for indicator in fund_results.alignment_indicators(include_retired=False):
        if indicator.kind is MeasureKind.marker:
            code = markers.get(indicator.marker_id)
            measured[indicator.code] = Decimal(scores[code]) if code in scores else None
            continue
        raw = values.get(indicator.code)
        if raw in (None, ""):
            measured[indicator.code] = None
            continue
        try:
            measured[indicator.code] = Decimal(str(raw).strip())
        except InvalidOperation:
            errors.setdefault(f"value-{indicator.code}", []).append(_("Not a number."))
    if errors:
        raise ValidationFailed(errors)
    try:
        result = fund_results.assess_alignment(measured)
    except ValidationFailed as exc:
        raise ValidationFailed({f"value-{code}": messages for code, messages in exc.errors.items()}) from exc
    row = db.session.scalar(
        sa.select(AlignmentAssessment).where(
            AlignmentAssessment.programme_id == programme.id, AlignmentAssessment.occasion == occasion
        )
    )
    if row is None:
        row = AlignmentAssessment(programme_id=programme.id, occasion=occasion)
        db.session.add(row)
    row.assessed_on = on
    row.marker_scores = json.dumps(scores)
    row.values = json.dumps({k: (None if v is None else f"{v:f}") for k, v in measured.items()})
    row.principle_scores = json.dumps({k: f"{v:.2f}" for k, v in result.principle_scores.items()})
    row.overall = result.overall
    row.created_by_id = actor.id
    db.session.flush()
    record_change(
        actor,
        "programmes.alignment_assessed",
        "programme_alignment_assessments",
        row.id,
        {"programme_id": programme.id, "occasion": occasion, "markers": scores, "overall": f"{result.overall:.2f}"},
    )
    return row


@dataclass
class CurrentAlignment:
    """A programme's latest assessment, decoded."""

    assessment: AlignmentAssessment
    marker_scores: dict[str, int]
    values: dict[str, str | None]
    principle_scores: dict[str, Decimal]
    flags: list[str]

    @property
    def overall(self) -> Decimal:
        return self.assessment.overall


def latest_alignment(programme_ids: Iterable[int]) -> dict[int, CurrentAlignment]:
    """programme id → its latest assessment (the most recent annual report, else at approval), in two queries."""
    rows = db.session.scalars(
        sa.select(AlignmentAssessment).where(AlignmentAssessment.programme_id.in_(list(programme_ids)))
    )
    chosen: dict[int, AlignmentAssessment] = {}
    for row in rows:
        if row.programme_id not in chosen or row.sort_key > chosen[row.programme_id].sort_key:
            chosen[row.programme_id] = row
    minimums = fund_results.marker_minimums()
    result = {}
    for pid, row in chosen.items():
        markers = json.loads(row.marker_scores or "{}")
        result[pid] = CurrentAlignment(
            row,
            markers,
            json.loads(row.values or "{}"),
            {k: Decimal(v) for k, v in json.loads(row.principle_scores or "{}").items()},
            formula.marker_flags(markers, minimums),
        )
    return result


def alignment_history(programme_id: int) -> list[AlignmentAssessment]:
    rows = db.session.scalars(sa.select(AlignmentAssessment).where(AlignmentAssessment.programme_id == programme_id))
    return sorted(rows, key=lambda r: r.sort_key)


def alignment_chart(principle_scores: Mapping[str, Decimal], names: list[GuidingPrinciple]) -> dict[str, Any]:
    """Geometry of the per-principle bar chart (server-rendered SVG): one bar per principle on a 0–3 scale."""
    width, label_width, row = 640, 250, 26
    bars = []
    for index, principle in enumerate(names):
        score = principle_scores.get(principle.code)
        bars.append(
            {
                "y": 10 + index * row,
                "label": principle.local_name,
                "score": score,
                "width": 0 if score is None else float(score) / formula.MAX_SCORE * (width - label_width - 50),
                "weak": score is not None and score < 2,
            }
        )
    return {
        "width": width,
        "height": 30 + len(names) * row,
        "x0": label_width,
        "bars": bars,
        "ticks": [(i, label_width + i / formula.MAX_SCORE * (width - label_width - 50)) for i in range(4)],
    }


def assessed_programmes() -> list[formula.ProgrammeAlignment]:
    """Every funded programme's latest assessment, as the portfolio formula takes it (the transparency page too)."""
    return _portfolio_inputs()[0]


def _portfolio_inputs() -> tuple[list[formula.ProgrammeAlignment], list, dict[int, CurrentAlignment]]:
    rows = list(
        db.session.execute(
            sa.select(JointProgramme.id, JointProgramme.title, ThematicArea.code)
            .join(JointProgrammeDocument, JointProgrammeDocument.id == JointProgramme.id)
            .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
            .join(ThematicArea, ThematicArea.id == ConceptNote.thematic_area_id)
            .where(JointProgramme.status != PIPELINE)
            .order_by(JointProgramme.id)
        )
    )
    budgets = dict(
        db.session.execute(
            sa.select(ProgrammeBudgetLine.document_id, sa.func.sum(ProgrammeBudgetLine.amount)).group_by(
                ProgrammeBudgetLine.document_id
            )
        ).all()
    )
    current = latest_alignment([r.id for r in rows])
    items = [
        formula.ProgrammeAlignment(
            programme_id=r.id,
            thematic_area=r.code,
            budget=Decimal(budgets.get(r.id) or 0),
            principle_scores=current[r.id].principle_scores,
            overall=current[r.id].overall,
        )
        for r in rows
        if r.id in current
    ]
    return items, rows, current


def alignment_portfolio() -> tuple[dict[str, formula.PortfolioAlignment], formula.PortfolioAlignment | None, list]:
    """Budget-weighted alignment per thematic area and fund-wide, and the programmes flagged below minimums.

    It reads every programme's latest assessment and is the same for every reader (in one language), so it is
    kept per process until the records change (core.cache), as the public figures are.
    """
    return cache.cached(("alignment-portfolio", language()), _alignment_portfolio)


def _alignment_portfolio() -> tuple[dict[str, formula.PortfolioAlignment], formula.PortfolioAlignment | None, list]:
    items, rows, current = _portfolio_inputs()
    by_area, fund = formula.portfolio(items)
    flagged = [(r, current[r.id].flags) for r in rows if r.id in current and current[r.id].flags]
    unassessed = [r for r in rows if r.id not in current]
    return by_area, fund, [flagged, unassessed]


def alignment_summary() -> dict[str, Any]:
    """Alignment scores for the public summary: per area code and fund-wide (None when nothing is assessed)."""
    by_area, fund, _ = alignment_portfolio()
    return {
        "areas": {code: f"{a.overall:.2f}" for code, a in by_area.items()},
        "fund": None if fund is None else f"{fund.overall:.2f}",
    }


def alignment_form_page(programme: JointProgramme) -> dict[str, Any]:
    """What the assessment form shows: the occasions, markers and indicators, the latest assessment and the
    applicant's self-assessment next to the fund's minimums."""
    return {
        "occasions": [(o, occasion_label(o)) for o in alignment_occasions(programme)],
        "markers": reference.markers(),
        "indicators": [
            i for i in fund_results.alignment_indicators(include_retired=False) if i.kind is not MeasureKind.marker
        ],
        "current": latest_alignment([programme.id]).get(programme.id),
        "self_assessment": self_assessment(programme.document.concept_note),
        "minimums": fund_results.marker_minimums(),
    }


#: Programmes on a page of each list of the alignment dashboard (flagged, not yet assessed).
ALIGNMENT_PER_PAGE = 25


def alignment_dashboard(flagged_page: int = 1, unassessed_page: int = 1) -> dict[str, Any]:
    """The fund-level alignment page: per area and fund-wide, with a page of the flagged programmes and a page
    of those not yet assessed (`?flagged=`, `?unassessed=`)."""
    by_area, fund, (flagged, unassessed) = alignment_portfolio()
    principles = reference.guiding_principles()
    return {
        "by_area": by_area,
        "fund": fund,
        "flagged": ListPagination(page=flagged_page, per_page=ALIGNMENT_PER_PAGE, error_out=False, rows=flagged),
        "unassessed": ListPagination(
            page=unassessed_page, per_page=ALIGNMENT_PER_PAGE, error_out=False, rows=unassessed
        ),
        "principles": principles,
        "names": {p.code: p.local_name for p in principles},
        "fund_chart": alignment_chart(fund.principle_scores, principles) if fund else None,
        "minimums": fund_results.marker_minimums(),
    }
