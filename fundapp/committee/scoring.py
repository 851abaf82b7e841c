"""Scoring maths: per-criterion averages, the weighted total on 0–100 and the spread between members.

Pure functions over plain values, exact throughout (fractions), rounded half up to two decimals only
for the results.

The weighted total maps each criterion's mean score s (1..5) linearly onto 0..100, so the lowest score
gives 0 and the highest 100, and weighs it by the criterion's weight (weights sum to 100):

    total = Σ_c  weight_c / 100 × (s_c − 1) / 4 × 100  =  Σ_c  weight_c × (s_c − 1) / 4

Why not s/5 × 100: a note scored 1 ("poor") everywhere would get 20 rather than 0, which reads as
partial merit. Each member's own total uses the same formula over that member's scores; the overall
total equals the mean of the members' totals (the formula is linear), so the two views agree.
The spread is max − min: per criterion over the members' scores, and over the members' totals.
"""

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

MIN_SCORE = 1
MAX_SCORE = 5
TOTAL_WEIGHT = 100


def round_half_up(value: Fraction) -> Decimal:
    """Exact half-up rounding (away from zero) of a fraction to two decimals."""
    sign = -1 if value < 0 else 1
    scaled = abs(value) * 100
    cents = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)
    return (Decimal(sign * cents) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class CriterionResult:
    code: str
    weight: int
    mean: Decimal
    minimum: int
    maximum: int
    spread: int
    #: The criterion's contribution to the weighted total (0..weight).
    points: Decimal


@dataclass(frozen=True)
class ScoreSummary:
    members: int
    criteria: tuple[CriterionResult, ...]
    weighted_total: Decimal | None
    member_totals: Mapping[Hashable, Decimal]
    total_spread: Decimal | None

    def criterion(self, code: str) -> CriterionResult:
        return next(c for c in self.criteria if c.code == code)


def check_weights(weights: Mapping[str, int]) -> None:
    if not weights:
        raise ValueError("No criteria.")
    if any(not isinstance(w, int) or w <= 0 for w in weights.values()):
        raise ValueError("Weights are positive whole numbers.")
    total = sum(weights.values())
    if total != TOTAL_WEIGHT:
        raise ValueError(f"Weights sum to {total}, not {TOTAL_WEIGHT}.")


def _points(weight: int, mean: Fraction) -> Fraction:
    return Fraction(weight) * (mean - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)


def member_total(scores: Mapping[str, int], weights: Mapping[str, int]) -> Fraction:
    """One member's weighted total on 0..100, exact."""
    return sum((_points(w, Fraction(scores[code])) for code, w in weights.items()), Fraction(0))


def _check_scores(member: Hashable, scores: Mapping[str, int], weights: Mapping[str, int]) -> None:
    if set(scores) != set(weights):
        missing = sorted(set(weights) - set(scores))
        extra = sorted(set(scores) - set(weights))
        raise ValueError(f"Member {member}: scores must cover every criterion (missing {missing}, unknown {extra}).")
    for code, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or not MIN_SCORE <= value <= MAX_SCORE:
            raise ValueError(f"Member {member}: score for {code} must be a whole number from 1 to 5, not {value!r}.")


def summarise(scores: Mapping[Hashable, Mapping[str, int]], weights: Mapping[str, int]) -> ScoreSummary:
    """Averages, weighted total and spreads for one note, from member → criterion code → score (1..5).

    Criteria come out in the order of `weights`. With no scores yet the summary has 0 members and no
    total (None), never a misleading 0.
    """
    check_weights(weights)
    for member, member_scores in scores.items():
        _check_scores(member, member_scores, weights)
    if not scores:
        return ScoreSummary(0, (), None, {}, None)
    count = len(scores)
    results = []
    total = Fraction(0)
    for code, weight in weights.items():
        values = [member_scores[code] for member_scores in scores.values()]
        mean = Fraction(sum(values), count)
        points = _points(weight, mean)
        total += points
        results.append(
            CriterionResult(
                code=code,
                weight=weight,
                mean=round_half_up(mean),
                minimum=min(values),
                maximum=max(values),
                spread=max(values) - min(values),
                points=round_half_up(points),
            )
        )
    exact_totals = {member: member_total(member_scores, weights) for member, member_scores in scores.items()}
    return ScoreSummary(
        members=count,
        criteria=tuple(results),
        weighted_total=round_half_up(total),
        member_totals={member: round_half_up(t) for member, t in exact_totals.items()},
        total_spread=round_half_up(max(exact_totals.values()) - min(exact_totals.values())),
    )
