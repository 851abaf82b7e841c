"""The exact search the funding optimiser used before CP-SAT, kept only as a test oracle on small instances.

A depth-first branch and bound (see the docstring of fundapp/committee/optimiser.py for the model it
solves; this is the same question answered without a solver package):

- A set S is affordable iff Σ_a max(0, amount_a(S) − earmarked_a) ≤ unearmarked. The affordable amounts form
  a polymatroid, so the fractional relaxation is solved exactly by the greedy fill in order of value per dollar;
  that value bounds every completion of a partial choice, and a branch whose bound cannot beat the best set
  found is pruned. Minimum shares are bounded by a Lagrangian relaxation and checked on every candidate set.
- The tie-break is part of the objective: item i at position p in rank order is worth score_i × 2ⁿ + 2ⁿ⁻¹⁻ᵖ
  (scores in hundredths, integers), so every subset's value is distinct and the optimum is unique.

Exponential in the worst case and recursive (a RecursionError beyond ~1,000 items): hence the solver.
"""

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction

from fundapp.committee.optimiser import PipelineItem, Pools, Purse, as_shares, check_items, share_problems
from fundapp.committee.optimiser import cents as _cents
from fundapp.committee.optimiser import rank_key as _rank_key

DEFAULT_NODE_LIMIT = 1_000_000
#: Lagrange multipliers are multiples of 1/LAMBDA_DENOMINATOR (of a score cent per dollar cent).
LAMBDA_DENOMINATOR = 10**6
_Purse = Purse
_share_problems = share_problems


class ScenarioTooLarge(ValueError):
    """The exact search exceeded its node limit."""


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


def oracle_best_score(
    items: list[PipelineItem],
    pools: Pools,
    min_area_share: Mapping[str, Decimal] | None = None,
    min_region_share: Mapping[str, Decimal] | None = None,
    node_limit: int = DEFAULT_NODE_LIMIT,
) -> tuple[list[Hashable], int]:
    """(ids of the best subset in rank order, search nodes visited)."""
    items = sorted(items, key=_rank_key)
    check_items(items, pools)
    area_share = as_shares(min_area_share, "thematic area")
    region_share = as_shares(min_region_share, "region")
    search = _Search(items, pools, area_share, region_share, node_limit)
    chosen = {i.id for i in search.run()}
    return [i.id for i in items if i.id in chosen], search.nodes
