"""The pipeline of endorsed joint programmes, its ranking, the money available per pool, and funding scenarios.

"Identified" joint programmes are the notes the committee endorsed into the pipeline and that are not yet
funded: status endorsed or ready_for_implementation. "Ready for implementation" are those whose light joint
programme document is approved. "Funded" notes had a funding decision (and an allocation in the ledger).

Funding scenarios (the optimiser, pure functions over plain dataclasses; money is exact, integer cents inside,
Decimal outside) answer which pipeline items the money available can fund, and why each is in or out.

Pools: each thematic area's earmarked pool can fund only that area's items; the unearmarked pool can
fund any item. An item may draw on both; it draws its own area's earmarked pool first, so unearmarked
money stays free for the others.

Mode 1, rank_order(): walk the pipeline by rank (ties by id), fund an item when its amount fits in its
area's earmarked pool plus the unearmarked pool, otherwise skip it with the shortfall, and go on (a later,
smaller item may still fit).

Mode 2, best_score(): the subset of items with the largest total weighted score that the pools can fund,
optionally with a minimum share per thematic area and per region, each a percentage of the funded total
amount (a share, not a count: "at least 20% of the money to TA1" is how a committee states a balance, and
a count can be met by one tiny grant). Ties between subsets with the same total score go to the subset that
includes the better-ranked item at the first place where they differ (rank, then id).

The solver is an exact depth-first branch and bound (no solver package, so no floating-point tolerance and
no dependency). Correctness does not rest on heuristics:

- A set S is affordable iff for every set B of areas, Σ_{a∈B} amount_a(S) ≤ Σ_{a∈B} earmarked_a +
  unearmarked, i.e. iff Σ_a max(0, amount_a(S) − earmarked_a) ≤ unearmarked. The affordable amounts form a
  polymatroid, so the fractional relaxation (items may be funded in part) is solved exactly by the greedy
  fill in order of value per dollar; that value is an upper bound for every completion of a partial choice,
  and a branch whose bound cannot beat the best set found is pruned. Minimum shares are ignored by the
  bound (it stays an upper bound) and checked on every candidate set.
- The tie-break is made part of the objective: item i at position p in rank order is worth
  score_i × 2ⁿ + 2ⁿ⁻¹⁻ᵖ (scores in hundredths, integers). The bonuses sum to less than one hundredth of a
  point, so they only decide between equal scores, and they make every subset's value distinct, so the
  optimum is unique and does not depend on the search order.

Every node is a candidate, the bound is exact arithmetic, so the result is optimal. Search time is
exponential in the worst case; pipelines of ~60 items solve in well under a second in practice, and a node
limit turns a pathological case into a clear error (ScenarioTooLarge) rather than a hung request.
"""

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.auth.models import Organisation, OrganisationType, User
from fundapp.committee import services, workflow
from fundapp.committee.models import JointProgrammeDocument
from fundapp.committee.rules import ScoreSummary
from fundapp.concept_notes.models import ConceptNote, Participant
from fundapp.contributions import ledger
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.extensions import db
from fundapp.core.money import format_money, money_str, to_money
from fundapp.reference.models import Country, ThematicArea

# Funding scenarios: the optimiser over plain values ------------------------------------------------

RANK_ORDER = "rank_order"
BEST_SCORE = "best_score"
DEFAULT_NODE_LIMIT = 1_000_000
#: Lagrange multipliers are multiples of 1/LAMBDA_DENOMINATOR (of a score cent per dollar cent).
LAMBDA_DENOMINATOR = 10**6


class ScenarioTooLarge(ValueError):
    """The exact search exceeded its node limit; narrow the pipeline or raise the limit."""


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
    nodes: int = 0

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


# Scenario helpers -----------------------------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int(to_money(amount) * 100)


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _fmt(cents: int) -> str:
    return format_money(_money(cents))


def _rank_key(item: PipelineItem) -> tuple:
    return (item.rank, item.id)


def _check_items(items: list[PipelineItem], pools: Pools) -> None:
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError("Pipeline item ids must be unique.")
    for item in items:
        if to_money(item.amount) <= 0:
            raise ValueError(f"Item {item.id}: the amount requested must be positive.")
        if item.score < 0 or item.score != item.score.quantize(Decimal("0.01")):
            raise ValueError(f"Item {item.id}: the score must be non-negative with at most two decimals.")
    if pools.unearmarked < 0 or any(v < 0 for v in pools.earmarked.values()):
        raise ValueError("Pools cannot be negative.")


def _draw_text(earmarked: int, unearmarked: int, area: str) -> str:
    parts = []
    if earmarked:
        parts.append(f"{_fmt(earmarked)} from the {area} earmarked pool")
    if unearmarked:
        parts.append(f"{_fmt(unearmarked)} from the unearmarked pool")
    return " and ".join(parts)


class _Purse:
    """Remaining money in cents; draws earmarked first."""

    def __init__(self, pools: Pools) -> None:
        self.earmarked = {area: _cents(v) for area, v in pools.earmarked.items()}
        self.unearmarked = _cents(pools.unearmarked)

    def available(self, area: str) -> int:
        return self.earmarked.get(area, 0) + self.unearmarked

    def draw(self, area: str, cents: int) -> tuple[int, int]:
        from_earmarked = min(cents, self.earmarked.get(area, 0))
        from_unearmarked = cents - from_earmarked
        if from_unearmarked > self.unearmarked:
            raise ValueError("Not enough money")  # callers check available() first
        if area in self.earmarked:
            self.earmarked[area] -= from_earmarked
        self.unearmarked -= from_unearmarked
        return from_earmarked, from_unearmarked

    def shortfall_text(self, item: PipelineItem, after: str = "") -> str:
        area = item.area
        return (
            f"Needs {format_money(item.amount)}, only {_fmt(self.available(area))} available for {area}{after} "
            f"({_fmt(self.earmarked.get(area, 0))} earmarked for {area} + {_fmt(self.unearmarked)} unearmarked)"
        )

    def pools(self) -> Pools:
        return Pools({a: _money(c) for a, c in self.earmarked.items()}, _money(self.unearmarked))


# Mode 1: rank order -------------------------------------------------------------------------------


def rank_order(items: list[PipelineItem], pools: Pools) -> Scenario:
    """Fund in rank order what fits; explain every item."""
    items = sorted(items, key=_rank_key)
    _check_items(items, pools)
    purse = _Purse(pools)
    lines = []
    for item in items:
        cents = _cents(item.amount)
        if cents <= purse.available(item.area):
            from_e, from_u = purse.draw(item.area, cents)
            reason = f"Funded in rank order (rank {item.rank}): {_draw_text(from_e, from_u, item.area)}"
            lines.append(Line(item, True, _money(from_e), _money(from_u), reason))
        else:
            reason = purse.shortfall_text(item, " after the items ranked above it")
            lines.append(Line(item, False, Decimal("0.00"), Decimal("0.00"), reason))
    return Scenario(RANK_ORDER, tuple(lines), purse.pools())


# Mode 2: best score -------------------------------------------------------------------------------


def _share_problems(
    chosen: list[PipelineItem], min_area_share: Mapping[str, Fraction], min_region_share: Mapping[str, Fraction]
) -> list[str]:
    total = sum(_cents(i.amount) for i in chosen)
    problems = []
    for attr, minimums in (("area", min_area_share), ("region", min_region_share)):
        for key, share in minimums.items():
            part = sum(_cents(i.amount) for i in chosen if getattr(i, attr) == key)
            if part * 100 < share * total:
                actual = Fraction(part * 100, total) if total else Fraction(0)
                problems.append(f"{key} below its minimum share of {_pct(share)}% ({_pct(actual)}% of {_fmt(total)})")
    return problems


def _pct(value: Fraction) -> str:
    return f"{(Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal('0.1'))}"


def _as_shares(shares: Mapping[str, Decimal] | None, what: str) -> dict[str, Fraction]:
    result = {}
    for key, value in (shares or {}).items():
        share = Fraction(Decimal(value))
        if not 0 <= share <= 100:
            raise ValueError(f"The minimum share for {what} {key} must be a percentage from 0 to 100.")
        if share > 0:
            result[key] = share
    if sum(result.values(), Fraction(0)) > 100:
        raise ValueError(f"The minimum shares per {what} add up to more than 100%.")
    return result


class _Search:
    """Depth-first branch and bound; see the module docstring for why the result is optimal."""

    def __init__(self, items: list[PipelineItem], pools: Pools, area_share, region_share, node_limit: int) -> None:
        n = len(items)
        by_rank = sorted(items, key=_rank_key)
        position = {item.id: p for p, item in enumerate(by_rank)}
        scale = 1 << n
        #: Values are scaled by LAMBDA_DENOMINATOR so that the Lagrangian values below stay integers.
        self.value = {
            i.id: (_cents(i.score) * scale + (1 << (n - 1 - position[i.id]))) * LAMBDA_DENOMINATOR for i in items
        }
        self.amount = {i.id: _cents(i.amount) for i in items}
        self.order = sorted(items, key=lambda i: (-Fraction(self.value[i.id], self.amount[i.id]), *_rank_key(i)))
        self.step_of = {item.id: k for k, item in enumerate(self.order)}
        self.area_share = area_share
        self.region_share = region_share
        #: (attribute, key, share) per minimum-share constraint: 100 × part(key) − share × total ≥ 0.
        self.constraints = [("area", k, s) for k, s in area_share.items()] + [
            ("region", k, s) for k, s in region_share.items()
        ]
        self.purse = _Purse(pools)
        self.node_limit = node_limit
        self.nodes = 0
        self.chosen: list[PipelineItem] = []
        self.best_value = -1
        self.best: list[PipelineItem] = []
        self._prepare_lagrangian(pools, scale)

    # Bounds

    def _greedy(self, candidates: list[PipelineItem], values: Mapping[Hashable, int], k: int) -> int:
        """The fractional optimum over the candidates still open at step k, with the money left, rounded up.

        Greedy in order of value per dollar is exact here because affordable amounts form a polymatroid.
        """
        earmarked = dict(self.purse.earmarked)
        unearmarked = self.purse.unearmarked
        total = 0
        for item in candidates:
            if self.step_of[item.id] < k:
                continue
            own = earmarked.get(item.area, 0)
            capacity = own + unearmarked
            if capacity <= 0:
                continue
            amount = self.amount[item.id]
            take = min(amount, capacity)
            total += -(-values[item.id] * take // amount)  # ceiling: the bound stays an upper bound
            from_e = min(take, own)
            if own:
                earmarked[item.area] = own - from_e
            unearmarked -= take - from_e
        return total

    def _gain(self, item: PipelineItem) -> int:
        """How much item i adds to Σ_c λ_c × (100 × part_c − share_c × total), rounded up."""
        gain = Fraction(0)
        for c, (attr, key, share) in enumerate(self.constraints):
            if self.multipliers.get(c):
                inside = 100 if getattr(item, attr) == key else 0
                gain += self.multipliers[c] * (inside - share) * self.amount[item.id]
        return -(-gain.numerator // gain.denominator)

    def _prepare_lagrangian(self, pools: Pools, scale: int) -> None:
        """Multipliers for the share constraints (Lagrangian relaxation), tuned once at the root.

        Any multipliers ≥ 0 give a valid upper bound, so they are tuned in floating point by a few
        subgradient steps and then used as exact fractions; only the strength of the bound depends on them.
        """
        self.multipliers: dict[int, int] = {}
        self.lagrange_order: list[PipelineItem] = []
        self.lagrange_value: dict[Hashable, int] = {}
        self.lagrange_gain: dict[Hashable, int] = {}
        self.current_gain = 0
        if not self.constraints:
            return
        items = self.order
        values = {i.id: self.value[i.id] / scale for i in items}  # score cents, float, for tuning only
        lam = [0.0] * len(self.constraints)
        best = (float("inf"), lam[:])
        money = sum(self.amount.values()) or 1
        step = max(values.values(), default=1.0) / money
        for _ in range(150):
            modified = {
                i.id: values[i.id]
                + sum(
                    lam[c] * ((100 if getattr(i, attr) == key else 0) - float(share)) * self.amount[i.id]
                    for c, (attr, key, share) in enumerate(self.constraints)
                )
                for i in items
            }
            chosen = self._float_greedy(items, modified, pools)
            bound = sum(modified[i] * f for i, f in chosen.items())
            if bound < best[0]:
                best = (bound, lam[:])
            slack = [
                sum(
                    ((100 if getattr(i, attr) == key else 0) - float(share)) * self.amount[i.id] * chosen.get(i.id, 0)
                    for i in items
                )
                for (attr, key, share) in self.constraints
            ]
            norm = sum(g * g for g in slack) ** 0.5
            if norm == 0:
                break
            lam = [max(0.0, lam[c] - step * slack[c] / norm) for c in range(len(lam))]
            step *= 0.95
        # In the scaled units of self.value: λ (score cents per dollar cent) × scale × LAMBDA_DENOMINATOR.
        self.multipliers = {
            c: int(v * LAMBDA_DENOMINATOR) * scale for c, v in enumerate(best[1]) if int(v * LAMBDA_DENOMINATOR) > 0
        }
        if not self.multipliers:
            return
        self.lagrange_gain = {i.id: self._gain(i) for i in items}
        self.lagrange_value = {i.id: self.value[i.id] + self.lagrange_gain[i.id] for i in items}
        positive = [i for i in items if self.lagrange_value[i.id] > 0]
        self.lagrange_order = sorted(
            positive, key=lambda i: (-Fraction(self.lagrange_value[i.id], self.amount[i.id]), *_rank_key(i))
        )

    def _float_greedy(self, items: list[PipelineItem], values: Mapping[Hashable, float], pools: Pools) -> dict:
        purse = _Purse(pools)
        fractions = {}
        for item in sorted((i for i in items if values[i.id] > 0), key=lambda i: -values[i.id] / self.amount[i.id]):
            capacity = purse.available(item.area)
            if capacity <= 0:
                continue
            take = min(self.amount[item.id], capacity)
            purse.draw(item.area, take)
            fractions[item.id] = take / self.amount[item.id]
        return fractions

    def bound(self, k: int, value: int) -> int:
        """An upper bound on the value of any set that extends the current choice with items from step k.

        With share constraints, the Lagrangian bound: for a set meeting every share, each λ_c × (100 ×
        part_c − share_c × total) is ≥ 0, so value ≤ value + Σ gains, whose maximum the greedy bounds.
        """
        if self.multipliers:
            lagrangian = value + self.current_gain + self._greedy(self.lagrange_order, self.lagrange_value, k)
            if lagrangian <= self.best_value:
                return lagrangian
        return value + self._greedy(self.order, self.value, k)

    # Search

    def run(self) -> list[PipelineItem]:
        self._visit(0, 0)
        return self.best

    def _visit(self, k: int, value: int) -> None:
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise ScenarioTooLarge(
                f"The exact search stopped after {self.node_limit:,} steps; reduce the pipeline or the constraints."
            )
        if value > self.best_value and not _share_problems(self.chosen, self.area_share, self.region_share):
            self.best_value = value
            self.best = list(self.chosen)
        if k == len(self.order) or self.bound(k, value) <= self.best_value:
            return
        item = self.order[k]
        amount = self.amount[item.id]
        if amount <= self.purse.available(item.area):
            saved = (self.purse.earmarked.get(item.area), self.purse.unearmarked)
            self.purse.draw(item.area, amount)
            self.chosen.append(item)
            self.current_gain += self.lagrange_gain.get(item.id, 0)
            self._visit(k + 1, value + self.value[item.id])
            self.current_gain -= self.lagrange_gain.get(item.id, 0)
            self.chosen.pop()
            if saved[0] is not None:
                self.purse.earmarked[item.area] = saved[0]
            self.purse.unearmarked = saved[1]
        self._visit(k + 1, value)


def best_score(
    items: list[PipelineItem],
    pools: Pools,
    min_area_share: Mapping[str, Decimal] | None = None,
    min_region_share: Mapping[str, Decimal] | None = None,
    node_limit: int = DEFAULT_NODE_LIMIT,
) -> Scenario:
    """The affordable subset with the largest total score (exact), within the minimum shares (percent)."""
    items = sorted(items, key=_rank_key)
    _check_items(items, pools)
    area_share = _as_shares(min_area_share, "thematic area")
    region_share = _as_shares(min_region_share, "region")
    search = _Search(items, pools, area_share, region_share, node_limit)
    chosen_ids = {i.id for i in search.run()}
    purse = _Purse(pools)
    draws = {}
    for item in items:  # rank order: better-ranked items take the earmarked money first
        if item.id in chosen_ids:
            draws[item.id] = purse.draw(item.area, _cents(item.amount))
    chosen = [i for i in items if i.id in chosen_ids]
    lines = []
    for item in items:
        if item.id in chosen_ids:
            from_e, from_u = draws[item.id]
            reason = (
                f"Funded (score {item.score}): part of the highest-scoring combination the pools allow; "
                f"{_draw_text(from_e, from_u, item.area)}"
            )
            lines.append(Line(item, True, _money(from_e), _money(from_u), reason))
            continue
        if _cents(item.amount) > purse.available(item.area):
            reason = purse.shortfall_text(item, " once the higher-scoring combination is funded")
        else:
            problems = _share_problems([*chosen, item], area_share, region_share)
            reason = (
                "Fits in the money left, but adding it would leave " + "; ".join(problems)
                if problems
                else "Not in the highest-scoring combination"
            )
        lines.append(Line(item, False, Decimal("0.00"), Decimal("0.00"), reason))
    return Scenario(
        BEST_SCORE,
        tuple(lines),
        purse.pools(),
        {k: Decimal(v.numerator) / Decimal(v.denominator) for k, v in area_share.items()},
        {k: Decimal(v.numerator) / Decimal(v.denominator) for k, v in region_share.items()},
        nodes=search.nodes,
    )


# The pipeline -------------------------------------------------------------------------------------

ZERO = Decimal("0.00")
GLOBAL = "Global"
MULTI_REGIONAL = "Multi-regional"


def region_of(note: ConceptNote) -> str:
    """The M49 region of the note's countries: one region, Multi-regional, or Global when no country is named."""
    regions = {c.region.name for c in note.countries if c.region is not None}
    if not regions:
        return GLOBAL
    return regions.pop() if len(regions) == 1 else MULTI_REGIONAL


@dataclass
class PipelineRow:
    rank: int
    note: ConceptNote
    summary: ScoreSummary
    region: str

    @property
    def score(self) -> Decimal:
        return self.summary.weighted_total if self.summary.weighted_total is not None else ZERO

    @property
    def is_ready(self) -> bool:
        """Ready for implementation (its joint programme document is approved), not only endorsed."""
        return self.note.status == workflow.READY


def _notes(states: tuple[str, ...]) -> list[ConceptNote]:
    return list(
        db.session.scalars(
            sa.select(ConceptNote)
            .where(ConceptNote.status.in_(states))
            .options(
                selectinload(ConceptNote.countries).selectinload(Country.region),
                selectinload(ConceptNote.participants),
            )
            .order_by(ConceptNote.id)
        )
    )


def ranked_pipeline(states: tuple[str, ...] = workflow.PIPELINE_STATES) -> list[PipelineRow]:
    """Endorsed notes not yet funded, ranked by weighted score (ties: the earlier note first)."""
    notes = _notes(states)
    summaries = services.summaries_by_note(notes)
    rows = [PipelineRow(0, n, summaries[n.id], region_of(n)) for n in notes]
    rows.sort(key=lambda r: (-r.score, r.note.id))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


def available_pools() -> tuple[list[ledger.Pool], Pools]:
    """The ledger's pools and the same money as the scenario's Pools (earmarked by area code)."""
    balances = ledger.pool_balances()
    earmarked = {p.label: p.available for p in balances if p.area_id is not None}
    unearmarked = next(p.available for p in balances if p.area_id is None)
    return balances, Pools(earmarked=earmarked, unearmarked=unearmarked)


def pipeline_items(rows: list[PipelineRow]) -> list[PipelineItem]:
    return [
        PipelineItem(
            id=row.note.id,
            rank=row.rank,
            score=row.score,
            amount=row.note.budget_total,
            area=row.note.thematic_area.code if row.note.thematic_area else "—",
            region=row.region,
            title=f"{row.note.reference} {row.note.title}",
        )
        for row in rows
    ]


def distribution(rows: list[PipelineRow]) -> dict[str, list[tuple[str, int, Decimal]]]:
    """(key, count, amount requested) per thematic area and per region."""
    by_area: dict[str, list] = defaultdict(lambda: [0, ZERO])
    by_region: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for row in rows:
        area = row.note.thematic_area.code if row.note.thematic_area else "—"
        for table, key in ((by_area, area), (by_region, row.region)):
            table[key][0] += 1
            table[key][1] += row.note.budget_total
    return {
        "area": sorted((k, c, a) for k, (c, a) in by_area.items()),
        "region": sorted(((k, c, a) for k, (c, a) in by_region.items()), key=lambda r: -r[2]),
    }


def run_scenarios(
    min_area_share: Mapping[str, Decimal] | None = None, min_region_share: Mapping[str, Decimal] | None = None
) -> dict[str, Any]:
    """Both modes over the ready-or-endorsed pipeline and the pools' available money."""
    rows = ranked_pipeline()
    balances, available = available_pools()
    items = pipeline_items(rows)
    result: dict[str, Any] = {"rows": rows, "pools": balances, "available": available}
    result["rank_order"] = rank_order(items, available)
    try:
        result["best_score"] = best_score(items, available, min_area_share, min_region_share)
        result["best_error"] = None
    except (ValueError, ScenarioTooLarge) as exc:
        result["best_score"] = None
        result["best_error"] = str(exc)
    return result


# Pages ----------------------------------------------------------------------------------------------


def pipeline_page(user: User) -> dict[str, Any]:
    """The pipeline page: the ranking (scores only where this user may see them), the pools and the spread."""
    rows = ranked_pipeline()
    balances, _available = available_pools()
    return {
        "rows": rows,
        "visible": services.visible_score_note_ids(user, [r.note.id for r in rows]),
        "balances": balances,
        "dist": distribution(rows),
        "ready": sum(1 for r in rows if r.is_ready),
        "requested": sum((r.note.budget_total for r in rows), ZERO),
        "available": sum((p.available for p in balances), ZERO),
        "area_available": {p.label: p.available for p in balances if p.area_id},
        "unearmarked": next(p.available for p in balances if p.area_id is None),
    }


def scenario_page(
    user: User, min_area_share: Mapping[str, Decimal], min_region_share: Mapping[str, Decimal]
) -> dict[str, Any]:
    """Both scenarios, with the scores this user may see."""
    result = run_scenarios(min_area_share, min_region_share)
    result["visible"] = services.visible_score_note_ids(user, [r.note.id for r in result["rows"]])
    return result


def pack_ranks(overview: dict[str, Any]) -> dict[int, int]:
    """note id → rank, for the notes of a meeting pack whose scores are shown.

    Ranked among the notes whose review is closed: an open review's scores must not leak through a rank.
    """
    shown = {e["item"].concept_note_id for e in overview["items"] if e["summary"] is not None}
    ranking = ranked_pipeline((workflow.UNDER_REVIEW, *workflow.PIPELINE_STATES))
    closed = services.closed_note_ids([row.note.id for row in ranking])
    ranked = [row.note.id for row in ranking if row.note.id in closed]
    return {note_id: i for i, note_id in enumerate(ranked, start=1) if note_id in shown}


# Public figures -------------------------------------------------------------------------------------


def allocations_by_area() -> dict[int, Decimal]:
    """Money allocated to funded programmes per the programme's thematic area (reversals netted), one query."""
    query = (
        sa.select(ConceptNote.thematic_area_id, sa.func.sum(LedgerEntry.amount_usd))
        .join(JointProgrammeDocument, JointProgrammeDocument.id == LedgerEntry.programme_id)
        .join(ConceptNote, ConceptNote.id == JointProgrammeDocument.concept_note_id)
        .where(LedgerEntry.category == EntryKind.allocation)
        .group_by(ConceptNote.thematic_area_id)
    )
    return {area_id: to_money(total or 0) for area_id, total in db.session.execute(query)}


def public_pipeline() -> dict[str, Any]:
    """The pipeline and funding part of GET /api/v1/summary."""
    counts = dict(
        db.session.execute(
            sa.select(ConceptNote.status, sa.func.count())
            .where(ConceptNote.status.in_((workflow.ENDORSED, workflow.READY, workflow.FUNDED)))
            .group_by(ConceptNote.status)
        ).all()
    )
    participating = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Participant.organisation_id)))
        .join(ConceptNote, ConceptNote.id == Participant.concept_note_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .where(ConceptNote.status == workflow.FUNDED, Organisation.type == OrganisationType.un_entity)
    )
    return {
        "pipeline": {
            "identified": counts.get(workflow.ENDORSED, 0) + counts.get(workflow.READY, 0),
            "ready_for_implementation": counts.get(workflow.READY, 0),
        },
        "joint_programmes": {
            "funded": counts.get(workflow.FUNDED, 0),
            "participating_un_organizations": participating or 0,
        },
    }


def area_allocations() -> dict[str, str]:
    """Thematic area code → money allocated to its funded programmes (money string)."""
    totals = allocations_by_area()
    return {a.code: money_str(totals.get(a.id, ZERO)) for a in db.session.scalars(sa.select(ThematicArea))}
