"""Guiding-principle alignment: the documented formula, as pure functions over plain values.

The fund defines alignment indicators (editable data, `AlignmentIndicator`): each belongs to one of the
Compact's ten guiding principles and says how it is measured and which thresholds turn a measured value into a
0–3 score. A programme's alignment is computed from its measured values in four steps:

1. **Indicator score (0–3).** The measured value is compared with the indicator's three thresholds
   ``t1 <= t2 <= t3``: below ``t1`` scores 0, from ``t1`` 1, from ``t2`` 2, from ``t3`` 3 (each threshold is
   inclusive). By kind of measure:

   - ``marker``: a marker score 0–3 (gender, human rights, child-sensitivity) with thresholds 1, 2, 3, so the
     score is the marker itself;
   - ``percentage``: 0–100 (e.g. the share of budget for gender equality: 15 % → 1, 30 % → 2, 50 % → 3);
   - ``count``: a whole number ≥ 0 (e.g. civil-society and migrant organizations engaged: 1 → 1, 3 → 2, 5 → 3);
   - ``yes_no``: 1 for yes, 0 for no, with thresholds 1, 1, 1 (yes scores 3, no scores 0).

   An indicator the programme has not measured scores 0: no evidence earns no credit, and it is listed as
   missing so the page can say why.
2. **Principle score (0–3)** = the mean of the scores of the principle's indicators, rounded half up to two
   decimals. A principle for which the fund defines no active indicator is left out (not scored 0).
3. **Overall alignment score (0–100)** = the mean of the (rounded) principle scores ÷ 3 × 100, rounded half up to
   two decimals.
4. **Marker thresholds.** Each marker has a minimum score (``Marker.minimum_score``, default 2). A programme is
   flagged for every marker whose score is below its minimum; a marker not yet scored is flagged too, since the
   programme has not shown that it meets the minimum.

Fund level (``portfolio``): per thematic area and fund-wide, each principle score and the overall score are the
means over programmes weighted by programme budget (a programme with budget 0 has weight 0; an area whose
programmes all have budget 0 falls back to equal weights), rounded half up to two decimals; the weakest
principles are those with the lowest weighted score (ties broken by principle code).

Every step is monotone: raising one measured value never lowers any score (the property tests check it).
"""

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from fundapp.core.i18n import _, _l

TWO_PLACES = Decimal("0.01")
MAX_SCORE = 3


class MeasureKind(enum.StrEnum):
    marker = "marker"
    percentage = "percentage"
    count = "count"
    yes_no = "yes_no"

    @property
    def label(self) -> str:
        return str(MEASURE_KIND_LABELS[self])


MEASURE_KIND_LABELS = {
    MeasureKind.marker: _l("Marker score 0–3"),
    MeasureKind.percentage: _l("Percentage (0–100)"),
    MeasureKind.count: _l("Count"),
    MeasureKind.yes_no: _l("Yes / no"),
}

#: The thresholds a kind starts with (a marker and yes/no have fixed meanings; the others are suggestions).
DEFAULT_THRESHOLDS = {
    MeasureKind.marker: (Decimal(1), Decimal(2), Decimal(3)),
    MeasureKind.percentage: (Decimal(15), Decimal(30), Decimal(50)),
    MeasureKind.count: (Decimal(1), Decimal(3), Decimal(5)),
    MeasureKind.yes_no: (Decimal(1), Decimal(1), Decimal(1)),
}

#: Bounds of the measured value by kind (None: unbounded above).
_BOUNDS: dict[MeasureKind, tuple[Decimal, Decimal | None]] = {
    MeasureKind.marker: (Decimal(0), Decimal(MAX_SCORE)),
    MeasureKind.percentage: (Decimal(0), Decimal(100)),
    MeasureKind.count: (Decimal(0), None),
    MeasureKind.yes_no: (Decimal(0), Decimal(1)),
}


def round2(value: Decimal) -> Decimal:
    """Half up to two decimals (not banker's rounding: 2.345 → 2.35)."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def value_error(kind: MeasureKind | str, value: Decimal) -> str | None:
    """Why a measured value is not acceptable for its kind, or None when it is."""
    kind = MeasureKind(kind)
    low, high = _BOUNDS[kind]
    if value < low or (high is not None and value > high):
        if high is None:
            return _("A value of 0 or more.")
        return _("%(kind)s: a value from %(low)s to %(high)s.", kind=kind.label, low=low, high=high)
    if kind in (MeasureKind.marker, MeasureKind.count, MeasureKind.yes_no) and value != value.to_integral_value():
        return _("A whole number.")
    return None


def thresholds_error(kind: MeasureKind | str, thresholds: Sequence[Decimal]) -> str | None:
    """Why thresholds are not acceptable (they must rise and lie within the kind's range), or None."""
    kind = MeasureKind(kind)
    if len(thresholds) != MAX_SCORE:
        return _("Give three thresholds, for scores 1, 2 and 3.")
    t1, t2, t3 = thresholds
    if not (t1 <= t2 <= t3):
        return _("Thresholds must not decrease: score 1 ≤ score 2 ≤ score 3.")
    low, high = _BOUNDS[kind]
    if t1 <= low:
        return _("The threshold for score 1 must be above %(low)s, or every programme would score at least 1.", low=low)
    if high is not None and t3 > high:
        return _("The threshold for score 3 must be at most %(high)s, or no programme could score 3.", high=high)
    return None


def indicator_score(value: Decimal | None, thresholds: Sequence[Decimal]) -> int:
    """0–3: how many of the (rising) thresholds the value reaches. Not measured (None) scores 0."""
    if value is None:
        return 0
    return sum(1 for t in thresholds if value >= t)


@dataclass(frozen=True)
class IndicatorDefinition:
    """One alignment indicator as the formula needs it (plain values, no database)."""

    code: str
    principle: str
    kind: MeasureKind | str
    thresholds: tuple[Decimal, Decimal, Decimal]


@dataclass
class Assessment:
    """A programme's alignment: per indicator and per principle scores, the overall score, what is missing."""

    indicator_scores: dict[str, int]
    principle_scores: dict[str, Decimal]
    overall: Decimal
    missing: list[str] = field(default_factory=list)


def principle_score(scores: Iterable[int | Decimal]) -> Decimal:
    """The mean of a principle's indicator scores, half up to two decimals."""
    values = [Decimal(s) for s in scores]
    if not values:
        raise ValueError("A principle score needs at least one indicator score.")
    return round2(sum(values, Decimal(0)) / len(values))


def overall_score(principle_scores: Iterable[Decimal]) -> Decimal:
    """The mean principle score as a share of the maximum 3, on 0–100, half up to two decimals."""
    values = list(principle_scores)
    if not values:
        return Decimal("0.00")
    return round2(sum(values, Decimal(0)) / len(values) / MAX_SCORE * 100)


def assess(definitions: Sequence[IndicatorDefinition], values: Mapping[str, Decimal | None]) -> Assessment:
    """Score one programme: definitions are the fund's active indicators, values the measured values by code."""
    indicator_scores: dict[str, int] = {}
    by_principle: dict[str, list[int]] = {}
    missing = []
    for definition in definitions:
        value = values.get(definition.code)
        if value is None:
            missing.append(definition.code)
        score = indicator_score(value, definition.thresholds)
        indicator_scores[definition.code] = score
        by_principle.setdefault(definition.principle, []).append(score)
    principles = {code: principle_score(scores) for code, scores in sorted(by_principle.items())}
    return Assessment(indicator_scores, principles, overall_score(principles.values()), missing)


def marker_flags(scores: Mapping[str, int | None], minimums: Mapping[str, int]) -> list[str]:
    """The markers (codes, in the minimums' order) whose score is below the fund's minimum or not yet given."""
    return [code for code, minimum in minimums.items() if scores.get(code) is None or scores[code] < minimum]


def flag_programmes(
    programmes: Mapping[int, Mapping[str, int | None]], minimums: Mapping[str, int]
) -> dict[int, list[str]]:
    """programme id → markers below the minimum, for exactly the programmes with at least one such marker."""
    flagged = {}
    for programme_id, scores in programmes.items():
        below = marker_flags(scores, minimums)
        if below:
            flagged[programme_id] = below
    return flagged


# Fund level ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeAlignment:
    """What the portfolio view needs of one programme: its area, its budget weight and its scores."""

    programme_id: int
    thematic_area: str
    budget: Decimal
    principle_scores: Mapping[str, Decimal]
    overall: Decimal


@dataclass
class PortfolioAlignment:
    """Budget-weighted alignment of a group of programmes (one thematic area, or the whole fund)."""

    programmes: int
    budget: Decimal
    principle_scores: dict[str, Decimal]
    overall: Decimal
    weakest: list[str]


def _weighted_mean(pairs: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """Mean of values weighted by budget; equal weights if every budget is 0."""
    total_weight = sum((w for w, _v in pairs), Decimal(0))
    if total_weight == 0:
        return round2(sum((v for _w, v in pairs), Decimal(0)) / len(pairs))
    return round2(sum((w * v for w, v in pairs), Decimal(0)) / total_weight)


def _aggregate(group: Sequence[ProgrammeAlignment], weakest: int) -> PortfolioAlignment:
    principles = sorted({code for p in group for code in p.principle_scores})
    scores = {
        code: _weighted_mean([(p.budget, p.principle_scores[code]) for p in group if code in p.principle_scores])
        for code in principles
    }
    ranked = sorted(scores, key=lambda code: (scores[code], code))
    return PortfolioAlignment(
        programmes=len(group),
        budget=sum((p.budget for p in group), Decimal(0)),
        principle_scores=scores,
        overall=_weighted_mean([(p.budget, p.overall) for p in group]),
        weakest=ranked[:weakest],
    )


def portfolio(
    programmes: Sequence[ProgrammeAlignment], weakest: int = 3
) -> tuple[dict[str, PortfolioAlignment], PortfolioAlignment | None]:
    """Per thematic area (sorted by code) and fund-wide; the fund-wide result is None without programmes."""
    for p in programmes:
        if p.budget < 0:
            raise ValueError(f"Programme {p.programme_id} has a negative budget.")
    areas: dict[str, list[ProgrammeAlignment]] = {}
    for p in programmes:
        areas.setdefault(p.thematic_area, []).append(p)
    by_area = {area: _aggregate(group, weakest) for area, group in sorted(areas.items())}
    return by_area, (_aggregate(list(programmes), weakest) if programmes else None)
