"""Quorum and decision rules: a table of meetings and their outcomes, computed by hand."""

import pytest

from fundapp.committee.rules import (
    SIMPLE_MAJORITY,
    TWO_THIRDS,
    DecisionConfig,
    DecisionRule,
    MajorityBase,
    RuleError,
    Threshold,
    Vote,
    decide,
)

#: Twelve voting seats, 1 is the chair; 6 is Norway's donor seat.
SEATS = list(range(1, 13))
CHAIR = 1
LABELS = {
    1: "IOM",
    5: "Netherlands",
    6: "Norway",
    7: "Morocco",
    **{i: f"Seat {i}" for i in (2, 3, 4, 8, 9, 10, 11, 12)},
}
APPROVE, OBJECT, ABSTAIN = Vote.approve, Vote.object, Vote.abstain

CONSENSUS = DecisionConfig(rule=DecisionRule.consensus)
MAJORITY = DecisionConfig(rule=DecisionRule.majority, majority=SIMPLE_MAJORITY)
TWO_THIRDS_CAST = DecisionConfig(rule=DecisionRule.majority, majority=TWO_THIRDS)
MAJORITY_OF_ELIGIBLE = DecisionConfig(rule=DecisionRule.majority, majority_base=MajorityBase.eligible)


def votes(pattern: str, seats=SEATS) -> dict[int, Vote]:
    """'AAAOX…' → {seat: vote}, one letter per seat in order; '.' for no vote."""
    table = {"A": APPROVE, "O": OBJECT, "X": ABSTAIN}
    return {seat: table[c] for seat, c in zip(seats, pattern, strict=True) if c != "."}


CASES = [
    # (name, votes, present, recused, config, passed, reason)
    ("consensus, all approve", votes("A" * 12), SEATS, [], CONSENSUS, True, "Passed by consensus (12 approvals"),
    (
        "consensus, one objection blocks",
        votes("AAAAAOAAAAAA"),
        SEATS,
        [],
        CONSENSUS,
        False,
        "Blocked: Norway objected",
    ),
    (
        "consensus, two objections named",
        votes("AAAAOOAAAAAA"),
        SEATS,
        [],
        CONSENSUS,
        False,
        "Blocked: Netherlands and Norway objected",
    ),
    ("consensus, abstentions only", votes("X" * 12), SEATS, [], CONSENSUS, False, "Not passed: no approval"),
    (
        "consensus, approvals with abstentions",
        votes("AXXXXXXXXXXX"),
        SEATS,
        [],
        CONSENSUS,
        True,
        "Passed by consensus (1 approval, 0 objections, 11 abstentions)",
    ),
    ("majority, 7 to 5", votes("AAAAAAAOOOOO"), SEATS, [], MAJORITY, True, "Passed: 7 of 12 votes cast approved"),
    ("majority, tie fails", votes("AAAAAAOOOOOO"), SEATS, [], MAJORITY, False, "6 of 12 votes cast approved"),
    (
        "majority, abstentions excluded from votes cast",
        votes("AAAAAOOOOXXX"),
        SEATS,
        [],
        MAJORITY,
        True,
        "Passed: 5 of 9 votes cast approved",
    ),
    ("majority, all abstain", votes("X" * 12), SEATS, [], MAJORITY, False, "no votes cast"),
    ("two-thirds, 8 of 12 reaches it", votes("AAAAAAAAOOOO"), SEATS, [], TWO_THIRDS_CAST, True, "8 of 12"),
    (
        "two-thirds, 7 of 12 falls short",
        votes("AAAAAAAOOOOO"),
        SEATS,
        [],
        TWO_THIRDS_CAST,
        False,
        "Not passed: 7 of 12 votes cast approved, two-thirds needs 8",
    ),
    (
        "missing chair",
        votes("AAAAAAAAAAA", SEATS[1:]),
        SEATS[1:],
        [],
        CONSENSUS,
        False,
        "No quorum: the chair absent",
    ),
    (
        "missing majority of seats",
        votes("AAAAAA", SEATS[:6]),
        SEATS[:6],
        [],
        CONSENSUS,
        False,
        "No quorum: 6 of 12 voting seats present (7 needed)",
    ),
    (
        "5 of 12 and the chair absent",
        votes("AAAAA", SEATS[7:]),
        SEATS[7:],
        [],
        CONSENSUS,
        False,
        "No quorum: 5 of 12 voting seats present (7 needed), the chair absent",
    ),
    (
        "bare quorum: chair plus six",
        votes("AAAAAAA", SEATS[:7]),
        SEATS[:7],
        [],
        CONSENSUS,
        True,
        "Passed by consensus (7 approvals",
    ),
    (
        "recused members count for quorum, not as voters",
        votes("AAAAAAA", [1, 2, 3, 4, 5, 6, 7]),
        SEATS[:9],
        [8, 9],
        CONSENSUS,
        True,
        "Passed by consensus (7 approvals, 0 objections, 0 abstentions; 2 recused)",
    ),
    (
        "recused excluded from the eligible base",
        votes("AAAAAXXXX", SEATS[:9]),
        SEATS,
        [10, 11, 12],
        MAJORITY_OF_ELIGIBLE,
        True,
        "Passed: 5 of 9 eligible voters approved",
    ),
    (
        "votes missing from present members",
        votes("AAAAAXXXX...", SEATS),
        SEATS,
        [],
        MAJORITY_OF_ELIGIBLE,
        False,
        "Votes missing from Seat 10, Seat 11 and Seat 12",
    ),
    (
        "every present member recused",
        {},
        SEATS[:7],
        SEATS[:7],
        CONSENSUS,
        False,
        "No eligible voters",
    ),
]


@pytest.mark.parametrize(
    ("ballot", "present", "recused", "config", "passed", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decide_outcome_for_meeting(ballot, present, recused, config, passed, reason):
    outcome = decide(ballot, present, SEATS, recused, config, chair=CHAIR, labels=LABELS)
    assert outcome.passed is passed
    assert reason in outcome.reason


def test_decide_counts_votes_and_names_objectors():
    outcome = decide(votes("AAAAAOAAAXXA"), SEATS, SEATS, [], CONSENSUS, chair=CHAIR, labels=LABELS)
    assert (outcome.approvals, outcome.objections, outcome.abstentions) == (9, 1, 2)
    assert outcome.objectors == (6,)
    assert outcome.quorum_met


def test_decide_accepts_the_rule_by_name():
    assert decide(votes("A" * 12), SEATS, SEATS, rule="majority", chair=CHAIR).passed
    assert not decide(votes("AAAAAAOOOOOO"), SEATS, SEATS, rule="majority", chair=CHAIR).passed


@pytest.mark.parametrize(
    ("voter", "present", "recused", "message"),
    [
        (8, SEATS, [8], "is recused"),
        (12, SEATS[:11], [], "does not hold a present voting seat"),
        (99, SEATS, [], "does not hold a present voting seat"),  # an observer's or a forged vote
    ],
)
def test_decide_refuses_a_vote_from_someone_who_may_not_vote(voter, present, recused, message):
    ballot = {s: APPROVE for s in present if s not in recused} | {voter: APPROVE}
    with pytest.raises(RuleError, match=message):
        decide(ballot, present, SEATS, recused, CONSENSUS, chair=CHAIR, labels=LABELS)


def test_quorum_configurable_without_chair_and_at_least_half():
    config = DecisionConfig(quorum=Threshold(1, 2, strict=False), quorum_requires_chair=False)
    outcome = decide(votes("AAAAAA", SEATS[6:]), SEATS[6:], SEATS, [], config, chair=CHAIR)
    assert outcome.passed
    assert outcome.quorum_met


@pytest.mark.parametrize(
    ("threshold", "base", "needed"),
    [
        (SIMPLE_MAJORITY, 12, 7),
        (SIMPLE_MAJORITY, 11, 6),
        (SIMPLE_MAJORITY, 1, 1),
        (TWO_THIRDS, 12, 8),
        (TWO_THIRDS, 10, 7),
        (TWO_THIRDS, 9, 6),
        (Threshold(1, 2, strict=False), 12, 6),
        (Threshold(3, 4, strict=True), 8, 7),
    ],
)
def test_threshold_needed_is_the_smallest_count_that_meets_it(threshold, base, needed):
    assert threshold.needed(base) == needed
    assert threshold.met(needed, base)
    assert not threshold.met(needed - 1, base)


def test_threshold_refuses_fractions_above_one():
    with pytest.raises(ValueError):
        Threshold(3, 2)
