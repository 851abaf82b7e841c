"""Honest progress (results.rollup.measure_progress): direction × baseline × target × actual, with the figure each
case must show, the yes / no and target-equals-baseline cases, natural order of codes and value parsing."""

from decimal import Decimal

import pytest

from fundapp.results.rollup import (
    ACHIEVED,
    NO_RESULT,
    PERCENT,
    Direction,
    IndicatorUnit,
    direction_of,
    direction_problem,
    format_result,
    measure_progress,
    natural_key,
    parse_value,
    value_problem,
)

D = Decimal
UP, DOWN = Direction.increase, Direction.decrease
COUNT, PCT, YES_NO = IndicatorUnit.count, IndicatorUnit.percentage, IndicatorUnit.yes_no


@pytest.mark.parametrize(
    ("unit", "direction", "baseline", "target", "actual", "kind", "raw", "shown", "text"),
    [
        # Increases: the way from the baseline to the target.
        (COUNT, UP, D(0), D(40), D(10), PERCENT, D("25.00"), D("25.00"), "25%"),
        (COUNT, UP, D(10), D(50), D(30), PERCENT, D("50.00"), D("50.00"), "50%"),
        (COUNT, UP, D(10), D(50), D(50), PERCENT, D("100.00"), D("100.00"), "100%"),
        (COUNT, UP, D(0), D(40), D(60), PERCENT, D("150.00"), D("100.00"), "100% (raw 150%)"),  # beyond the target
        (COUNT, UP, D(3), D(15), D(1), PERCENT, D("-16.67"), D("0"), "0% (raw −17%)"),  # below the baseline
        (COUNT, UP, D(10), D(50), D(10), PERCENT, D("0.00"), D("0.00"), "0%"),  # not moved
        # Decreases: the same formula; a fall towards the target counts positive, a rise negative.
        (PCT, DOWN, D(40), D(20), D(30), PERCENT, D("50.00"), D("50.00"), "50%"),
        (PCT, DOWN, D(90), D(40), D(65), PERCENT, D("50.00"), D("50.00"), "50%"),
        (PCT, DOWN, D(7), D(3), D(3), PERCENT, D("100.00"), D("100.00"), "100%"),
        (PCT, DOWN, D(7), D(3), D(2), PERCENT, D("125.00"), D("100.00"), "100% (raw 125%)"),
        (PCT, DOWN, D(40), D(20), D(45), PERCENT, D("-25.00"), D("0"), "0% (raw −25%)"),  # rose instead
        # A target equal to the baseline: keep the level; achieved or not, no share of the way.
        (COUNT, UP, D(5), D(5), D(5), ACHIEVED, None, D(100), "Achieved"),
        (COUNT, UP, D(5), D(5), D(7), ACHIEVED, None, D(100), "Achieved"),
        (COUNT, UP, D(5), D(5), D(4), ACHIEVED, None, D(0), "Not yet"),
        (PCT, DOWN, D(5), D(5), D(4), ACHIEVED, None, D(100), "Achieved"),
        (PCT, DOWN, D(5), D(5), D(6), ACHIEVED, None, D(0), "Not yet"),
        # Yes / no: achieved or not yet, never "200 %".
        (YES_NO, UP, D(0), D(1), D(1), ACHIEVED, None, D(100), "Achieved"),
        (YES_NO, UP, D(0), D(1), D(0), ACHIEVED, None, D(0), "Not yet"),
        (YES_NO, UP, D(0), D(1), D(2), ACHIEVED, None, D(100), "Achieved"),  # fund level: two programmes say yes
        (YES_NO, DOWN, D(1), D(0), D(0), ACHIEVED, None, D(100), "Achieved"),
        (YES_NO, DOWN, D(1), D(0), D(1), ACHIEVED, None, D(0), "Not yet"),
        # Nothing reported yet.
        (COUNT, UP, D(0), D(40), None, NO_RESULT, None, None, "no result yet"),
        (YES_NO, UP, D(0), D(1), None, NO_RESULT, None, None, "no result yet"),
    ],
)
def test_progress_table(unit, direction, baseline, target, actual, kind, raw, shown, text):
    progress = measure_progress(unit, direction, baseline, target, actual)
    assert progress.kind == kind
    assert progress.raw == raw
    assert progress.shown == shown
    assert progress.text == text
    if kind == PERCENT:
        assert D(0) <= progress.shown <= D(100)
        assert progress.achieved == (raw >= 100)


def test_clipped_progress_says_why():
    below = measure_progress(COUNT, UP, D(3), D(15), D(1))
    assert (below.raw_label, below.explanation) == ("raw −17%", "worse than the baseline")
    beyond = measure_progress(COUNT, UP, D(0), D(40), D(60))
    assert (beyond.raw_label, beyond.explanation) == ("raw 150%", "beyond the target")
    inside = measure_progress(COUNT, UP, D(0), D(40), D(10))
    assert (inside.is_clipped, inside.raw_label, inside.explanation) == (False, "", "")


@pytest.mark.parametrize(
    ("baseline", "target", "direction"),
    [(D(0), D(10), UP), (D(10), D(0), DOWN), (D(5), D(5), UP)],
)
def test_direction_implied_by_baseline_and_target(baseline, target, direction):
    assert direction_of(baseline, target) is direction


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "problem"),
    [
        ("increase", D(0), D(10), None),
        ("decrease", D(10), D(0), None),
        ("increase", D(5), D(5), None),
        ("decrease", D(5), D(5), None),
        (None, D(10), D(0), None),
        ("increase", D(10), D(0), "The target is below the baseline: choose decrease, or correct the target."),
        ("decrease", D(0), D(10), "The target is above the baseline: choose increase, or correct the target."),
        ("sideways", D(0), D(10), "Choose increase or decrease."),
    ],
)
def test_direction_must_fit_baseline_and_target(direction, baseline, target, problem):
    assert direction_problem(direction, baseline, target) == problem


def test_codes_sort_naturally():
    codes = ["1.2.a", "1.10.a", "1.1.b", "2.1.a", "1.1.a", "1.3.a"]
    assert sorted(codes, key=natural_key) == ["1.1.a", "1.1.b", "1.2.a", "1.3.a", "1.10.a", "2.1.a"]


@pytest.mark.parametrize(
    ("raw", "unit", "value"),
    [
        ("1,250", COUNT, D(1250)),
        ("45.5%", PCT, D("45.5")),
        ("US$ 2,500.00", IndicatorUnit.amount_usd, D("2500.00")),
        ("yes", YES_NO, D(1)),
        ("No", YES_NO, D(0)),
        ("1", YES_NO, D(1)),
        ("", COUNT, None),
        (None, YES_NO, None),
    ],
)
def test_parse_value_reads_what_people_type(raw, unit, value):
    assert parse_value(raw, unit) == value


@pytest.mark.parametrize(
    ("raw", "unit", "message"),
    [
        ("yes", COUNT, "Enter a whole number, such as 1250."),
        ("yes", PCT, "Enter a percentage from 0 to 100, such as 45.5."),
        ("maybe", YES_NO, "Choose yes or no."),
        ("2", YES_NO, "Choose yes or no."),
        ("120", PCT, "A percentage from 0 to 100."),
        ("-3", COUNT, "A value of 0 or more."),
        ("2.5", COUNT, "A number of people or things is a whole number."),
        ("NaN", COUNT, "Enter a whole number, such as 1250."),
        ("1e3", COUNT, "Enter a whole number, such as 1250."),
        ("Infinity", PCT, "Enter a percentage from 0 to 100, such as 45.5."),
        ("1E2", YES_NO, "Choose yes or no."),
    ],
)
def test_parse_value_gives_one_message_per_mistake(raw, unit, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        parse_value(raw, unit)
    if raw not in ("yes", "maybe", "NaN", "1e3", "Infinity", "1E2"):
        assert value_problem(unit, D(raw)) == message


def test_fund_level_yes_no_counts_programmes():
    assert format_result(D(2), YES_NO) == "2 programmes report yes"
    assert format_result(D(1), YES_NO) == "1 programme reports yes"
    assert format_result(D(120), COUNT) == "120"
