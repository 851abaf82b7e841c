"""The committee's rules as pure code over plain values: how scores add up, and how a meeting decides.

Nothing here touches the database: the services gather who sits, who is present, who is recused, how each
member scored and voted, and ask these functions for the result. Seats are any hashable key (seat ids in the
app), with an optional label per key for the reason text ("Blocked: Norway objected").

**Scoring** (summarise): per-criterion averages, the weighted total on 0–100 and the spread between members,
exact throughout (fractions), rounded half up to two decimals only for the results.

The weighted total maps each criterion's mean score s (1..5) linearly onto 0..100, so the lowest score
gives 0 and the highest 100, and weighs it by the criterion's weight (weights sum to 100):

    total = Σ_c  weight_c / 100 × (s_c − 1) / 4 × 100  =  Σ_c  weight_c × (s_c − 1) / 4

Why not s/5 × 100: a note scored 1 ("poor") everywhere would get 20 rather than 0, which reads as
partial merit. Each member's own total uses the same formula over that member's scores; the overall
total equals the mean of the members' totals (the formula is linear), so the two views agree.
The spread is max − min: per criterion over the members' scores, and over the members' totals.

**Quorum and decisions** (decide), as the Migration MPTF's terms of reference describe them and as
configured per fund:

- **Quorum** (checked first): the chair present, if required, and present voting seats above (default: a
  strict majority) the configured fraction of all voting seats. Recused members count as present.
- **Eligible voters**: present voting seats, minus the recused. Every eligible voter must have recorded a
  vote (approve, object or abstain) before a decision can pass; a vote from anyone else is an error.
- **Consensus** (the default): any objection blocks; abstentions are allowed; at least one approval.
- **Majority**: approvals compared with a fraction of the base: the votes cast (approvals and objections,
  abstentions excluded) or all eligible voters; "simple majority" is strictly more than 1/2 of the votes
  cast, "two-thirds" is at least 2/3.
"""

import enum
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from fundapp.core.i18n import _, _n


class Vote(enum.StrEnum):
    approve = "approve"
    object = "object"
    abstain = "abstain"


class DecisionRule(enum.StrEnum):
    consensus = "consensus"
    majority = "majority"


class MajorityBase(enum.StrEnum):
    """What a majority is counted against."""

    votes_cast = "votes_cast"  # approvals + objections; abstentions do not count
    eligible = "eligible"  # every present, non-recused voting member

    def describe(self) -> str:
        """What the majority is counted against, as a sentence names it ("two-thirds of the votes cast")."""
        return _("votes cast") if self is MajorityBase.votes_cast else _("eligible voters")


class RuleError(ValueError):
    """The inputs are inconsistent (a vote from someone who may not vote): a bug or a forged request."""


@dataclass(frozen=True)
class Threshold:
    """A fraction to exceed (strict) or to reach (not strict)."""

    numerator: int
    denominator: int
    strict: bool = True

    def __post_init__(self) -> None:
        if self.denominator <= 0 or not 0 <= self.numerator <= self.denominator:
            raise ValueError("A threshold is a fraction between 0 and 1.")

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def met(self, count: int, base: int) -> bool:
        if base <= 0:
            return False
        share = Fraction(count, base)
        return share > self.fraction if self.strict else share >= self.fraction

    def needed(self, base: int) -> int:
        """The smallest count that meets the threshold out of base."""
        exact = self.fraction * base
        floor = exact.numerator // exact.denominator
        if self.strict:
            return floor + 1
        return floor if floor == exact else floor + 1

    def describe(self) -> str:
        if self.fraction == Fraction(1, 2) and self.strict:
            return _("a majority")
        if self.fraction == Fraction(2, 3) and not self.strict:
            return _("two-thirds")
        fraction = f"{self.numerator}/{self.denominator}"
        return (
            _("more than %(fraction)s", fraction=fraction)
            if self.strict
            else _("at least %(fraction)s", fraction=fraction)
        )


SIMPLE_MAJORITY = Threshold(1, 2, strict=True)
TWO_THIRDS = Threshold(2, 3, strict=False)


@dataclass(frozen=True)
class DecisionConfig:
    rule: DecisionRule = DecisionRule.consensus
    quorum: Threshold = SIMPLE_MAJORITY
    quorum_requires_chair: bool = True
    majority: Threshold = SIMPLE_MAJORITY
    majority_base: MajorityBase = MajorityBase.votes_cast


@dataclass(frozen=True)
class RuleOutcome:
    passed: bool
    reason: str
    quorum_met: bool
    approvals: int = 0
    objections: int = 0
    abstentions: int = 0
    #: Present, non-recused voting seats, in the order given.
    eligible: tuple[Hashable, ...] = ()
    missing: tuple[Hashable, ...] = ()
    objectors: tuple[Hashable, ...] = ()
    recused: tuple[Hashable, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def _names(keys: Collection[Hashable], labels: Mapping[Hashable, str]) -> str:
    names = [labels.get(k, str(k)) for k in keys]
    if len(names) <= 1:
        return "".join(names)
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def check_quorum(
    present: Collection[Hashable], voting_seats: Collection[Hashable], chair: Hashable | None, config: DecisionConfig
) -> tuple[bool, str]:
    """(met, description): the chair (if required) and enough voting seats present."""
    voting = list(dict.fromkeys(voting_seats))
    present_voting = [s for s in voting if s in set(present)]
    needed = config.quorum.needed(len(voting))
    chair_present = chair is not None and chair in set(present)
    problems = []
    counts = {"present": len(present_voting), "needed": needed}
    if len(present_voting) < needed or not voting:
        problems.append(
            _n(
                "%(present)s of %(num)d voting seat present (%(needed)s needed)",
                "%(present)s of %(num)d voting seats present (%(needed)s needed)",
                len(voting),
                **counts,
            )
        )
    if config.quorum_requires_chair and not chair_present:
        problems.append(_("the chair absent"))
    if problems:
        return False, _("No quorum: %(problems)s", problems=", ".join(problems))
    if config.quorum_requires_chair:
        return True, _n(
            "Quorum: %(present)s of %(num)d voting seat present, the chair present",
            "Quorum: %(present)s of %(num)d voting seats present, the chair present",
            len(voting),
            **counts,
        )
    return True, _n(
        "Quorum: %(present)s of %(num)d voting seat present",
        "Quorum: %(present)s of %(num)d voting seats present",
        len(voting),
        **counts,
    )


def decide(
    votes: Mapping[Hashable, Vote | str],
    present_seats: Collection[Hashable],
    voting_seats: Collection[Hashable],
    recused: Collection[Hashable] = (),
    rule: DecisionConfig | DecisionRule | str = DecisionRule.consensus,
    chair: Hashable | None = None,
    labels: Mapping[Hashable, str] | None = None,
) -> RuleOutcome:
    """The outcome of one agenda item: quorum first, then the decision rule over the eligible votes."""
    config = rule if isinstance(rule, DecisionConfig) else DecisionConfig(rule=DecisionRule(rule))
    labels = labels or {}
    present = set(present_seats)
    recused_set = set(recused)
    voting = list(dict.fromkeys(voting_seats))
    eligible = tuple(s for s in voting if s in present and s not in recused_set)
    recused_present = tuple(s for s in voting if s in present and s in recused_set)
    cast = {key: Vote(value) for key, value in votes.items()}
    for key in cast:
        if key in recused_set:
            raise RuleError(f"{labels.get(key, key)} is recused and cannot vote.")
        if key not in eligible:
            raise RuleError(f"{labels.get(key, key)} does not hold a present voting seat and cannot vote.")

    quorum_met, quorum_text = check_quorum(present, voting, chair, config)
    approvals = tuple(k for k in eligible if cast.get(k) is Vote.approve)
    objectors = tuple(k for k in eligible if cast.get(k) is Vote.object)
    abstainers = tuple(k for k in eligible if cast.get(k) is Vote.abstain)
    missing = tuple(k for k in eligible if k not in cast)
    common = {
        "quorum_met": quorum_met,
        "approvals": len(approvals),
        "objections": len(objectors),
        "abstentions": len(abstainers),
        "eligible": eligible,
        "missing": missing,
        "objectors": objectors,
        "recused": recused_present,
    }
    if not quorum_met:
        return RuleOutcome(False, quorum_text, **common)
    if not eligible:
        return RuleOutcome(False, _("No eligible voters: every present voting member is recused"), **common)
    if missing:
        return RuleOutcome(False, _("Votes missing from %(names)s", names=_names(missing, labels)), **common)
    tally = _(
        "%(approvals)s, %(objections)s, %(abstentions)s",
        approvals=_n("%(num)d approval", "%(num)d approvals", len(approvals)),
        objections=_n("%(num)d objection", "%(num)d objections", len(objectors)),
        abstentions=_n("%(num)d abstention", "%(num)d abstentions", len(abstainers)),
    )
    if recused_present:
        tally = _("%(tally)s; %(recused)s recused", tally=tally, recused=len(recused_present))
    if config.rule is DecisionRule.consensus:
        if objectors:
            return RuleOutcome(False, _("Blocked: %(names)s objected", names=_names(objectors, labels)), **common)
        if not approvals:
            return RuleOutcome(
                False, _("Not passed: no approval, consensus needs at least one (%(tally)s)", tally=tally), **common
            )
        return RuleOutcome(True, _("Passed by consensus (%(tally)s)", tally=tally), **common)
    base = len(approvals) + len(objectors) if config.majority_base is MajorityBase.votes_cast else len(eligible)
    if base == 0:
        return RuleOutcome(
            False, _("Not passed: no votes cast, every eligible voter abstained (%(tally)s)", tally=tally), **common
        )
    figures = {
        "approvals": len(approvals),
        "base": base,
        "base_word": config.majority_base.describe(),
        "threshold": config.majority.describe(),
        "needed": config.majority.needed(base),
        "tally": tally,
    }
    if config.majority.met(len(approvals), base):
        reason = _(
            "Passed: %(approvals)s of %(base)s %(base_word)s approved, %(threshold)s needed %(needed)s (%(tally)s)",
            **figures,
        )
        return RuleOutcome(True, reason, **common)
    reason = _(
        "Not passed: %(approvals)s of %(base)s %(base_word)s approved, %(threshold)s needs %(needed)s (%(tally)s)",
        **figures,
    )
    return RuleOutcome(False, reason, **common)


# Scoring maths --------------------------------------------------------------------------------------

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
