"""Alignment of programmes: the formula on a hand-computed case, marker flags, the budget-weighted portfolio."""

from datetime import date
from decimal import Decimal

import pytest

from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.demo.results import seed_results
from fundapp.programmes import reporting
from tests.concept_notes.helpers import user
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import FOCAL, with_framework

D = Decimal
CASE_VALUES = {
    "PC-DIS": "50",  # 2
    "PC-CONSULT": "1",  # 3 → principle a 2.5
    "IC-COUNTRIES": "2",  # 2
    "IC-PUNOS": "2",  # 1 → b 1.5
    "NS-ENDORSE": "1",  # 3
    "NS-ALIGN": "0",  # 0 → c 1.5
    "RL-PROC": "9",  # 0 → d 0
    "SD-SDG": "4",  # 3; SD-NATSYS not measured: 0 → e 1.5
    "GR-BUDGET": "30",  # 2, with GEN 3 → g 2.5
    "WG-AGENCIES": "6",  # 3 → i 3
    "WS-CSO": "3",  # 2
    "WS-STEER": "1",  # 3 → j 2.5
}
CASE_MARKERS = {"HR": 2, "GEN": 3, "CHILD": 1}  # f 2, h 1
BEST_VALUES = {
    "PC-DIS": "75", "PC-CONSULT": "1", "IC-COUNTRIES": "3", "IC-PUNOS": "4", "NS-ENDORSE": "1", "NS-ALIGN": "1",
    "RL-PROC": "35", "SD-SDG": "4", "SD-NATSYS": "1", "GR-BUDGET": "50", "WG-AGENCIES": "6", "WS-CSO": "5",
    "WS-STEER": "1",
}  # fmt: skip


def _assess(programme, markers, values, occasion="approval"):
    return reporting.assess_alignment(user(SECRETARIAT), programme, occasion, date(2026, 2, 1), markers, values)


def test_alignment_formula_on_a_hand_computed_case(db):
    seed_results()
    programme = make_programme()
    row = _assess(programme, CASE_MARKERS, CASE_VALUES)
    # Principles a..j: 2.5, 1.5, 1.5, 0, 1.5, 2, 2.5, 1, 3, 2.5 → mean 1.8 → 60.00 / 100.
    assert row.overall == D("60.00")
    current = reporting.latest_alignment([programme.id])[programme.id]
    assert current.principle_scores == {
        "a": D("2.50"), "b": D("1.50"), "c": D("1.50"), "d": D("0.00"), "e": D("1.50"),
        "f": D("2.00"), "g": D("2.50"), "h": D("1.00"), "i": D("3.00"), "j": D("2.50"),
    }  # fmt: skip
    assert current.flags == ["CHILD"]


@pytest.mark.parametrize(
    ("markers", "flags"),
    [
        ({"HR": 2, "GEN": 2, "CHILD": 2}, []),
        ({"HR": 3, "GEN": 1, "CHILD": 2}, ["GEN"]),
        ({"HR": 0, "GEN": 3, "CHILD": 1}, ["HR", "CHILD"]),
    ],
)
def test_marker_minimums_flag_exactly_those_below(db, markers, flags):
    seed_results()
    programme = make_programme()
    _assess(programme, markers, {})
    assert reporting.latest_alignment([programme.id])[programme.id].flags == [
        f for f in ("HR", "GEN", "CHILD") if f in flags
    ]
    _by_area, _fund, (flagged, _unassessed) = reporting.alignment_portfolio()
    assert [(row.id, f) for row, f in flagged] == ([(programme.id, flags)] if flags else [])


def test_portfolio_weights_programmes_by_budget_and_uses_the_latest_assessment(db):
    seed_results()
    big = make_programme({"UNICEF": "749000.00"})
    small = make_programme({"UNICEF": "100000.00"})
    _assess(big, CASE_MARKERS, CASE_VALUES)  # 60
    _assess(small, {"HR": 0, "GEN": 0, "CHILD": 0}, {})  # 0 at approval...
    reporting.latest_alignment([small.id])  # (an earlier read does not cache anything)

    _, indicators = with_framework(small)
    report = reporting.start_report(user(FOCAL), small, "2026")
    people, policy = indicators
    reporting.save_report(user(FOCAL), report, "n", "", {people.id: ("1", {}), policy.id: ("1", {})})
    reporting.submit_report(user(FOCAL), report, date(2027, 2, 1))
    reporting.approve_report(user(SECRETARIAT), report, date(2027, 2, 2))
    _assess(small, {"HR": 3, "GEN": 3, "CHILD": 3}, BEST_VALUES, occasion="2026")  # ...100 at the 2026 report
    by_area, fund, _ = reporting.alignment_portfolio()
    # (749,000 × 60 + 100,000 × 100) ÷ 849,000 = 64.7114… → 64.71
    assert by_area["TA4"].overall == D("64.71")
    assert fund.overall == D("64.71")
    assert by_area["TA4"].weakest[0] == "d"
    assert reporting.alignment_summary() == {"areas": {"TA4": "64.71"}, "fund": "64.71"}


def test_assessment_refuses_bad_values_and_unknown_occasions(db):
    seed_results()
    programme = make_programme()
    with pytest.raises(ValidationFailed) as exc:
        _assess(programme, {"HR": 4, "GEN": 2, "CHILD": 2}, {"PC-DIS": "120", "WS-CSO": "x"})
    assert set(exc.value.errors) == {"marker-HR", "value-WS-CSO"}
    with pytest.raises(ValidationFailed) as exc:
        _assess(programme, {"HR": 2, "GEN": 2, "CHILD": 2}, {"PC-DIS": "120"})
    assert set(exc.value.errors) == {"value-PC-DIS"}
    with pytest.raises(DomainError, match="approved annual report"):
        _assess(programme, CASE_MARKERS, {}, occasion="2026")


def test_alignment_dashboard_pages_the_flagged_and_the_unassessed_programmes(client, login, monkeypatch):
    monkeypatch.setattr(reporting, "ALIGNMENT_PER_PAGE", 1)
    seed_results()
    low = [make_programme({"UNICEF": "100000.00"}) for _ in range(2)]
    for programme in low:
        _assess(programme, {"HR": 0, "GEN": 0, "CHILD": 0}, {})  # below every minimum: flagged
    waiting = [make_programme({"UNICEF": "100000.00"}) for _ in range(2)]
    login(SECRETARIAT)
    first = client.get("/programmes/alignment").get_data(as_text=True)
    assert f"{low[0].reference} " in first
    assert f"{low[1].reference} " not in first
    assert 'href="/programmes/alignment?flagged=2" rel="next"' in first
    assert f"{waiting[0].reference} " in first
    assert 'href="/programmes/alignment?unassessed=2" rel="next"' in first
    second = client.get("/programmes/alignment?flagged=2&unassessed=2").get_data(as_text=True)
    assert f"{low[1].reference} " in second
    assert f"{waiting[1].reference} " in second
    assert f"{waiting[0].reference} " not in second
    assert client.get("/programmes/alignment?flagged=0").status_code == 400
