"""Roll-up of programme results to the fund-level results framework: pure functions over plain values.

Programme indicators (they come with joint programmes) may link to a fund-level indicator. Their reported
actuals arrive here as rows of ``(fund_indicator_id, programme_id, period, actual, disaggregation)`` and come out
as one figure per fund indicator, with disaggregation totals. How a figure combines depends on the fund
indicator's unit:

- ``count`` and ``amount_usd`` are **summed** across programmes, and so is every disaggregation category
  (``{"sex": {"female": 120, "male": 80}}`` from two programmes adds category by category). Amounts are US$.
- ``percentage`` and ``score`` are **not summed** (two programmes at 60 % are not 120 %): they are **averaged,
  weighted by programme budget** (pass ``budgets``; without it every programme weighs the same, and a budget
  total of 0 also falls back to equal weights). Each disaggregation category is the weighted mean over the
  programmes that reported that category.
- ``yes_no`` counts the programmes reporting yes (actual ≥ 1): "number of programmes in which the policy was
  adopted". Disaggregations are not rolled up for it.

Periods are strings: ``"2021"`` (annual), ``"2021-H1"``/``"2021-H2"`` (semi-annual), ``"2021-Q1"`` … ``"2021-Q4"``.
Programme actuals are cumulative to the end of their period, so without ``period`` the roll-up takes each
programme's latest period ("results to date"); with ``period`` only that period's rows count. An annual period
ends with the year, like H2 and Q4. Values are Decimal; results are rounded half up to two decimals.
"""

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

TWO_PLACES = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")
_PERIOD_END_MONTH = {None: 12, "H1": 6, "H2": 12, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}

#: The dimensions the fund disaggregates by, with the categories the forms offer.
DISAGGREGATIONS = {
    "sex": ("female", "male", "other"),
    "age_group": ("under_18", "18_to_59", "60_plus"),
    "migratory_status": ("migrant", "returnee", "displaced", "host_community"),
}


class IndicatorUnit(enum.StrEnum):
    count = "count"
    amount_usd = "amount_usd"
    percentage = "percentage"
    score = "score"
    yes_no = "yes_no"

    @property
    def label(self) -> str:
        return UNIT_LABELS[self]

    @property
    def method(self) -> "RollUpMethod":
        return UNIT_METHODS[self]


class RollUpMethod(enum.StrEnum):
    sum = "sum"
    weighted_mean = "weighted_mean"
    count_yes = "count_yes"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


UNIT_LABELS = {
    IndicatorUnit.count: "Number",
    IndicatorUnit.amount_usd: "Amount (US$)",
    IndicatorUnit.percentage: "Percentage",
    IndicatorUnit.score: "Score or index",
    IndicatorUnit.yes_no: "Yes / no",
}
UNIT_METHODS = {
    IndicatorUnit.count: RollUpMethod.sum,
    IndicatorUnit.amount_usd: RollUpMethod.sum,
    IndicatorUnit.percentage: RollUpMethod.weighted_mean,
    IndicatorUnit.score: RollUpMethod.weighted_mean,
    IndicatorUnit.yes_no: RollUpMethod.count_yes,
}
METHOD_LABELS = {
    RollUpMethod.sum: "Sum across programmes",
    RollUpMethod.weighted_mean: "Mean weighted by programme budget",
    RollUpMethod.count_yes: "Number of programmes reporting yes",
}


def period_key(period: str) -> tuple[int, int]:
    """(year, month the period ends): '2021-H1' → (2021, 6); '2021' and '2021-H2' → (2021, 12)."""
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError(f"Unknown period {period!r}: use YYYY, YYYY-H1/H2 or YYYY-Q1..Q4.")
    return int(match.group(1)), _PERIOD_END_MONTH[match.group(2)]


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ResultRow:
    """One programme indicator's actual for a period, linked to a fund indicator."""

    fund_indicator_id: int
    programme_id: int
    period: str
    actual: Decimal
    #: dimension → category → value, e.g. {"sex": {"female": Decimal(12), "male": Decimal(8)}}.
    disaggregation: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)


@dataclass
class RollUp:
    """A fund indicator's figure from its linked programme indicators."""

    fund_indicator_id: int
    unit: IndicatorUnit
    method: RollUpMethod
    value: Decimal
    #: programme id → the period its figure comes from.
    periods: dict[int, str]
    #: dimension → category → rolled-up value (empty for yes/no).
    disaggregation: dict[str, dict[str, Decimal]]

    @property
    def programmes(self) -> int:
        return len(self.periods)


def _select(rows: Iterable[ResultRow], period: str | None) -> dict[tuple[int, int], ResultRow]:
    """One row per (fund indicator, programme): the given period's, or the latest."""
    chosen: dict[tuple[int, int], ResultRow] = {}
    wanted = period_key(period) if period is not None else None
    for row in rows:
        key = (row.fund_indicator_id, row.programme_id)
        row_key = period_key(row.period)
        if wanted is not None and row_key != wanted:
            continue
        current = chosen.get(key)
        if current is not None and period_key(current.period) == row_key:
            raise ValueError(
                f"Programme {row.programme_id} reports indicator {row.fund_indicator_id} twice for {row.period}."
            )
        if current is None or row_key > period_key(current.period):
            chosen[key] = row
    return chosen


def _weights(rows: list[ResultRow], budgets: Mapping[int, Decimal] | None) -> dict[int, Decimal]:
    if budgets is None:
        return {row.programme_id: Decimal(1) for row in rows}
    missing = sorted({row.programme_id for row in rows} - set(budgets))
    if missing:
        raise ValueError(f"No budget given for programme(s) {missing}.")
    if any(budgets[row.programme_id] < 0 for row in rows):
        raise ValueError("A programme budget cannot be negative.")
    weights = {row.programme_id: Decimal(budgets[row.programme_id]) for row in rows}
    if sum(weights.values()) == 0:
        return dict.fromkeys(weights, Decimal(1))
    return weights


def _weighted(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    total = sum((w for w, _v in pairs), Decimal(0))
    if total == 0:
        return round2(sum((v for _w, v in pairs), Decimal(0)) / len(pairs))
    return round2(sum((w * v for w, v in pairs), Decimal(0)) / total)


def _combine(unit: IndicatorUnit, rows: list[ResultRow], budgets: Mapping[int, Decimal] | None) -> RollUp:
    method = unit.method
    disaggregation: dict[str, dict[str, Decimal]] = {}
    if method is RollUpMethod.sum:
        value = round2(sum((row.actual for row in rows), Decimal(0)))
        for row in rows:
            for dimension, categories in row.disaggregation.items():
                totals = disaggregation.setdefault(dimension, {})
                for category, amount in categories.items():
                    totals[category] = round2(totals.get(category, Decimal(0)) + Decimal(amount))
    elif method is RollUpMethod.weighted_mean:
        weights = _weights(rows, budgets)
        value = _weighted([(weights[row.programme_id], row.actual) for row in rows])
        pairs: dict[str, dict[str, list[tuple[Decimal, Decimal]]]] = {}
        for row in rows:
            for dimension, categories in row.disaggregation.items():
                for category, amount in categories.items():
                    pair = (weights[row.programme_id], Decimal(amount))
                    pairs.setdefault(dimension, {}).setdefault(category, []).append(pair)
        disaggregation = {dim: {cat: _weighted(p) for cat, p in cats.items()} for dim, cats in pairs.items()}
    else:
        value = Decimal(sum(1 for row in rows if row.actual >= 1)).quantize(TWO_PLACES)
    return RollUp(
        fund_indicator_id=rows[0].fund_indicator_id,
        unit=unit,
        method=method,
        value=value,
        periods={row.programme_id: row.period for row in sorted(rows, key=lambda r: r.programme_id)},
        disaggregation={dim: dict(sorted(cats.items())) for dim, cats in sorted(disaggregation.items())},
    )


def roll_up(
    rows: Iterable[ResultRow],
    units: Mapping[int, IndicatorUnit | str],
    budgets: Mapping[int, Decimal] | None = None,
    period: str | None = None,
) -> dict[int, RollUp]:
    """fund indicator id → its rolled-up figure, for every fund indicator that has at least one row.

    ``units`` maps each fund indicator id to its unit (``fund_indicator_units()`` in services gives it);
    ``budgets`` maps programme id → budget (US$), the weights of averaged units.
    """
    grouped: dict[int, list[ResultRow]] = {}
    for row in _select(rows, period).values():
        if row.fund_indicator_id not in units:
            raise ValueError(f"Unknown fund indicator {row.fund_indicator_id}.")
        grouped.setdefault(row.fund_indicator_id, []).append(row)
    return {
        indicator_id: _combine(IndicatorUnit(units[indicator_id]), group, budgets)
        for indicator_id, group in sorted(grouped.items())
    }


def progress_percent(baseline: Decimal | None, target: Decimal, actual: Decimal | None) -> Decimal | None:
    """How far the actual has come from the baseline towards the target, in % (may exceed 100 or be negative).

    Works for falling targets too (baseline 40 %, target 20 %, actual 30 % → 50 %). None when there is no
    actual yet or the target equals the baseline.
    """
    start = baseline if baseline is not None else Decimal(0)
    if actual is None or target == start:
        return None
    return round2((actual - start) / (target - start) * 100)


class Direction(enum.StrEnum):
    """Which way an indicator should move: numbers of people reached increase, recruitment costs decrease."""

    increase = "increase"
    decrease = "decrease"

    @property
    def label(self) -> str:
        return "Increase" if self is Direction.increase else "Decrease"


def direction_of(baseline: Decimal, target: Decimal) -> Direction:
    """The direction a baseline and a target imply (a target below the baseline is a decrease); a target equal to
    the baseline says nothing, and counts as an increase (keep at least the level)."""
    return Direction.decrease if target < baseline else Direction.increase


def resolve_direction(direction: Direction | str | None, baseline: Decimal, target: Decimal) -> Direction:
    """The direction given, or the one the baseline and target imply when none is (imports, the demo)."""
    if direction in (None, ""):
        return direction_of(baseline, target)
    return Direction(direction)


def direction_problem(
    direction: Direction | str | None, baseline: Decimal | None, target: Decimal | None
) -> str | None:
    """Why a desired direction does not fit the baseline and target, or None: an increase cannot aim below the
    baseline, nor a decrease above it (progress would then reward moving the wrong way)."""
    if direction in (None, ""):
        return None
    try:
        chosen = Direction(direction)
    except ValueError:
        return "Choose increase or decrease."
    if baseline is None or target is None:
        return None
    if chosen is Direction.increase and target < baseline:
        return "The target is below the baseline: choose decrease, or correct the target."
    if chosen is Direction.decrease and target > baseline:
        return "The target is above the baseline: choose increase, or correct the target."
    return None


#: What a Progress figure is: nothing reported yet, a share of the way, or achieved / not yet.
NO_RESULT, PERCENT, ACHIEVED = "none", "percent", "achieved"


@dataclass(frozen=True)
class Progress:
    """How far an indicator has come, as measure_progress() computes it.

    ``raw`` is (actual − baseline) ÷ (target − baseline) × 100, unclipped (negative when the actual moved the
    wrong way, above 100 past the target); ``shown`` is the same clipped to 0–100, what a progress bar draws.
    Yes / no indicators and targets equal to their baseline have no share of the way: they are achieved or not.
    """

    kind: str
    raw: Decimal | None = None
    shown: Decimal | None = None
    achieved: bool | None = None

    @property
    def label(self) -> str:
        """'45%', 'Achieved', 'Not yet' or 'no result yet'."""
        if self.kind == NO_RESULT:
            return "no result yet"
        if self.kind == ACHIEVED:
            return "Achieved" if self.achieved else "Not yet"
        return f"{self.shown:.0f}%"

    @property
    def is_clipped(self) -> bool:
        return self.raw is not None and self.raw != self.shown

    @property
    def raw_label(self) -> str:
        """The unclipped figure, beside the clipped one when they differ: 'raw −17%', '' otherwise."""
        if not self.is_clipped:
            return ""
        return f"raw {self.raw:.0f}%".replace("-", "−")

    @property
    def explanation(self) -> str:
        """Why the bar stops where it does, for the clipped cases."""
        if not self.is_clipped or self.raw is None:
            return ""
        return "worse than the baseline" if self.raw < 0 else "beyond the target"

    @property
    def text(self) -> str:
        """One cell of a table or PDF: '45%', '0% (raw −17%)', 'Achieved'."""
        return f"{self.label} ({self.raw_label})" if self.is_clipped else self.label


def measure_progress(
    unit: IndicatorUnit | str,
    direction: Direction | str,
    baseline: Decimal | None,
    target: Decimal,
    actual: Decimal | None,
) -> Progress:
    """The progress of an actual from the baseline towards the target.

    - Numbers, amounts, percentages and scores: raw = (actual − baseline) ÷ (target − baseline) × 100, shown
      clipped to 0–100. The same formula serves decreases: the denominator is negative, so a fall towards the
      target counts positive (baseline 40 %, target 20 %, actual 30 % → 50 %) and a rise counts negative.
    - Yes / no (1 or 0; at fund level, the number of programmes reporting yes): achieved when the actual has
      reached the target in the desired direction (≥ for an increase, ≤ for a decrease), else "not yet".
    - A target equal to the baseline (keep a level): achieved when the actual is at least the target for an
      increase, at most for a decrease; there is no share of the way to show.
    """
    if actual is None:
        return Progress(NO_RESULT)
    start = baseline if baseline is not None else Decimal(0)
    if IndicatorUnit(unit) is IndicatorUnit.yes_no or target == start:
        achieved = actual >= target if Direction(direction) is Direction.increase else actual <= target
        return Progress(ACHIEVED, shown=Decimal(100 if achieved else 0), achieved=achieved)
    raw = round2((actual - start) / (target - start) * 100)
    shown = min(max(raw, Decimal(0)), Decimal(100))
    return Progress(PERCENT, raw=raw, shown=shown, achieved=raw >= 100)


#: The words a yes / no value may be given in (forms offer Yes and No; imports and the API may send either).
YES_WORDS = frozenset({"yes", "y", "true", "1"})
NO_WORDS = frozenset({"no", "n", "false", "0"})
#: What to type, per unit, when a value could not be read as a number.
NUMBER_HINTS = {
    IndicatorUnit.count: "Enter a whole number, such as 1250.",
    IndicatorUnit.amount_usd: "Enter an amount in US$, such as 250000.00.",
    IndicatorUnit.percentage: "Enter a percentage from 0 to 100, such as 45.5.",
    IndicatorUnit.score: "Enter a number, such as 3.5.",
    IndicatorUnit.yes_no: "Choose yes or no.",
}
_LARGEST = Decimal("1e10")
#: A number as people type it (after separators, % and US$ are dropped): digits with an optional sign and decimal
#: point; no exponent, NaN or infinity (the same rule as core.forms' number fields).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def value_problem(unit: IndicatorUnit | str, value: Decimal) -> str | None:
    """Why a value does not fit an indicator of this unit (the message shown next to the field), or None.

    Every form that takes an indicator value (fund and programme indicators, progress reports) asks this, so the
    same mistake gets the same message everywhere."""
    unit = IndicatorUnit(unit)
    if unit is IndicatorUnit.yes_no:
        return None if value in (0, 1) else NUMBER_HINTS[unit]
    if value < 0 and unit is not IndicatorUnit.score:
        return "A value of 0 or more."
    if unit is IndicatorUnit.percentage and value > 100:
        return "A percentage from 0 to 100."
    if unit is IndicatorUnit.count and value != value.to_integral_value():
        return "A number of people or things is a whole number."
    if unit is IndicatorUnit.amount_usd and value != value.quantize(TWO_PLACES):
        return "An amount has at most two decimals (cents)."
    if value.as_tuple().exponent < -6 or abs(value) >= _LARGEST:  # type: ignore[operator]
        return "At most six decimals and below 10,000,000,000."
    return None


def parse_value(raw: Any, unit: IndicatorUnit | str) -> Decimal | None:
    """A value typed or chosen for an indicator of this unit; None when left blank.

    Numbers may carry thousands separators, a % sign or US$; yes / no takes yes, no, 1 or 0. Raises ValueError
    with the message to show next to the field."""
    unit = IndicatorUnit(unit)
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip()
        if not text:
            return None
        if unit is IndicatorUnit.yes_no and text.lower() in YES_WORDS | NO_WORDS:
            return Decimal(1) if text.lower() in YES_WORDS else Decimal(0)
        cleaned = text.replace(",", "").replace("US$", "").replace("%", "").replace(" ", "")
        if not PLAIN_NUMBER.fullmatch(cleaned):
            raise ValueError(NUMBER_HINTS[unit])
        value = Decimal(cleaned)
    problem = value_problem(unit, value)
    if problem:
        raise ValueError(problem)
    return value


def natural_key(code: str) -> tuple:
    """Sort key for codes such as '1.1.a', '1.10.b': numbers as numbers, letters as letters, so 1.2 comes before
    1.10 and 1.1.b right after 1.1.a."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"[.\-\s]+", code))


def format_value(value: Decimal | None, unit: IndicatorUnit | str) -> str:
    """A value as people read it in its unit: '1,250', 'US$ 2,500,000.00', '45.5%', 'Yes'."""
    if value is None:
        return "–"
    unit = IndicatorUnit(unit)
    if unit is IndicatorUnit.yes_no:
        return "Yes" if value >= 1 else "No"
    if unit is IndicatorUnit.amount_usd:
        return f"US$ {value:,.2f}"
    plain = value.normalize()
    text = f"{plain:,f}" if plain != plain.to_integral_value() else f"{plain:,.0f}"
    return f"{text}%" if unit is IndicatorUnit.percentage else text


def format_result(value: Decimal | None, unit: IndicatorUnit | str) -> str:
    """A rolled-up fund figure: as format_value, except yes / no, which counts programmes reporting yes."""
    if value is not None and IndicatorUnit(unit) is IndicatorUnit.yes_no:
        count = int(value)
        return "1 programme reports yes" if count == 1 else f"{count} programmes report yes"
    return format_value(value, unit)


def plain(value: Decimal) -> str:
    """'40', '35.5': no trailing zeros and no exponent (normalize() alone turns 40.000000 into '4E+1')."""
    return f"{value.normalize():f}"
