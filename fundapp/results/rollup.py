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

from fundapp.core.i18n import _l

TWO_PLACES = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")
_PERIOD_END_MONTH = {None: 12, "H1": 6, "H2": 12, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}

#: The dimensions the fund disaggregates by, with the categories the forms offer.
DISAGGREGATIONS = {
    "sex": ("female", "male", "other"),
    "age_group": ("under_18", "18_to_59", "60_plus"),
    "migratory_status": ("migrant", "returnee", "displaced", "host_community"),
}
#: How a page names each dimension an indicator is disaggregated by.
DISAGGREGATION_LABELS = {
    "sex": _l("by sex"),
    "age_group": _l("by age group"),
    "migratory_status": _l("by migratory status"),
}


class IndicatorUnit(enum.StrEnum):
    count = "count"
    amount_usd = "amount_usd"
    percentage = "percentage"
    score = "score"
    yes_no = "yes_no"

    @property
    def label(self) -> str:
        return str(UNIT_LABELS[self])

    @property
    def method(self) -> "RollUpMethod":
        return UNIT_METHODS[self]


class RollUpMethod(enum.StrEnum):
    sum = "sum"
    weighted_mean = "weighted_mean"
    count_yes = "count_yes"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


UNIT_LABELS = {
    IndicatorUnit.count: _l("Number"),
    IndicatorUnit.amount_usd: _l("Amount (US$)"),
    IndicatorUnit.percentage: _l("Percentage"),
    IndicatorUnit.score: _l("Score or index"),
    IndicatorUnit.yes_no: _l("Yes / no"),
}
UNIT_METHODS = {
    IndicatorUnit.count: RollUpMethod.sum,
    IndicatorUnit.amount_usd: RollUpMethod.sum,
    IndicatorUnit.percentage: RollUpMethod.weighted_mean,
    IndicatorUnit.score: RollUpMethod.weighted_mean,
    IndicatorUnit.yes_no: RollUpMethod.count_yes,
}
METHOD_LABELS = {
    RollUpMethod.sum: _l("Sum across programmes"),
    RollUpMethod.weighted_mean: _l("Mean weighted by programme budget"),
    RollUpMethod.count_yes: _l("Number of programmes reporting yes"),
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


def plain(value: Decimal) -> str:
    """'40', '35.5': no trailing zeros and no exponent (normalize() alone turns 40.000000 into '4E+1')."""
    return f"{value.normalize():f}"
