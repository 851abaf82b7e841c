"""Funding scenarios over plain values: which pipeline items the money available can fund, and why each is in or out.

Pure functions over frozen dataclasses; money is exact (integer cents inside, Decimal outside). The pipeline
module gathers the items and the pools from the database and stores the results.

Pools: each thematic area's earmarked pool can fund only that area's items; the unearmarked pool can fund any
item. An item may draw on both; it draws its own area's earmarked pool first, so unearmarked money stays free
for the others.

Mode 1, rank_order(): walk the pipeline by rank (ties by id), fund an item when its amount fits in its area's
earmarked pool plus the unearmarked pool, otherwise skip it with the shortfall, and go on (a later, smaller
item may still fit).

Mode 2, best_score(): the subset of items with the largest total weighted score that the pools can fund,
optionally with a minimum share per thematic area and per region, each a percentage of the funded total amount
(a share, not a count: "at least 20% of the money to TA1" is how a committee states a balance, and a count can
be met by one tiny grant). Ties between subsets with the same total score go to the subset that includes the
better-ranked item at the first place where they differ (rank, then id).

It is solved by OR-Tools' CP-SAT, an exact integer solver, on this model (every coefficient an integer):

- x_i ∈ {0, 1}: item i is funded; c_i its amount in cents; s_i its score in hundredths of a point.
- Affordable: a set is affordable iff Σ_a max(0, Σ_{i∈a} c_i x_i − E_a) ≤ U (E_a the area's earmarked pool,
  U the unearmarked pool, in cents): one overflow variable o_a ≥ Σ_{i∈a} c_i x_i − E_a, o_a ≥ 0 per area whose
  items could exceed its pool, and Σ_a o_a ≤ U.
- Minimum share p/q percent for key k (an area or a region): 100·q·Σ_{i∈k} c_i x_i ≥ p·Σ_i c_i x_i, written as
  one linear constraint Σ_i (100·q·[i∈k] − p)·c_i·x_i ≥ 0.
- Objective: maximise Σ s_i x_i. Then, the score fixed at that optimum, the tie-break: maximise the items in
  rank order lexicographically, in blocks of 50 items (weights 2^49 … 2^0 within a block, each block fixed
  before the next), which is exactly "the better-ranked item at the first place where they differ".

The solver runs under a time limit (SCENARIO_TIME_LIMIT_SECONDS, 5 s by default) shared by both stages. Its
answer is either proven optimal (score and tie-break both proven) or the best combination found within the
limit (status FEASIBLE, which the page says): always affordable and within the shares, since the search starts
from a combination known to be (rank order's, when it meets the shares, else nothing).

The hand-written branch and bound this replaces lives on in tests/committee/scenario_oracle.py, as the oracle
the solver is checked against on small instances.
"""

import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ortools.sat.python import cp_model

from fundapp.core.i18n import _
from fundapp.core.money import format_money, to_money
from fundapp.core.templating import format_percent

RANK_ORDER = "rank_order"
BEST_SCORE = "best_score"
#: The best-score mode's outcomes.
OPTIMAL = "optimal"
FEASIBLE = "feasible"
DEFAULT_TIME_LIMIT = 5.0
#: Items per block of the lexicographic tie-break: 2^49 + … + 1 stays exact in the solver's arithmetic.
TIE_BREAK_BLOCK = 50
#: CP-SAT works in 64-bit integers; a constraint whose terms could exceed this is refused.
MAX_TERM_SUM = 2**62


class ScenarioTooLarge(ValueError):
    """The amounts are too large for the solver's exact 64-bit arithmetic."""


@dataclass(frozen=True)
class PipelineItem:
    id: Hashable
    rank: int
    #: Weighted score on 0..100, two decimals at most.
    score: Decimal
    #: Amount requested, USD.
    amount: Decimal
    area: str
    region: str
    title: str = ""


@dataclass(frozen=True)
class Pools:
    #: Available per thematic area's earmarked pool, USD.
    earmarked: Mapping[str, Decimal]
    unearmarked: Decimal

    def available_for(self, area: str) -> Decimal:
        return self.earmarked.get(area, Decimal("0.00")) + self.unearmarked


@dataclass(frozen=True)
class Line:
    item: PipelineItem
    funded: bool
    from_earmarked: Decimal
    from_unearmarked: Decimal
    reason: str


@dataclass(frozen=True)
class Scenario:
    mode: str
    #: One line per item, in rank order.
    lines: tuple[Line, ...]
    remaining: Pools
    min_area_share: Mapping[str, Decimal] = field(default_factory=dict)
    min_region_share: Mapping[str, Decimal] = field(default_factory=dict)
    #: OPTIMAL (proven) or FEASIBLE (the best found within the time limit); rank order is always OPTIMAL.
    status: str = OPTIMAL
    #: Wall time of the solver, seconds.
    seconds: float = 0.0

    @property
    def is_optimal(self) -> bool:
        return self.status == OPTIMAL

    @property
    def funded(self) -> list[PipelineItem]:
        return [line.item for line in self.lines if line.funded]

    @property
    def funded_total(self) -> Decimal:
        return sum((i.amount for i in self.funded), Decimal("0.00"))

    @property
    def score_total(self) -> Decimal:
        return sum((i.score for i in self.funded), Decimal("0.00"))

    def funded_by(self, attr: str) -> dict[str, Decimal]:
        """Funded amount per area ('area') or region ('region')."""
        totals: dict[str, Decimal] = {}
        for item in self.funded:
            key = getattr(item, attr)
            totals[key] = totals.get(key, Decimal("0.00")) + item.amount
        return totals


# Helpers ------------------------------------------------------------------------------------------------


def cents(amount: Decimal) -> int:
    return int(to_money(amount) * 100)


def _money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def _fmt(value: int) -> str:
    return format_money(_money(value))


def rank_key(item: PipelineItem) -> tuple:
    return (item.rank, item.id)


def check_items(items: list[PipelineItem], pools: Pools) -> None:
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError(_("Pipeline item ids must be unique."))
    for item in items:
        if to_money(item.amount) <= 0:
            raise ValueError(_("Item %(item)s: the amount requested must be positive.", item=item.id))
        if item.score < 0 or item.score != item.score.quantize(Decimal("0.01")):
            raise ValueError(
                _("Item %(item)s: the score must be non-negative with at most two decimals.", item=item.id)
            )
    if pools.unearmarked < 0 or any(v < 0 for v in pools.earmarked.values()):
        raise ValueError(_("Pools cannot be negative."))


def as_shares(shares: Mapping[str, Decimal] | None, what: str) -> dict[str, Fraction]:
    """Minimum shares as exact fractions of 100, checked: each from 0 to 100, together at most 100. `what` is
    "area" (thematic areas) or "region"."""
    result = {}
    for key, value in (shares or {}).items():
        share = Fraction(Decimal(value))
        if not 0 <= share <= 100:
            if what == "region":
                message = _("The minimum share for region %(key)s must be a percentage from 0 to 100.", key=key)
            else:
                message = _("The minimum share for thematic area %(key)s must be a percentage from 0 to 100.", key=key)
            raise ValueError(message)
        if share > 0:
            result[key] = share
    if sum(result.values(), Fraction(0)) > 100:
        if what == "region":
            raise ValueError(_("The minimum shares per region add up to more than 100%."))
        raise ValueError(_("The minimum shares per thematic area add up to more than 100%."))
    return result


def share_problems(
    chosen: list[PipelineItem], min_area_share: Mapping[str, Fraction], min_region_share: Mapping[str, Fraction]
) -> list[str]:
    """The minimum shares a set of items misses, as sentences."""
    total = sum(cents(i.amount) for i in chosen)
    problems = []
    for attr, minimums in (("area", min_area_share), ("region", min_region_share)):
        for key, share in minimums.items():
            part = sum(cents(i.amount) for i in chosen if getattr(i, attr) == key)
            if part * 100 < share * total:
                actual = Fraction(part * 100, total) if total else Fraction(0)
                problems.append(
                    _(
                        "%(key)s below its minimum share of %(share)s (%(actual)s of %(total)s)",
                        key=key,
                        share=_pct(share),
                        actual=_pct(actual),
                        total=_fmt(total),
                    )
                )
    return problems


def _pct(value: Fraction) -> str:
    """A share as a percentage with one decimal, in the language's format ("12.5%", "12,5 %")."""
    return format_percent(Decimal(value.numerator) / Decimal(value.denominator), 1)


def _draw_text(earmarked: int, unearmarked: int, area: str) -> str:
    if earmarked and unearmarked:
        return _(
            "%(earmarked)s from the %(area)s earmarked pool and %(unearmarked)s from the unearmarked pool",
            earmarked=_fmt(earmarked),
            area=area,
            unearmarked=_fmt(unearmarked),
        )
    if earmarked:
        return _("%(earmarked)s from the %(area)s earmarked pool", earmarked=_fmt(earmarked), area=area)
    if unearmarked:
        return _("%(unearmarked)s from the unearmarked pool", unearmarked=_fmt(unearmarked))
    return ""


class Purse:
    """Remaining money in cents; draws earmarked first."""

    def __init__(self, pools: Pools) -> None:
        self.earmarked = {area: cents(v) for area, v in pools.earmarked.items()}
        self.unearmarked = cents(pools.unearmarked)

    def available(self, area: str) -> int:
        return self.earmarked.get(area, 0) + self.unearmarked

    def draw(self, area: str, amount: int) -> tuple[int, int]:
        from_earmarked = min(amount, self.earmarked.get(area, 0))
        from_unearmarked = amount - from_earmarked
        if from_unearmarked > self.unearmarked:
            raise ValueError("Not enough money")  # a bug, never shown: callers check available() first
        if area in self.earmarked:
            self.earmarked[area] -= from_earmarked
        self.unearmarked -= from_unearmarked
        return from_earmarked, from_unearmarked

    def shortfall_text(self, item: PipelineItem, when: str) -> str:
        """Why the item does not fit; `when`: after the better-ranked items (RANK_ORDER), once the proven best
        combination (OPTIMAL) or the best found in time (FEASIBLE) is funded."""
        area = item.area
        figures = {
            "amount": format_money(item.amount),
            "available": _fmt(self.available(area)),
            "area": area,
            "earmarked": _fmt(self.earmarked.get(area, 0)),
            "unearmarked": _fmt(self.unearmarked),
        }
        if when == OPTIMAL:
            return _(
                "Needs %(amount)s, only %(available)s available for %(area)s once the higher-scoring combination "
                "is funded (%(earmarked)s earmarked for %(area)s + %(unearmarked)s unearmarked)",
                **figures,
            )
        if when == FEASIBLE:
            return _(
                "Needs %(amount)s, only %(available)s available for %(area)s once the best combination found "
                "within the time limit is funded (%(earmarked)s earmarked for %(area)s + %(unearmarked)s unearmarked)",
                **figures,
            )
        return _(
            "Needs %(amount)s, only %(available)s available for %(area)s after the items ranked above it "
            "(%(earmarked)s earmarked for %(area)s + %(unearmarked)s unearmarked)",
            **figures,
        )

    def pools(self) -> Pools:
        return Pools({a: _money(c) for a, c in self.earmarked.items()}, _money(self.unearmarked))


# Mode 1: rank order ---------------------------------------------------------------------------------------


def rank_order(items: list[PipelineItem], pools: Pools) -> Scenario:
    """Fund in rank order what fits; explain every item."""
    items = sorted(items, key=rank_key)
    check_items(items, pools)
    purse = Purse(pools)
    lines = []
    for item in items:
        amount = cents(item.amount)
        if amount <= purse.available(item.area):
            from_e, from_u = purse.draw(item.area, amount)
            draw = _draw_text(from_e, from_u, item.area)
            reason = _("Funded in rank order (rank %(rank)s): %(draw)s", rank=item.rank, draw=draw)
            lines.append(Line(item, True, _money(from_e), _money(from_u), reason))
        else:
            reason = purse.shortfall_text(item, RANK_ORDER)
            lines.append(Line(item, False, Decimal("0.00"), Decimal("0.00"), reason))
    return Scenario(RANK_ORDER, tuple(lines), purse.pools())


# Mode 2: best score, on CP-SAT ----------------------------------------------------------------------------


class _Model:
    """The CP-SAT model of one best-score question (see the module docstring); items in rank order."""

    def __init__(
        self, items: list[PipelineItem], pools: Pools, constraints: list[tuple[str, str, Fraction]], workers: int
    ) -> None:
        self.items = items
        self.workers = workers
        self.model = cp_model.CpModel()
        self.x = [self.model.new_bool_var(f"x{k}") for k in range(len(items))]
        self.amount = [cents(i.amount) for i in items]
        self.score = [cents(i.score) for i in items]  # hundredths of a point
        self._affordable(pools)
        for attr, key, share in constraints:
            coefficients = [
                (100 * share.denominator * (1 if getattr(item, attr) == key else 0) - share.numerator) * amount
                for item, amount in zip(items, self.amount, strict=True)
            ]
            _fits(coefficients)
            self.model.add(sum(c * x for c, x in zip(coefficients, self.x, strict=True)) >= 0)

    def _affordable(self, pools: Pools) -> None:
        earmarked = {area: cents(v) for area, v in pools.earmarked.items()}
        overflows = []
        for area in sorted({i.area for i in self.items}):
            members = [k for k, item in enumerate(self.items) if item.area == area]
            demand = sum(self.amount[k] for k in members)
            own = earmarked.get(area, 0)
            if demand <= own:
                continue  # the area's own pool covers all of its items
            _fits([self.amount[k] for k in members])
            overflow = self.model.new_int_var(0, demand - own, f"over_{area}")
            self.model.add(overflow >= sum(self.amount[k] * self.x[k] for k in members) - own)
            overflows.append(overflow)
        if overflows:
            self.model.add(sum(overflows) <= cents(pools.unearmarked))

    def solve(self, start: list[bool], deadline: float) -> tuple[list[bool], str]:
        """(chosen flags in rank order, OPTIMAL or FEASIBLE), starting from `start` (affordable, within the shares)."""
        n = len(self.items)
        if n == 0:
            return [], OPTIMAL
        objective = sum(s * x for s, x in zip(self.score, self.x, strict=True))
        self.model.maximize(objective)
        chosen, status = self._run(start, deadline)
        if status != OPTIMAL:
            return chosen, FEASIBLE
        best = sum(s for s, keep in zip(self.score, chosen, strict=True) if keep)
        self.model.add(objective == best)
        for first in range(0, n, TIE_BREAK_BLOCK):
            block = range(first, min(n, first + TIE_BREAK_BLOCK))
            size = len(block)
            self.model.maximize(sum((1 << (size - 1 - j)) * self.x[k] for j, k in enumerate(block)))
            chosen, status = self._run(chosen, deadline)
            if status != OPTIMAL:
                return chosen, FEASIBLE
            for k in block:
                self.model.add(self.x[k] == int(chosen[k]))
        return chosen, OPTIMAL

    def _run(self, start: list[bool], deadline: float) -> tuple[list[bool], str]:
        self.model.clear_hints()
        for var, keep in zip(self.x, start, strict=True):
            self.model.add_hint(var, keep)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = 1
        status = solver.solve(self.model)
        if status == cp_model.OPTIMAL:
            return [bool(solver.boolean_value(x)) for x in self.x], OPTIMAL
        if status == cp_model.FEASIBLE:
            return [bool(solver.boolean_value(x)) for x in self.x], FEASIBLE
        return list(start), FEASIBLE  # nothing better found in time: the known combination stands


def _fits(coefficients: list[int]) -> None:
    if sum(abs(c) for c in coefficients) >= MAX_TERM_SUM:
        raise ScenarioTooLarge(
            _(
                "The amounts and minimum shares are too large for the solver's exact arithmetic; "
                "state the shares with fewer decimals."
            )
        )


def _start(
    items: list[PipelineItem], pools: Pools, area_share: Mapping[str, Fraction], region_share: Mapping[str, Fraction]
) -> list[bool]:
    """A combination known to be affordable and within the shares: rank order's, or else nothing."""
    ranked = rank_order(items, pools)
    funded = {line.item.id for line in ranked.lines if line.funded}
    chosen = [i for i in items if i.id in funded]
    if share_problems(chosen, area_share, region_share):
        return [False] * len(items)
    return [i.id in funded for i in items]


def best_score(
    items: list[PipelineItem],
    pools: Pools,
    min_area_share: Mapping[str, Decimal] | None = None,
    min_region_share: Mapping[str, Decimal] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = 2,
) -> Scenario:
    """The affordable subset with the largest total score, within the minimum shares (percent)."""
    began = time.monotonic()
    items = sorted(items, key=rank_key)
    check_items(items, pools)
    area_share = as_shares(min_area_share, "area")
    region_share = as_shares(min_region_share, "region")
    constraints = [("area", k, s) for k, s in area_share.items()] + [("region", k, s) for k, s in region_share.items()]
    model = _Model(items, pools, constraints, workers)
    flags, status = model.solve(_start(items, pools, area_share, region_share), began + time_limit)
    chosen_ids = {item.id for item, keep in zip(items, flags, strict=True) if keep}
    lines, purse = _explain(items, pools, chosen_ids, area_share, region_share, status)
    return Scenario(
        BEST_SCORE,
        tuple(lines),
        purse.pools(),
        {k: Decimal(v.numerator) / Decimal(v.denominator) for k, v in area_share.items()},
        {k: Decimal(v.numerator) / Decimal(v.denominator) for k, v in region_share.items()},
        status=status,
        seconds=time.monotonic() - began,
    )


def _explain(
    items: list[PipelineItem],
    pools: Pools,
    chosen_ids: set,
    area_share: Mapping[str, Fraction],
    region_share: Mapping[str, Fraction],
    status: str,
) -> tuple[list[Line], Purse]:
    """One line per item: what a funded item draws (better-ranked items take the earmarked money first), or why
    an item is left out."""
    purse = Purse(pools)
    draws = {item.id: purse.draw(item.area, cents(item.amount)) for item in items if item.id in chosen_ids}
    chosen = [i for i in items if i.id in chosen_ids]
    lines = []
    for item in items:
        if item.id in chosen_ids:
            from_e, from_u = draws[item.id]
            reason = _funded_text(item, status, _draw_text(from_e, from_u, item.area))
            lines.append(Line(item, True, _money(from_e), _money(from_u), reason))
            continue
        if cents(item.amount) > purse.available(item.area):
            reason = purse.shortfall_text(item, status)
        else:
            problems = share_problems([*chosen, item], area_share, region_share)
            if problems:
                reason = _(
                    "Fits in the money left, but adding it would leave %(problems)s", problems="; ".join(problems)
                )
            elif status == OPTIMAL:
                reason = _("Not in the highest-scoring combination")
            else:
                reason = _("Not in the best combination found within the time limit")
        lines.append(Line(item, False, Decimal("0.00"), Decimal("0.00"), reason))
    return lines, purse


def _funded_text(item: PipelineItem, status: str, draw: str) -> str:
    if status == OPTIMAL:
        return _(
            "Funded (score %(score)s): part of the highest-scoring combination the pools allow; %(draw)s",
            score=item.score,
            draw=draw,
        )
    return _(
        "Funded (score %(score)s): part of the best combination found within the time limit the pools allow; %(draw)s",
        score=item.score,
        draw=draw,
    )
