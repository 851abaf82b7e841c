"""The alignment formula (fundapp/results/alignment.py) on hand-computed cases and its properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fundapp.results.alignment import (
    DEFAULT_THRESHOLDS,
    IndicatorDefinition,
    MeasureKind,
    ProgrammeAlignment,
    assess,
    flag_programmes,
    indicator_score,
    marker_flags,
    overall_score,
    portfolio,
    principle_score,
    thresholds_error,
    value_error,
)

D = Decimal
MARKER, PCT, COUNT, YES = (DEFAULT_THRESHOLDS[k] for k in MeasureKind)

DEFINITIONS = [
    IndicatorDefinition("GR-MARKER", "g", MeasureKind.marker, MARKER),
    IndicatorDefinition("GR-BUDGET", "g", MeasureKind.percentage, (D(15), D(30), D(50))),
    IndicatorDefinition("HR-MARKER", "f", MeasureKind.marker, MARKER),
    IndicatorDefinition("WS-CSO", "j", MeasureKind.count, (D(1), D(3), D(5))),
    IndicatorDefinition("WS-STEER", "j", MeasureKind.yes_no, YES),
    IndicatorDefinition("NS-ENDORSE", "c", MeasureKind.yes_no, YES),
]


@pytest.mark.parametrize(
    ("value", "thresholds", "score"),
    [
        (None, PCT, 0),
        (D("14.99"), (D(15), D(30), D(50)), 0),
        (D(15), (D(15), D(30), D(50)), 1),  # thresholds are inclusive
        (D("29.999"), (D(15), D(30), D(50)), 1),
        (D(30), (D(15), D(30), D(50)), 2),
        (D(50), (D(15), D(30), D(50)), 3),
        (D(100), (D(15), D(30), D(50)), 3),
        (D(0), MARKER, 0),
        (D(2), MARKER, 2),
        (D(3), MARKER, 3),
        (D(1), YES, 3),
        (D(0), YES, 0),
        (D(4), (D(1), D(3), D(5)), 2),
    ],
)
def test_indicator_score_counts_the_thresholds_reached(value, thresholds, score):
    assert indicator_score(value, thresholds) == score


def test_assess_hand_computed_all_measured():
    values = {"GR-MARKER": D(2), "GR-BUDGET": D(35), "HR-MARKER": D(3), "WS-CSO": D(4), "WS-STEER": D(0)}
    values["NS-ENDORSE"] = D(1)
    result = assess(DEFINITIONS, values)
    assert result.indicator_scores == {
        "GR-MARKER": 2,
        "GR-BUDGET": 2,
        "HR-MARKER": 3,
        "WS-CSO": 2,
        "WS-STEER": 0,
        "NS-ENDORSE": 3,
    }
    # g: (2+2)/2 = 2; f: 3; j: (2+0)/2 = 1; c: 3. Overall: (2+3+1+3)/4 = 2.25 → 2.25/3×100 = 75.
    assert result.principle_scores == {"c": D("3.00"), "f": D("3.00"), "g": D("2.00"), "j": D("1.00")}
    assert result.overall == D("75.00")
    assert result.missing == []


def test_assess_hand_computed_with_a_missing_value_scoring_zero():
    values = {"GR-MARKER": D(1), "HR-MARKER": D(2), "WS-CSO": D(5), "WS-STEER": D(1), "NS-ENDORSE": D(0)}
    result = assess(DEFINITIONS, values)
    # g: (1+0)/2 = 0.5; f: 2; j: (3+3)/2 = 3; c: 0. Overall: 5.5/4 = 1.375 → 45.8333… → 45.83.
    assert result.principle_scores == {"c": D("0.00"), "f": D("2.00"), "g": D("0.50"), "j": D("3.00")}
    assert result.overall == D("45.83")
    assert result.missing == ["GR-BUDGET"]


def test_principle_without_indicators_is_left_out_of_the_overall_score():
    only_gender = [d for d in DEFINITIONS if d.principle == "g"]
    result = assess(only_gender, {"GR-MARKER": D(3), "GR-BUDGET": D(50)})
    assert result.principle_scores == {"g": D("3.00")}
    assert result.overall == D("100.00")


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([1, 1, 0], D("0.67")),
        ([2, 2, 1], D("1.67")),
        ([1, 0, 0, 0, 0, 0, 0, 0], D("0.13")),  # 0.125: half up, not to even
        ([3], D("3.00")),
        ([0, 0], D("0.00")),
    ],
)
def test_principle_score_is_the_mean_rounded_half_up(scores, expected):
    assert principle_score(scores) == expected


def test_principle_score_needs_a_score():
    with pytest.raises(ValueError, match="at least one"):
        principle_score([])


@pytest.mark.parametrize(
    ("principles", "expected"),
    [
        ([D("2.00"), D("1.00"), D("0.50")], D("38.89")),  # 3.5/3 = 1.1667 → /3×100 = 38.888…
        ([D("3.00")] * 10, D("100.00")),
        ([D("0.00")] * 10, D("0.00")),
        ([D("1.50")], D("50.00")),
        ([], D("0.00")),
    ],
)
def test_overall_score_hand_computed(principles, expected):
    assert overall_score(principles) == expected


MINIMUMS = {"GEN": 2, "HR": 2, "CHILD": 2}


def test_flag_programmes_flags_exactly_those_below_a_minimum():
    programmes = {
        1: {"GEN": 2, "HR": 2, "CHILD": 2},  # at the minimum everywhere: not flagged
        2: {"GEN": 1, "HR": 3, "CHILD": 2},
        3: {"GEN": 3, "HR": 3, "CHILD": None},  # not yet scored counts as below
        4: {"GEN": 0, "HR": 1, "CHILD": 1},
        5: {"GEN": 3, "HR": 3, "CHILD": 3},
    }
    assert flag_programmes(programmes, MINIMUMS) == {2: ["GEN"], 3: ["CHILD"], 4: ["GEN", "HR", "CHILD"]}
    assert flag_programmes(programmes, {**MINIMUMS, "CHILD": 1}) == {2: ["GEN"], 3: ["CHILD"], 4: ["GEN", "HR"]}
    assert flag_programmes(programmes, dict.fromkeys(MINIMUMS, 0)) == {3: ["CHILD"]}


def test_marker_flags_a_missing_marker():
    assert marker_flags({"GEN": 3}, MINIMUMS) == ["HR", "CHILD"]


@given(
    programmes=st.dictionaries(
        st.integers(1, 50),
        st.fixed_dictionaries({code: st.one_of(st.none(), st.integers(0, 3)) for code in MINIMUMS}),
        max_size=15,
    ),
    minimums=st.fixed_dictionaries({code: st.integers(0, 3) for code in MINIMUMS}),
)
def test_flags_are_exactly_the_programmes_below_property(programmes, minimums):
    flagged = flag_programmes(programmes, minimums)
    for pid, scores in programmes.items():
        below = [c for c in minimums if scores[c] is None or scores[c] < minimums[c]]
        assert flagged.get(pid, []) == below


def test_portfolio_weights_by_budget_and_names_the_weakest_principles():
    programmes = [
        ProgrammeAlignment(1, "TA1", D(3_000_000), {"g": D("3.00"), "f": D("2.00")}, D("83.33")),
        ProgrammeAlignment(2, "TA1", D(1_000_000), {"g": D("1.00"), "f": D("2.00")}, D("50.00")),
        ProgrammeAlignment(3, "TA2", D(2_000_000), {"g": D("2.00"), "f": D("0.00")}, D("33.33")),
    ]
    by_area, fund = portfolio(programmes, weakest=1)
    ta1 = by_area["TA1"]
    # g: (3×3 + 1×1)/4 = 2.5; f: 2; overall: (3×83.33 + 50)/4 = 74.9975 → 75.00.
    assert ta1.principle_scores == {"f": D("2.00"), "g": D("2.50")}
    assert ta1.overall == D("75.00")
    assert ta1.weakest == ["f"]
    assert ta1.budget == D(4_000_000)
    assert by_area["TA2"].principle_scores == {"f": D("0.00"), "g": D("2.00")}
    # Fund: g: 14/6 = 2.33; f: 8/6 = 1.33; overall: (249.99 + 50 + 66.66)/6 = 61.108… → 61.11.
    assert fund is not None
    assert fund.principle_scores == {"f": D("1.33"), "g": D("2.33")}
    assert fund.overall == D("61.11")
    assert fund.programmes == 3
    assert list(by_area) == ["TA1", "TA2"]


def test_portfolio_with_zero_budgets_weighs_programmes_equally():
    programmes = [
        ProgrammeAlignment(1, "TA3", D(0), {"g": D("3.00")}, D("100.00")),
        ProgrammeAlignment(2, "TA3", D(0), {"g": D("0.00")}, D("0.00")),
    ]
    by_area, _fund = portfolio(programmes)
    assert by_area["TA3"].principle_scores == {"g": D("1.50")}
    assert by_area["TA3"].overall == D("50.00")


def test_portfolio_without_programmes_is_empty():
    assert portfolio([]) == ({}, None)


def test_portfolio_refuses_a_negative_budget():
    with pytest.raises(ValueError, match="negative budget"):
        portfolio([ProgrammeAlignment(1, "TA1", D(-1), {"g": D(1)}, D(33))])


@pytest.mark.parametrize(
    ("kind", "thresholds", "problem"),
    [
        (MeasureKind.percentage, (D(15), D(30), D(50)), None),
        (MeasureKind.percentage, (D(30), D(15), D(50)), "must not decrease"),
        (MeasureKind.percentage, (D(0), D(30), D(50)), "above 0"),
        (MeasureKind.percentage, (D(15), D(30), D(101)), "at most 100"),
        (MeasureKind.marker, (D(1), D(2), D(4)), "at most 3"),
        (MeasureKind.count, (D(1), D(1), D(1)), None),
        (MeasureKind.yes_no, (D(1), D(1), D(1)), None),
    ],
)
def test_thresholds_error(kind, thresholds, problem):
    error = thresholds_error(kind, thresholds)
    assert (error is None) if problem is None else (problem in error)


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        (MeasureKind.marker, D(3), True),
        (MeasureKind.marker, D(4), False),
        (MeasureKind.marker, D("1.5"), False),
        (MeasureKind.percentage, D("99.5"), True),
        (MeasureKind.percentage, D(-1), False),
        (MeasureKind.count, D(12), True),
        (MeasureKind.count, D("2.5"), False),
        (MeasureKind.yes_no, D(2), False),
    ],
)
def test_value_error(kind, value, ok):
    assert (value_error(kind, value) is None) is ok


# Properties ---------------------------------------------------------------------------------------


@st.composite
def definition(draw, code: str):
    kind = draw(st.sampled_from(list(MeasureKind)))
    if kind is MeasureKind.percentage:
        thresholds = sorted(draw(st.lists(st.integers(1, 100), min_size=3, max_size=3)))
    elif kind is MeasureKind.count:
        thresholds = sorted(draw(st.lists(st.integers(1, 20), min_size=3, max_size=3)))
    else:
        thresholds = DEFAULT_THRESHOLDS[kind]
    principle = draw(st.sampled_from("abcdefghij"))
    return IndicatorDefinition(code, principle, kind, tuple(D(t) for t in thresholds))


def measured(kind: MeasureKind):
    top = {MeasureKind.marker: 3, MeasureKind.percentage: 100, MeasureKind.count: 30, MeasureKind.yes_no: 1}[kind]
    return st.one_of(st.none(), st.integers(0, top).map(D))


@st.composite
def scenario(draw):
    size = draw(st.integers(1, 8))
    definitions = [draw(definition(f"I{i}")) for i in range(size)]
    values = {d.code: draw(measured(MeasureKind(d.kind))) for d in definitions}
    return definitions, values


@settings(max_examples=200, deadline=None)
@given(case=scenario(), data=st.data())
def test_scores_stay_in_bounds_and_raising_one_value_never_lowers_them(case, data):
    definitions, values = case
    before = assess(definitions, values)
    assert all(D(0) <= s <= D(3) for s in before.principle_scores.values())
    assert D(0) <= before.overall <= D(100)
    target = data.draw(st.sampled_from(definitions))
    old = values[target.code]
    top = {MeasureKind.marker: 3, MeasureKind.percentage: 100, MeasureKind.count: 30, MeasureKind.yes_no: 1}
    low = int(old) if old is not None else 0
    new = D(data.draw(st.integers(low, top[MeasureKind(target.kind)])))
    after = assess(definitions, {**values, target.code: new})
    assert after.overall >= before.overall
    for principle, score in before.principle_scores.items():
        assert after.principle_scores[principle] >= score
