"""The roll-up of programme results into fund indicators (fundapp/results/rollup.py), hand-computed."""

from decimal import Decimal

import pytest

from fundapp.results.rollup import (
    IndicatorUnit,
    ResultRow,
    RollUpMethod,
    format_value,
    period_key,
    progress_percent,
    roll_up,
)

D = Decimal
COUNT, PCT, YES, USD = 1, 2, 3, 4
UNITS = {
    COUNT: IndicatorUnit.count,
    PCT: IndicatorUnit.percentage,
    YES: IndicatorUnit.yes_no,
    USD: IndicatorUnit.amount_usd,
    5: IndicatorUnit.score,
}
ROWS = [
    ResultRow(COUNT, 10, "2020", D(100), {"sex": {"female": D(60), "male": D(40)}}),
    ResultRow(COUNT, 10, "2021-H1", D(150), {"sex": {"female": D(90), "male": D(60)}}),
    ResultRow(COUNT, 20, "2021", D(80), {"sex": {"female": D(30), "male": D(50)}, "age_group": {"under_18": D(20)}}),
    ResultRow(PCT, 10, "2021", D(60), {"sex": {"female": D(70)}}),
    ResultRow(PCT, 20, "2021", D(30), {"sex": {"female": D(20), "male": D(40)}}),
    ResultRow(YES, 10, "2021", D(1)),
    ResultRow(YES, 20, "2021", D(0)),
    ResultRow(YES, 30, "2021", D(1)),
    ResultRow(USD, 10, "2021", D("1250000.50")),
    ResultRow(USD, 20, "2021", D("0.25")),
]
BUDGETS = {10: D(3_000_000), 20: D(1_000_000), 30: D(500_000)}


def test_counts_sum_each_programmes_latest_figure_and_its_disaggregation():
    result = roll_up(ROWS, UNITS, BUDGETS)[COUNT]
    # Programme 10's latest is 2021-H1 (150), programme 20's is 2021 (80).
    assert result.method is RollUpMethod.sum
    assert result.value == D("230.00")
    assert result.periods == {10: "2021-H1", 20: "2021"}
    assert result.programmes == 2
    assert result.disaggregation == {
        "age_group": {"under_18": D("20.00")},
        "sex": {"female": D("120.00"), "male": D("110.00")},
    }


@pytest.mark.parametrize(("period", "value", "programmes"), [("2020", D("100.00"), [10]), ("2021", D("80.00"), [20])])
def test_a_given_period_takes_only_that_periods_rows(period, value, programmes):
    result = roll_up(ROWS, UNITS, BUDGETS, period=period)[COUNT]
    assert result.value == value
    assert list(result.periods) == programmes


def test_percentages_are_averaged_weighted_by_budget():
    result = roll_up(ROWS, UNITS, BUDGETS)[PCT]
    # (3,000,000×60 + 1,000,000×30) / 4,000,000 = 52.5; female (3×70 + 1×20)/4 = 57.5; male: programme 20 only.
    assert result.method is RollUpMethod.weighted_mean
    assert result.value == D("52.50")
    assert result.disaggregation == {"sex": {"female": D("57.50"), "male": D("40.00")}}


def test_percentages_without_budgets_weigh_programmes_equally():
    result = roll_up(ROWS, UNITS)[PCT]
    assert result.value == D("45.00")
    assert result.disaggregation["sex"]["female"] == D("45.00")


def test_percentages_with_zero_budgets_weigh_programmes_equally():
    assert roll_up(ROWS, UNITS, dict.fromkeys(BUDGETS, D(0)))[PCT].value == D("45.00")


def test_yes_no_counts_the_programmes_reporting_yes():
    result = roll_up(ROWS, UNITS, BUDGETS)[YES]
    assert result.method is RollUpMethod.count_yes
    assert result.value == D("2.00")
    assert result.programmes == 3
    assert result.disaggregation == {}


def test_amounts_sum_to_the_cent():
    assert roll_up(ROWS, UNITS, BUDGETS)[USD].value == D("1250000.75")


def test_indicators_without_rows_are_absent():
    assert set(roll_up(ROWS, UNITS, BUDGETS)) == {COUNT, PCT, YES, USD}
    assert roll_up([], UNITS) == {}


@pytest.mark.parametrize(
    ("rows", "budgets", "message"),
    [
        ([ResultRow(COUNT, 10, "2021", D(1)), ResultRow(COUNT, 10, "2021-H2", D(2))], None, "twice"),
        ([ResultRow(99, 10, "2021", D(1))], None, "Unknown fund indicator"),
        ([ResultRow(PCT, 40, "2021", D(1))], BUDGETS, "No budget"),
        ([ResultRow(COUNT, 10, "2021-S1", D(1))], None, "Unknown period"),
        ([ResultRow(PCT, 10, "2021", D(1))], {10: D(-5)}, "negative"),
    ],
)
def test_roll_up_refuses_inconsistent_input(rows, budgets, message):
    with pytest.raises(ValueError, match=message):
        roll_up(rows, UNITS, budgets)


@pytest.mark.parametrize(
    ("period", "key"),
    [("2021", (2021, 12)), ("2021-H1", (2021, 6)), ("2021-H2", (2021, 12)), ("2020-Q3", (2020, 9))],
)
def test_period_key(period, key):
    assert period_key(period) == key


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "expected"),
    [
        (D(0), D(40), D(10), D("25.00")),
        (D(40), D(20), D(30), D("50.00")),  # a falling target
        (D(90), D(40), D(65), D("50.00")),
        (D(0), D(40), D(60), D("150.00")),  # over-achieved
        (D(0), D(40), None, None),
        (D(5), D(5), D(5), None),
        (None, D(200), D(50), D("25.00")),
    ],
)
def test_progress_percent(baseline, target, actual, expected):
    assert progress_percent(baseline, target, actual) == expected


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (D("250000.000000"), IndicatorUnit.count, "250,000"),
        (D("5000000"), IndicatorUnit.amount_usd, "US$ 5,000,000.00"),
        (D("45.500000"), IndicatorUnit.percentage, "45.5%"),
        (D("1"), IndicatorUnit.yes_no, "Yes"),
        (D("0"), IndicatorUnit.yes_no, "No"),
        (D("0.75"), IndicatorUnit.score, "0.75"),
        (None, IndicatorUnit.count, "–"),
    ],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text
