"""Results business rules: the fund-level results framework and the alignment indicators. Flush, never commit.

Programme indicators (they come with joint programmes) link to fund indicators; that code registers a link
counter through the ``indicator_links`` signal so a linked fund indicator can be retired but never deleted.
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.auth.models import User
from fundapp.core import signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.reference import services as reference
from fundapp.reference.models import GuidingPrinciple, Marker, ThematicArea
from fundapp.results import alignment
from fundapp.results.alignment import IndicatorDefinition, MeasureKind
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome
from fundapp.results.rollup import (
    Direction,
    IndicatorUnit,
    ResultRow,
    RollUp,
    direction_problem,
    plain,
    resolve_direction,
    roll_up,
    value_problem,
)

#: Codes: letters, digits, dots and dashes, starting with a letter or digit ('1.1', 'TA1-O2', '1.1.a').
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
FIRST_YEAR, LAST_YEAR = 2000, 2100


class Errors:
    """Collects messages per field, then raises them together (the form shows each next to its field)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def has(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def _check_code(errors: Errors, code: str) -> None:
    if not code:
        errors.add("code", "A code is required.")
    elif len(code) > 20:
        errors.add("code", "At most 20 characters.")
    elif not CODE_PATTERN.match(code):
        errors.add("code", "Letters, digits, dots and dashes only, e.g. 1.1 or 1.1.a.")


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}


# Outcomes -----------------------------------------------------------------------------------------


def _check_outcome(area_id: int, code: str, statement: str, outcome: FundOutcome | None = None) -> None:
    errors = Errors()
    _check_code(errors, code)
    if not errors.has("code"):
        clash = db.session.scalar(
            sa.select(FundOutcome.id).where(
                FundOutcome.thematic_area_id == area_id,
                sa.func.lower(FundOutcome.code) == code.lower(),
                FundOutcome.id != (outcome.id if outcome else -1),
            )
        )
        if clash is not None:
            errors.add("code", f"The area already has an outcome {code}.")
    if not statement:
        errors.add("statement", "State the outcome.")
    elif len(statement) > 600:
        errors.add("statement", "At most 600 characters.")
    errors.raise_any()


def create_outcome(actor: User | None, area: ThematicArea, code: str, statement: str) -> FundOutcome:
    """Add an outcome to an area's framework, after the area's existing outcomes."""
    code, statement = code.strip(), statement.strip()
    _check_outcome(area.id, code, statement)
    last = db.session.scalar(
        sa.select(sa.func.max(FundOutcome.position)).where(FundOutcome.thematic_area_id == area.id)
    )
    outcome = FundOutcome(thematic_area=area, code=code, statement=statement, position=(last or 0) + 1)
    db.session.add(outcome)
    db.session.flush()
    record_change(actor, "results.outcome_created", "fund_outcomes", outcome.id, {"area": area.code, "code": code})
    return outcome


def update_outcome(actor: User | None, outcome: FundOutcome, code: str, statement: str) -> None:
    code, statement = code.strip(), statement.strip()
    _check_outcome(outcome.thematic_area_id, code, statement, outcome)
    before = {"code": outcome.code, "statement": outcome.statement}
    outcome.code, outcome.statement = code, statement
    db.session.flush()
    changes = _changes(before, {"code": code, "statement": statement})
    if changes:
        record_change(actor, "results.outcome_updated", "fund_outcomes", outcome.id, changes)


def set_outcome_active(actor: User | None, outcome: FundOutcome, active: bool) -> None:
    """Retire an outcome (and with it its active indicators), or bring it back (its indicators stay retired)."""
    if outcome.is_active == active:
        raise DomainError("The outcome is already " + ("in use." if active else "retired."))
    outcome.is_active = active
    retired = []
    if not active:
        for indicator in outcome.indicators:
            if indicator.is_active:
                indicator.is_active = False
                retired.append(indicator.code)
    db.session.flush()
    action = "results.outcome_reinstated" if active else "results.outcome_retired"
    record_change(actor, action, "fund_outcomes", outcome.id, {"code": outcome.code, "indicators_retired": retired})


def delete_outcome(actor: User | None, outcome: FundOutcome) -> None:
    """Remove an outcome entered by mistake: only while it has no indicator at all."""
    if outcome.indicators:
        raise DomainError("This outcome has indicators: delete or move them first, or retire the outcome.")
    details = {"area": outcome.thematic_area.code, "code": outcome.code, "statement": outcome.statement}
    outcome_id = outcome.id
    db.session.delete(outcome)
    db.session.flush()
    record_change(actor, "results.outcome_deleted", "fund_outcomes", outcome_id, details)


# Indicators ---------------------------------------------------------------------------------------


@dataclass
class IndicatorInput:
    """What the secretariat enters for a fund indicator (plain values: imports use the same rules)."""

    code: str
    name: str
    unit: IndicatorUnit | str
    baseline_value: Decimal | None
    baseline_year: int | None
    target_value: Decimal | None
    target_year: int | None
    means_of_verification: str = ""
    by_sex: bool = False
    by_age_group: bool = False
    by_migratory_status: bool = False
    #: The desired direction; None takes the one the baseline and target imply (imports, the demo).
    direction: Direction | str | None = None


def _check_value(errors: Errors, field: str, unit: IndicatorUnit, value: Decimal | None) -> None:
    if value is None:
        errors.add(field, "A value is required.")
        return
    problem = value_problem(unit, value)
    if problem:
        errors.add(field, problem)


def _check_year(errors: Errors, field: str, year: int | None) -> None:
    if year is None:
        errors.add(field, "A year is required.")
    elif not FIRST_YEAR <= year <= LAST_YEAR:
        errors.add(field, f"A year from {FIRST_YEAR} to {LAST_YEAR}.")


def check_indicator(data: IndicatorInput, area_id: int, indicator: FundIndicator | None = None) -> IndicatorUnit:
    """Every rule on a fund indicator, reported together with the field each belongs to."""
    errors = Errors()
    code = data.code.strip()
    _check_code(errors, code)
    if not errors.has("code"):
        clash = db.session.scalar(
            sa.select(FundIndicator.id).where(
                FundIndicator.thematic_area_id == area_id,
                sa.func.lower(FundIndicator.code) == code.lower(),
                FundIndicator.id != (indicator.id if indicator else -1),
            )
        )
        if clash is not None:
            errors.add("code", f"The area already has an indicator {code} (codes are unique per thematic area).")
    name = data.name.strip()
    if not name:
        errors.add("name", "Say what the indicator measures.")
    elif len(name) > 600:
        errors.add("name", "At most 600 characters.")
    try:
        unit = IndicatorUnit(data.unit)
    except ValueError:
        errors.add("unit", "Choose a unit.")
        errors.raise_any()
    _check_value(errors, "baseline_value", unit, data.baseline_value)
    _check_value(errors, "target_value", unit, data.target_value)
    _check_year(errors, "baseline_year", data.baseline_year)
    _check_year(errors, "target_year", data.target_year)
    if not (errors.has("baseline_year") or errors.has("target_year")):
        assert data.baseline_year is not None and data.target_year is not None  # noqa: PT018  (checked above)
        if data.target_year <= data.baseline_year:
            errors.add("target_year", f"The target year must come after the baseline year ({data.baseline_year}).")
    if not (errors.has("baseline_value") or errors.has("target_value")) and data.baseline_value == data.target_value:
        errors.add("target_value", "The target must differ from the baseline: the indicator measures a change.")
    if not (errors.has("baseline_value") or errors.has("target_value")):
        problem = direction_problem(data.direction, data.baseline_value, data.target_value)
        if problem:
            errors.add("direction", problem)
    if unit is IndicatorUnit.yes_no and (data.by_sex or data.by_age_group or data.by_migratory_status):
        errors.add("by_sex", "A yes / no indicator cannot be disaggregated.")
    if len(data.means_of_verification) > 2000:
        errors.add("means_of_verification", "At most 2,000 characters.")
    errors.raise_any()
    return unit


def _indicator_details(indicator: FundIndicator) -> dict[str, Any]:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit.value,
        "direction": indicator.direction.value,
        "baseline": [plain(indicator.baseline_value), indicator.baseline_year],
        "target": [plain(indicator.target_value), indicator.target_year],
        "means_of_verification": indicator.means_of_verification,
        "disaggregations": indicator.disaggregations,
    }


def _apply(indicator: FundIndicator, data: IndicatorInput, unit: IndicatorUnit) -> None:
    indicator.code = data.code.strip()
    indicator.name = data.name.strip()
    indicator.unit = unit
    indicator.direction = resolve_direction(data.direction, data.baseline_value, data.target_value)  # type: ignore[arg-type]
    indicator.baseline_value = data.baseline_value  # type: ignore[assignment]  (checked: not None)
    indicator.baseline_year = data.baseline_year  # type: ignore[assignment]
    indicator.target_value = data.target_value  # type: ignore[assignment]
    indicator.target_year = data.target_year  # type: ignore[assignment]
    indicator.means_of_verification = data.means_of_verification.strip()
    indicator.by_sex, indicator.by_age_group = data.by_sex, data.by_age_group
    indicator.by_migratory_status = data.by_migratory_status


def create_indicator(actor: User | None, outcome: FundOutcome, data: IndicatorInput) -> FundIndicator:
    """Add an indicator to an outcome in use, after its existing indicators."""
    if not outcome.is_active:
        raise DomainError("This outcome is retired: reinstate it before adding indicators.", field="code")
    unit = check_indicator(data, outcome.thematic_area_id)
    last = db.session.scalar(
        sa.select(sa.func.max(FundIndicator.position)).where(FundIndicator.outcome_id == outcome.id)
    )
    indicator = FundIndicator(outcome=outcome, thematic_area_id=outcome.thematic_area_id, position=(last or 0) + 1)
    _apply(indicator, data, unit)
    db.session.add(indicator)
    db.session.flush()
    record_change(actor, "results.indicator_created", "fund_indicators", indicator.id, _indicator_details(indicator))
    return indicator


def update_indicator(actor: User | None, indicator: FundIndicator, data: IndicatorInput) -> None:
    """Correct an indicator. Its unit is fixed once programme indicators link to it (their figures use it)."""
    unit = check_indicator(data, indicator.thematic_area_id, indicator)
    if unit is not indicator.unit and indicator_links([indicator.id]).get(indicator.id):
        raise DomainError("Programme indicators report against this unit: it cannot change.", field="unit")
    before = _indicator_details(indicator)
    _apply(indicator, data, unit)
    db.session.flush()
    changes = _changes(before, _indicator_details(indicator))
    if changes:
        record_change(actor, "results.indicator_updated", "fund_indicators", indicator.id, changes)


def set_indicator_active(actor: User | None, indicator: FundIndicator, active: bool) -> None:
    """Retire an indicator (programmes stop being offered it; linked figures stay) or bring it back."""
    if indicator.is_active == active:
        raise DomainError("The indicator is already " + ("in use." if active else "retired."))
    if active and not indicator.outcome.is_active:
        raise DomainError("Its outcome is retired: reinstate the outcome first.")
    indicator.is_active = active
    db.session.flush()
    action = "results.indicator_reinstated" if active else "results.indicator_retired"
    record_change(actor, action, "fund_indicators", indicator.id, {"code": indicator.code})


def indicator_links(indicator_ids: Sequence[int]) -> dict[int, int]:
    """fund indicator id → number of programme indicators linked to it (ids without links are left out).

    The programmes domain answers the indicator_links signal with its counts.
    """
    totals: dict[int, int] = {}
    for answer in signals.answers(signals.indicator_links, list(indicator_ids)):
        for indicator_id, count in answer.items():
            if count:
                totals[indicator_id] = totals.get(indicator_id, 0) + count
    return totals


def delete_indicator(actor: User | None, indicator: FundIndicator) -> None:
    """Remove an indicator entered by mistake; one that programme indicators link to can only be retired."""
    links = indicator_links([indicator.id]).get(indicator.id, 0)
    if links:
        raise DomainError(
            f"{links} programme indicator{'s' if links != 1 else ''} link to {indicator.code}: retire it instead."
        )
    details = _indicator_details(indicator)
    indicator_id = indicator.id
    db.session.delete(indicator)
    db.session.flush()
    record_change(actor, "results.indicator_deleted", "fund_indicators", indicator_id, details)


# Reading the framework ----------------------------------------------------------------------------


@dataclass
class OutcomeRows:
    """An outcome with the indicators the page shows (retired ones only when asked for)."""

    outcome: FundOutcome
    indicators: list[FundIndicator]


def framework(area_id: int, include_retired: bool = False) -> list[OutcomeRows]:
    """An area's outcomes in order with their indicators (two queries)."""
    query = (
        sa.select(FundOutcome)
        .where(FundOutcome.thematic_area_id == area_id)
        .options(selectinload(FundOutcome.indicators))
        .order_by(FundOutcome.position, FundOutcome.id)
    )
    if not include_retired:
        query = query.where(FundOutcome.is_active)
    return [
        OutcomeRows(outcome, [i for i in outcome.indicators if include_retired or i.is_active])
        for outcome in db.session.scalars(query)
    ]


def framework_page(area_code: str, include_retired: bool = False, with_links: bool = False) -> dict[str, Any] | None:
    """The framework page: the areas with their counts, the chosen area (else the first) with its outcomes and
    indicators, and, for its editors, how many programme indicators link to each (linked ones cannot be deleted).
    None when the fund has no thematic area."""
    areas = reference.thematic_areas()
    if not areas:
        return None
    area = next((a for a in areas if a.code == area_code), areas[0])
    rows = framework(area.id, include_retired=include_retired)
    return {
        "areas": areas,
        "area": area,
        "outcomes": rows,
        "counts": framework_counts(),
        "include_retired": include_retired,
        "links": indicator_links([i.id for r in rows for i in r.indicators]) if with_links else {},
    }


def framework_counts() -> dict[int, tuple[int, int]]:
    """area id → (active outcomes, active indicators), in one query each."""
    outcomes = dict(
        db.session.execute(
            sa.select(FundOutcome.thematic_area_id, sa.func.count())
            .where(FundOutcome.is_active)
            .group_by(FundOutcome.thematic_area_id)
        ).all()
    )
    indicators = dict(
        db.session.execute(
            sa.select(FundIndicator.thematic_area_id, sa.func.count())
            .where(FundIndicator.is_active)
            .group_by(FundIndicator.thematic_area_id)
        ).all()
    )
    return {area_id: (outcomes.get(area_id, 0), indicators.get(area_id, 0)) for area_id in {*outcomes, *indicators}}


def roll_up_results(
    rows: Sequence[ResultRow], budgets: Mapping[int, Decimal] | None = None, period: str | None = None
) -> dict[int, RollUp]:
    """rollup.roll_up() with each fund indicator's unit read from the framework (one query).

    The programmes code gathers the rows (approved progress reports, indicators linked to fund indicators)
    and the programme budgets; retired fund indicators still roll up, since reports cite them.
    """
    units = fund_indicator_units({row.fund_indicator_id for row in rows})
    return roll_up(rows, units, budgets, period)


def fund_indicator_units(indicator_ids: Iterable[int] | None = None) -> dict[int, IndicatorUnit]:
    """fund indicator id → unit: the ``units`` argument of rollup.roll_up()."""
    query = sa.select(FundIndicator.id, FundIndicator.unit)
    if indicator_ids is not None:
        query = query.where(FundIndicator.id.in_(list(indicator_ids)))
    return {row.id: row.unit for row in db.session.execute(query)}


# Alignment indicators -----------------------------------------------------------------------------


@dataclass
class AlignmentInput:
    principle_id: int | None
    code: str
    name: str
    kind: MeasureKind | str
    thresholds: tuple[Decimal | None, Decimal | None, Decimal | None]
    measurement: str = ""
    marker_id: int | None = None


def check_alignment_indicator(
    data: AlignmentInput, indicator: AlignmentIndicator | None = None
) -> tuple[GuidingPrinciple, MeasureKind, Marker | None, tuple[Decimal, Decimal, Decimal]]:
    """Every rule on an alignment indicator; threshold problems belong to the field of the first threshold."""
    errors = Errors()
    principle = db.session.get(GuidingPrinciple, data.principle_id) if data.principle_id else None
    if principle is None:
        errors.add("principle_id", "Choose the guiding principle.")
    code = data.code.strip()
    _check_code(errors, code)
    if not errors.has("code"):
        clash = db.session.scalar(
            sa.select(AlignmentIndicator.id).where(
                sa.func.lower(AlignmentIndicator.code) == code.lower(),
                AlignmentIndicator.id != (indicator.id if indicator else -1),
            )
        )
        if clash is not None:
            errors.add("code", f"Another alignment indicator has the code {code}.")
    if not data.name.strip():
        errors.add("name", "Name the indicator.")
    elif len(data.name.strip()) > 300:
        errors.add("name", "At most 300 characters.")
    try:
        kind = MeasureKind(data.kind)
    except ValueError:
        errors.add("kind", "Choose how it is measured.")
        errors.raise_any()
    marker = db.session.get(Marker, data.marker_id) if data.marker_id else None
    if kind is MeasureKind.marker:
        if marker is None:
            errors.add("marker_id", "Choose the marker whose score is measured.")
        elif principle is not None and marker.principle_id not in (None, principle.id):
            errors.add("marker_id", f"The {marker.name.lower()} belongs to another principle.")
    elif data.marker_id:
        errors.add("marker_id", "Only a marker score names a marker.")
    thresholds = data.thresholds
    if any(t is None for t in thresholds):
        errors.add("threshold_1", "Give the three thresholds, for scores 1, 2 and 3.")
        checked: tuple[Decimal, Decimal, Decimal] = (Decimal(0), Decimal(0), Decimal(0))
    else:
        checked = tuple(Decimal(t) for t in thresholds)  # type: ignore[assignment,arg-type]
        problem = alignment.thresholds_error(kind, checked)
        if problem is None and kind is MeasureKind.count and any(t != t.to_integral_value() for t in checked):
            problem = "Counts are whole numbers: so are their thresholds."
        if problem:
            errors.add("threshold_1", problem)
    errors.raise_any()
    assert principle is not None
    return principle, kind, marker, checked


def _alignment_details(indicator: AlignmentIndicator) -> dict[str, Any]:
    return {
        "principle": indicator.principle.code,
        "code": indicator.code,
        "name": indicator.name,
        "kind": indicator.kind.value,
        "marker": indicator.marker.code if indicator.marker else None,
        "thresholds": [plain(t) for t in indicator.thresholds],
        "measurement": indicator.measurement,
    }


def _apply_alignment(indicator: AlignmentIndicator, data: AlignmentInput, checked: tuple) -> None:
    principle, kind, marker, thresholds = checked
    indicator.principle = principle
    indicator.code = data.code.strip()
    indicator.name = data.name.strip()
    indicator.measurement = data.measurement.strip()
    indicator.kind = kind
    indicator.marker = marker
    indicator.threshold_1, indicator.threshold_2, indicator.threshold_3 = thresholds


def create_alignment_indicator(actor: User | None, data: AlignmentInput) -> AlignmentIndicator:
    checked = check_alignment_indicator(data)
    last = db.session.scalar(sa.select(sa.func.max(AlignmentIndicator.position)))
    indicator = AlignmentIndicator(position=(last or 0) + 1)
    _apply_alignment(indicator, data, checked)
    db.session.add(indicator)
    db.session.flush()
    record_change(
        actor,
        "results.alignment_indicator_created",
        "alignment_indicators",
        indicator.id,
        _alignment_details(indicator),
    )
    return indicator


def update_alignment_indicator(actor: User | None, indicator: AlignmentIndicator, data: AlignmentInput) -> None:
    checked = check_alignment_indicator(data, indicator)
    before = _alignment_details(indicator)
    _apply_alignment(indicator, data, checked)
    db.session.flush()
    changes = _changes(before, _alignment_details(indicator))
    if changes:
        record_change(actor, "results.alignment_indicator_updated", "alignment_indicators", indicator.id, changes)


def set_alignment_indicator_active(actor: User | None, indicator: AlignmentIndicator, active: bool) -> None:
    """Retire an alignment indicator (scores computed afterwards leave it out) or bring it back."""
    if indicator.is_active == active:
        raise DomainError("The indicator is already " + ("in use." if active else "retired."))
    indicator.is_active = active
    db.session.flush()
    action = "results.alignment_indicator_reinstated" if active else "results.alignment_indicator_retired"
    record_change(actor, action, "alignment_indicators", indicator.id, {"code": indicator.code})


def alignment_indicators(include_retired: bool = True) -> list[AlignmentIndicator]:
    """In principle order, then position (one query, principles and markers joined in)."""
    query = (
        sa.select(AlignmentIndicator)
        .join(AlignmentIndicator.principle)
        .options(selectinload(AlignmentIndicator.principle), selectinload(AlignmentIndicator.marker))
        .order_by(GuidingPrinciple.position, AlignmentIndicator.position, AlignmentIndicator.id)
    )
    if not include_retired:
        query = query.where(AlignmentIndicator.is_active)
    return list(db.session.scalars(query))


def alignment_page(with_defaults: bool = False) -> dict[str, Any]:
    """The alignment page: each principle with its indicators (retired ones too), the markers with their
    principle and, for its editors, how many of the reference file's indicators are missing."""
    indicators = alignment_indicators(include_retired=True)
    principles = reference.guiding_principles()
    have = {i.code.lower() for i in indicators}
    return {
        "principles": principles,
        "by_principle": {p.id: [i for i in indicators if i.principle_id == p.id] for p in principles},
        "markers": reference.markers(with_principle=True),
        "missing_defaults": with_defaults
        and sum(1 for entry in alignment_from_file() if entry["code"].lower() not in have),
    }


def alignment_definitions() -> list[IndicatorDefinition]:
    """The fund's active alignment indicators as alignment.assess() takes them."""
    return [
        IndicatorDefinition(code=i.code, principle=i.principle.code, kind=i.kind, thresholds=i.thresholds)
        for i in alignment_indicators(include_retired=False)
    ]


def assess_alignment(values: Mapping[str, Decimal | None]) -> alignment.Assessment:
    """Score one programme's measured values (alignment indicator code → value) with the fund's active indicators.

    Each value must suit its indicator's kind (a marker 0–3, a percentage 0–100, a whole count, 1 or 0 for
    yes / no); problems are reported together, keyed by indicator code. Codes the fund no longer uses are ignored.
    """
    definitions = alignment_definitions()
    errors = Errors()
    for definition in definitions:
        value = values.get(definition.code)
        if value is not None:
            problem = alignment.value_error(definition.kind, Decimal(value))
            if problem:
                errors.add(definition.code, problem)
    errors.raise_any()
    return alignment.assess(definitions, values)


def alignment_from_file(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The "alignment_indicators" section of the reference file (empty when the file has none)."""
    data = json.loads(Path(path or reference.DATA_DIR / "migration-mptf.json").read_text(encoding="utf-8"))
    return list(data.get("alignment_indicators", {}).get("indicators", []))


def load_alignment_indicators(actor: User | None = None, path: str | Path | None = None) -> int:
    """Create the reference file's alignment indicators whose code is missing; edited ones are left alone."""
    existing = {code.lower() for code in db.session.scalars(sa.select(AlignmentIndicator.code))}
    principles = {p.code: p.id for p in reference.guiding_principles()}
    markers = {m.code: m.id for m in reference.markers()}
    created = 0
    for entry in alignment_from_file(path):
        if entry["code"].lower() in existing:
            continue
        t1, t2, t3 = (Decimal(t) for t in entry["thresholds"])
        data = AlignmentInput(
            principle_id=principles.get(entry["principle"]),
            code=entry["code"],
            name=entry["name"],
            kind=entry["kind"],
            thresholds=(t1, t2, t3),
            measurement=entry.get("measurement", ""),
            marker_id=markers.get(entry["marker"]) if entry.get("marker") else None,
        )
        create_alignment_indicator(actor, data)
        created += 1
    return created


def marker_minimums() -> dict[str, int]:
    """marker code → minimum score, in marker order: the ``minimums`` of alignment.flag_programmes()."""
    return {m.code: m.minimum_score for m in reference.markers()}


def set_marker_minimums(actor: User | None, minimums: Mapping[int, int | None]) -> None:
    """Set each marker's minimum score (0–3); programmes scoring below it are flagged."""
    errors = Errors()
    markers = {m.id: m for m in reference.markers()}
    for index, (marker_id, minimum) in enumerate(minimums.items()):
        if marker_id not in markers:
            errors.add(f"minimums-{index}-minimum", "Unknown marker.")
        elif minimum is None or not 0 <= minimum <= alignment.MAX_SCORE:
            errors.add(f"minimums-{index}-minimum", "A score from 0 to 3.")
    errors.raise_any()
    changes = {}
    for marker_id, minimum in minimums.items():
        marker = markers[marker_id]
        if marker.minimum_score != minimum:
            changes[marker.code] = {"from": marker.minimum_score, "to": minimum}
            marker.minimum_score = minimum  # type: ignore[assignment]
    db.session.flush()
    if changes:
        record_change(actor, "results.marker_minimums_set", "markers", None, changes)


# Names for the audit log ---------------------------------------------------------------------------------


def describe_objects(object_type: str, ids: list[str]) -> dict[str, str] | None:
    """Names of the fund's outcomes and indicators for the audit log (`signals.describe_objects`), one query.

    A deleted outcome or indicator has no row left: the log's own details keep its code."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type == "fund_outcomes":
        rows = db.session.execute(sa.select(FundOutcome.id, FundOutcome.code).where(FundOutcome.id.in_(numbers)))
        return {str(i): f"fund outcome {code}" for i, code in rows}
    if object_type == "fund_indicators":
        rows = db.session.execute(
            sa.select(FundIndicator.id, FundIndicator.code, FundIndicator.name).where(FundIndicator.id.in_(numbers))
        )
        return {str(i): f"fund indicator {code} ‘{name}’" for i, code, name in rows}
    if object_type == "alignment_indicators":
        rows = db.session.execute(
            sa.select(AlignmentIndicator.id, AlignmentIndicator.code).where(AlignmentIndicator.id.in_(numbers))
        )
        return {str(i): f"alignment indicator {code}" for i, code in rows}
    return None
