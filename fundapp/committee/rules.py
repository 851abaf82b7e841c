"""Quorum and decision rules as pure code over plain values.

The meeting code gathers who holds a voting seat, who is present, who is recused and how each voted,
and asks decide() for the outcome; nothing here touches the database. Seats are any hashable key (seat
ids in the app), with an optional label per key for the reason text ("Blocked: Norway objected").

Rules, as the Migration MPTF's terms of reference describe them and as configured per fund:

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
from fractions import Fraction


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
            return "a majority"
        if self.fraction == Fraction(2, 3) and not self.strict:
            return "two-thirds"
        word = "more than" if self.strict else "at least"
        return f"{word} {self.numerator}/{self.denominator}"


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
class Outcome:
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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _names(keys: Collection[Hashable], labels: Mapping[Hashable, str]) -> str:
    names = [labels.get(k, str(k)) for k in keys]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def check_quorum(
    present: Collection[Hashable], voting_seats: Collection[Hashable], chair: Hashable | None, config: DecisionConfig
) -> tuple[bool, str]:
    """(met, description): the chair (if required) and enough voting seats present."""
    voting = list(dict.fromkeys(voting_seats))
    present_voting = [s for s in voting if s in set(present)]
    needed = config.quorum.needed(len(voting))
    chair_present = chair is not None and chair in set(present)
    problems = []
    if len(present_voting) < needed or not voting:
        problems.append(f"{len(present_voting)} of {len(voting)} voting seats present ({needed} needed)")
    if config.quorum_requires_chair and not chair_present:
        problems.append("the chair absent")
    if problems:
        return False, "No quorum: " + ", ".join(problems)
    chair_note = ", the chair present" if config.quorum_requires_chair else ""
    return True, f"Quorum: {len(present_voting)} of {len(voting)} voting seats present{chair_note}"


def decide(
    votes: Mapping[Hashable, Vote | str],
    present_seats: Collection[Hashable],
    voting_seats: Collection[Hashable],
    recused: Collection[Hashable] = (),
    rule: DecisionConfig | DecisionRule | str = DecisionRule.consensus,
    chair: Hashable | None = None,
    labels: Mapping[Hashable, str] | None = None,
) -> Outcome:
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
        return Outcome(False, quorum_text, **common)
    if not eligible:
        return Outcome(False, "No eligible voters: every present voting member is recused", **common)
    if missing:
        return Outcome(False, f"Votes missing from {_names(missing, labels)}", **common)
    tally = (
        f"{_plural(len(approvals), 'approval')}, {_plural(len(objectors), 'objection')}, "
        f"{_plural(len(abstainers), 'abstention')}"
    )
    if recused_present:
        tally += f"; {len(recused_present)} recused"
    if config.rule is DecisionRule.consensus:
        if objectors:
            return Outcome(False, f"Blocked: {_names(objectors, labels)} objected", **common)
        if not approvals:
            return Outcome(False, f"Not passed: no approval, consensus needs at least one ({tally})", **common)
        return Outcome(True, f"Passed by consensus ({tally})", **common)
    base = len(approvals) + len(objectors) if config.majority_base is MajorityBase.votes_cast else len(eligible)
    base_word = "votes cast" if config.majority_base is MajorityBase.votes_cast else "eligible voters"
    if base == 0:
        return Outcome(False, f"Not passed: no votes cast, every eligible voter abstained ({tally})", **common)
    needed = config.majority.needed(base)
    if config.majority.met(len(approvals), base):
        return Outcome(
            True,
            f"Passed: {len(approvals)} of {base} {base_word} approved, "
            f"{config.majority.describe()} needed {needed} ({tally})",
            **common,
        )
    return Outcome(
        False,
        f"Not passed: {len(approvals)} of {base} {base_word} approved, "
        f"{config.majority.describe()} needs {needed} ({tally})",
        **common,
    )
