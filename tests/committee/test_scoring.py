"""Scoring maths, checked against cases worked out by hand."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundapp.committee.rules import member_total, round_half_up, summarise

WEIGHTS = {"RELEVANCE": 25, "PRINCIPLES": 25, "FEASIBILITY": 20, "VALUE": 15, "SUSTAINABILITY": 15}


def scored(*values: int) -> dict[str, int]:
    return dict(zip(WEIGHTS, values, strict=True))


# By hand, with points = weight × (mean − 1) / 4:
#   A 5,4,3,2,1: 25 + 18.75 + 10 + 3.75 + 0     = 57.50
#   B 3,3,3,3,3: 12.5 + 12.5 + 10 + 7.5 + 7.5   = 50.00
#   C 4,5,2,5,3: 18.75 + 25 + 5 + 15 + 7.5      = 71.25
#   means 4, 4, 8/3, 10/3, 7/3 → points 18.75, 18.75, 8.333…, 8.75, 5 → total 59.5833… → 59.58
SCORES = {"A": scored(5, 4, 3, 2, 1), "B": scored(3, 3, 3, 3, 3), "C": scored(4, 5, 2, 5, 3)}


def test_summarise_hand_computed_three_members():
    summary = summarise(SCORES, WEIGHTS)
    assert summary.members == 3
    assert summary.weighted_total == Decimal("59.58")
    assert summary.member_totals == {"A": Decimal("57.50"), "B": Decimal("50.00"), "C": Decimal("71.25")}
    assert summary.total_spread == Decimal("21.25")
    means = {c.code: c.mean for c in summary.criteria}
    assert means == {
        "RELEVANCE": Decimal("4.00"),
        "PRINCIPLES": Decimal("4.00"),
        "FEASIBILITY": Decimal("2.67"),
        "VALUE": Decimal("3.33"),
        "SUSTAINABILITY": Decimal("2.33"),
    }
    assert [c.spread for c in summary.criteria] == [2, 2, 1, 3, 2]
    assert [c.points for c in summary.criteria] == [
        Decimal("18.75"),
        Decimal("18.75"),
        Decimal("8.33"),
        Decimal("8.75"),
        Decimal("5.00"),
    ]
    assert summary.criterion("VALUE").minimum == 2
    assert summary.criterion("VALUE").maximum == 5


def test_summarise_extremes_map_to_0_and_100():
    assert summarise({"m": scored(1, 1, 1, 1, 1)}, WEIGHTS).weighted_total == Decimal("0.00")
    assert summarise({"m": scored(5, 5, 5, 5, 5)}, WEIGHTS).weighted_total == Decimal("100.00")
    assert summarise({"m": scored(3, 3, 3, 3, 3)}, WEIGHTS).weighted_total == Decimal("50.00")


def test_summarise_rounds_half_up_not_to_even():
    # One criterion of weight 1 scored 1 and 2: mean 1.5 → 1 × 0.5 / 4 = 0.125 → 0.13 (banker's would say 0.12).
    summary = summarise({"a": {"X": 1, "Y": 1}, "b": {"X": 2, "Y": 1}}, {"X": 1, "Y": 99})
    assert summary.weighted_total == Decimal("0.13")
    assert summary.criterion("X").mean == Decimal("1.50")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1, 8), "0.13"),
        (Fraction(-1, 8), "-0.13"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(5, 1000), "0.01"),
        (Fraction(4999, 1000000), "0.00"),
        (Fraction(100), "100.00"),
    ],
)
def test_round_half_up_is_exact(value, expected):
    assert round_half_up(value) == Decimal(expected)


def test_summarise_without_scores_has_no_total():
    summary = summarise({}, WEIGHTS)
    assert summary.members == 0
    assert summary.weighted_total is None
    assert summary.total_spread is None


@pytest.mark.parametrize(
    ("scores", "weights", "message"),
    [
        ({"m": scored(1, 2, 3, 4, 5)}, {**WEIGHTS, "VALUE": 10}, "sum to 95"),
        ({"m": scored(0, 2, 3, 4, 5)}, WEIGHTS, "from 1 to 5"),
        ({"m": scored(6, 2, 3, 4, 5)}, WEIGHTS, "from 1 to 5"),
        ({"m": {"RELEVANCE": 3}}, WEIGHTS, "must cover every criterion"),
        ({"m": {**scored(1, 2, 3, 4, 5), "OTHER": 3}}, WEIGHTS, "unknown"),
        ({"m": scored(1, 2, True, 4, 5)}, WEIGHTS, "whole number"),
    ],
)
def test_summarise_refuses_bad_input(scores, weights, message):
    with pytest.raises(ValueError, match=message):
        summarise(scores, weights)


score = st.integers(min_value=1, max_value=5)
member_scores = st.fixed_dictionaries(dict.fromkeys(WEIGHTS, score))


@given(st.dictionaries(st.integers(0, 20), member_scores, min_size=1, max_size=12))
def test_weighted_total_is_the_mean_of_member_totals(scores):
    summary = summarise(scores, WEIGHTS)
    exact = [member_total(s, WEIGHTS) for s in scores.values()]
    assert summary.weighted_total == round_half_up(sum(exact, Fraction(0)) / len(exact))
    assert Decimal(0) <= summary.weighted_total <= Decimal(100)
    assert summary.total_spread == round_half_up(max(exact) - min(exact))
    for result in summary.criteria:
        assert result.minimum <= result.mean <= result.maximum
