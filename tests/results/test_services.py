"""Results framework and alignment indicator rules (fundapp/results/services.py)."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.models import AuditEntry
from fundapp.reference.models import GuidingPrinciple, Marker
from fundapp.results import services
from fundapp.results.alignment import MeasureKind
from fundapp.results.models import AlignmentIndicator, FundIndicator, FundOutcome
from fundapp.results.rollup import IndicatorUnit, ResultRow
from tests.results.conftest import indicator_input

D = Decimal


def _actions(db, object_type: str) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == object_type)))


# Outcomes -----------------------------------------------------------------------------------------


def test_create_outcome_appends_in_order_and_audits(db, make_outcome):
    first = make_outcome(code="1.1")
    second = make_outcome(code="1.2")
    assert (first.position, second.position) == (1, 2)
    assert _actions(db, "fund_outcomes") == ["results.outcome_created", "results.outcome_created"]


def test_outcome_codes_are_unique_per_area_only(make_outcome):
    make_outcome("TA1", "1.1")
    with pytest.raises(ValidationFailed) as refused:
        make_outcome("TA1", "1.1", "Another statement")
    assert list(refused.value.errors) == ["code"]
    assert make_outcome("TA2", "1.1").code == "1.1"  # another area may reuse it


@pytest.mark.parametrize(
    ("code", "statement", "fields"),
    [("", "S", ["code"]), ("1 1", "S", ["code"]), ("1.1", "", ["statement"]), ("x" * 21, "", ["code", "statement"])],
)
def test_create_outcome_reports_each_field(make_outcome, code, statement, fields):
    with pytest.raises(ValidationFailed) as refused:
        make_outcome(code=code, statement=statement)
    assert sorted(refused.value.errors) == fields


def test_retiring_an_outcome_retires_its_indicators(db, secretariat, make_outcome):
    outcome = make_outcome()
    indicator = services.create_indicator(secretariat, outcome, indicator_input())
    services.set_outcome_active(secretariat, outcome, False)
    assert not indicator.is_active
    with pytest.raises(DomainError, match="reinstate the outcome first"):
        services.set_indicator_active(secretariat, indicator, True)
    with pytest.raises(DomainError, match="retired"):
        services.create_indicator(secretariat, outcome, indicator_input(code="1.1.b"))
    services.set_outcome_active(secretariat, outcome, True)
    assert outcome.is_active
    assert not indicator.is_active  # indicators come back one by one
    services.set_indicator_active(secretariat, indicator, True)
    assert indicator.is_active


def test_delete_outcome_only_without_indicators(db, secretariat, make_outcome):
    outcome = make_outcome()
    services.create_indicator(secretariat, outcome, indicator_input())
    with pytest.raises(DomainError, match="has indicators"):
        services.delete_outcome(secretariat, outcome)
    empty = make_outcome(code="1.2")
    services.delete_outcome(secretariat, empty)
    assert db.session.scalar(sa.select(FundOutcome.id).where(FundOutcome.code == "1.2")) is None


# Indicators ---------------------------------------------------------------------------------------


def test_create_indicator_stores_exact_values(db, secretariat, make_outcome):
    outcome = make_outcome()
    data = indicator_input(unit="percentage", baseline_value=D("35.5"), target_value=D("60.25"), by_sex=True)
    indicator = services.create_indicator(secretariat, outcome, data)
    db.session.expire_all()
    stored = db.session.get(FundIndicator, indicator.id)
    assert stored.unit is IndicatorUnit.percentage
    assert (stored.baseline_value, stored.target_value) == (D("35.5"), D("60.25"))
    assert stored.thematic_area_id == outcome.thematic_area_id
    assert stored.disaggregations == ["sex"]
    assert _actions(db, "fund_indicators") == ["results.indicator_created"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_year": 2019}, "target_year"),  # target year after the baseline year, not equal
        ({"target_year": 2018}, "target_year"),
        ({"baseline_year": 1999}, "baseline_year"),
        ({"baseline_year": None}, "baseline_year"),
        ({"unit": "percentage", "target_value": D(101)}, "target_value"),
        ({"unit": "percentage", "baseline_value": D(-1)}, "baseline_value"),
        ({"unit": "count", "target_value": D("40.5")}, "target_value"),
        ({"unit": "amount_usd", "target_value": D("10.005")}, "target_value"),
        ({"unit": "yes_no", "baseline_value": D(0), "target_value": D(2)}, "target_value"),
        ({"unit": "yes_no", "baseline_value": D(0), "target_value": D(1), "by_sex": True}, "by_sex"),
        ({"target_value": D(0)}, "target_value"),  # no change from the baseline
        ({"target_value": None}, "target_value"),
        ({"code": "1.1/a"}, "code"),
        ({"name": "  "}, "name"),
        ({"unit": "litres"}, "unit"),
    ],
)
def test_create_indicator_refuses_with_the_field(secretariat, make_outcome, changes, field):
    outcome = make_outcome()
    with pytest.raises(ValidationFailed) as refused:
        services.create_indicator(secretariat, outcome, indicator_input(**changes))
    assert field in refused.value.errors


def test_create_indicator_reports_every_problem_at_once(secretariat, make_outcome):
    with pytest.raises(ValidationFailed) as refused:
        services.create_indicator(
            secretariat, make_outcome(), indicator_input(code="", name="", target_year=2010, target_value=D("1.5"))
        )
    assert sorted(refused.value.errors) == ["code", "name", "target_value", "target_year"]


def test_indicator_codes_are_unique_per_area_across_outcomes(secretariat, make_outcome):
    first = make_outcome("TA1", "1.1")
    second = make_outcome("TA1", "1.2")
    services.create_indicator(secretariat, first, indicator_input(code="X.1"))
    with pytest.raises(ValidationFailed) as refused:
        services.create_indicator(secretariat, second, indicator_input(code="x.1"))  # case-insensitive
    assert "unique per thematic area" in refused.value.errors["code"][0]
    other_area = make_outcome("TA2", "2.1")
    assert services.create_indicator(secretariat, other_area, indicator_input(code="X.1")).code == "X.1"


def test_update_indicator_records_only_the_changes(db, secretariat, make_outcome):
    indicator = services.create_indicator(secretariat, make_outcome(), indicator_input())
    services.update_indicator(secretariat, indicator, indicator_input(target_value=D(45)))
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "results.indicator_updated").order_by(AuditEntry.id.desc())
    )
    assert entry.details == '{"target":{"from":["40",2024],"to":["45",2024]}}'
    services.update_indicator(secretariat, indicator, indicator_input(target_value=D(45)))
    assert _actions(db, "fund_indicators").count("results.indicator_updated") == 1


def test_update_indicator_keeps_its_own_code(secretariat, make_outcome):
    indicator = services.create_indicator(secretariat, make_outcome(), indicator_input())
    services.update_indicator(secretariat, indicator, indicator_input(name="Renamed"))
    assert indicator.name == "Renamed"


def test_linked_indicator_cannot_be_deleted_or_change_unit(db, secretariat, make_outcome, linked):
    indicator = services.create_indicator(secretariat, make_outcome(), indicator_input())
    linked[indicator.id] = 3
    assert services.indicator_links([indicator.id]) == {indicator.id: 3}
    with pytest.raises(DomainError, match=r"3 programme indicators link to 1\.1\.a: retire it instead"):
        services.delete_indicator(secretariat, indicator)
    with pytest.raises(DomainError, match="cannot change") as refused:
        services.update_indicator(secretariat, indicator, indicator_input(unit="score"))
    assert refused.value.field == "unit"
    services.set_indicator_active(secretariat, indicator, False)  # retiring is the way out
    assert not indicator.is_active


def test_unlinked_indicator_can_be_deleted(db, secretariat, make_outcome, linked):
    indicator = services.create_indicator(secretariat, make_outcome(), indicator_input())
    indicator_id = indicator.id
    linked[indicator_id + 1000] = 1  # another indicator's links do not count
    services.delete_indicator(secretariat, indicator)
    assert db.session.get(FundIndicator, indicator_id) is None
    assert "results.indicator_deleted" in _actions(db, "fund_indicators")


def test_database_refuses_a_target_year_before_the_baseline(db, make_outcome):
    outcome = make_outcome()
    bad = FundIndicator(
        outcome_id=outcome.id,
        thematic_area_id=outcome.thematic_area_id,
        code="Z",
        name="Z",
        unit=IndicatorUnit.count,
        baseline_value=D(0),
        baseline_year=2024,
        target_value=D(1),
        target_year=2020,
    )
    nested = db.session.begin_nested()
    db.session.add(bad)
    with pytest.raises(IntegrityError):
        db.session.flush()
    nested.rollback()


def test_framework_lists_active_outcomes_and_indicators(secretariat, make_outcome, area):
    outcome = make_outcome()
    kept = services.create_indicator(secretariat, outcome, indicator_input(code="a"))
    retired = services.create_indicator(secretariat, outcome, indicator_input(code="b"))
    services.set_indicator_active(secretariat, retired, False)
    gone = make_outcome(code="1.2")
    services.set_outcome_active(secretariat, gone, False)
    rows = services.framework(area("TA1").id)
    assert [(r.outcome.code, [i.code for i in r.indicators]) for r in rows] == [("1.1", ["a"])]
    everything = services.framework(area("TA1").id, include_retired=True)
    assert [(r.outcome.code, [i.code for i in r.indicators]) for r in everything] == [("1.1", ["a", "b"]), ("1.2", [])]
    assert services.framework_counts()[area("TA1").id] == (1, 1)
    assert services.fund_indicator_units([kept.id]) == {kept.id: IndicatorUnit.count}


# Alignment indicators -----------------------------------------------------------------------------


def _principle(db, code: str) -> GuidingPrinciple:
    return db.session.scalar(sa.select(GuidingPrinciple).where(GuidingPrinciple.code == code))


def _marker(db, code: str) -> Marker:
    return db.session.scalar(sa.select(Marker).where(Marker.code == code))


def alignment_input(db, **changes) -> services.AlignmentInput:
    values = {
        "principle_id": _principle(db, "j").id,
        "code": "WS-X",
        "name": "Migrant organizations on the steering committee",
        "kind": "count",
        "thresholds": (D(1), D(2), D(4)),
        "measurement": "Count of members",
        "marker_id": None,
    }
    values.update(changes)
    return services.AlignmentInput(**values)


def test_load_alignment_indicators_covers_all_ten_principles_once(db):
    created = services.load_alignment_indicators()
    assert created == len(services.alignment_from_file()) >= 10
    principles = set(db.session.scalars(sa.select(GuidingPrinciple.code)))
    assert {i.principle.code for i in services.alignment_indicators()} == principles
    assert services.load_alignment_indicators() == 0
    gender = db.session.scalar(sa.select(AlignmentIndicator).where(AlignmentIndicator.code == "GR-MARKER"))
    assert gender.marker.code == "GEN"
    assert gender.kind is MeasureKind.marker


def test_load_keeps_edited_indicators(db, secretariat):
    services.load_alignment_indicators()
    cso = db.session.scalar(sa.select(AlignmentIndicator).where(AlignmentIndicator.code == "WS-CSO"))
    services.update_alignment_indicator(
        secretariat,
        cso,
        alignment_input(db, code="WS-CSO", name=cso.name, thresholds=(D(2), D(4), D(8))),
    )
    assert services.load_alignment_indicators() == 0
    assert cso.thresholds == (D(2), D(4), D(8))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"thresholds": (D(3), D(2), D(4))}, "threshold_1"),
        ({"thresholds": (D(0), D(2), D(4))}, "threshold_1"),
        ({"thresholds": (D("1.5"), D(2), D(4))}, "threshold_1"),  # counts are whole numbers
        ({"thresholds": (D(1), None, D(4))}, "threshold_1"),
        ({"kind": "percentage", "thresholds": (D(10), D(50), D(120))}, "threshold_1"),
        ({"kind": "marker", "thresholds": (D(1), D(2), D(3))}, "marker_id"),
        ({"marker_id": "GEN"}, "marker_id"),  # only a marker score names a marker
        ({"principle_id": None}, "principle_id"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"kind": "stars"}, "kind"),
    ],
)
def test_alignment_indicator_rules(db, secretariat, changes, field):
    if changes.get("marker_id") == "GEN":
        changes["marker_id"] = _marker(db, "GEN").id
    with pytest.raises(ValidationFailed) as refused:
        services.create_alignment_indicator(secretariat, alignment_input(db, **changes))
    assert field in refused.value.errors


def test_marker_indicator_must_use_its_principles_marker(db, secretariat):
    data = alignment_input(db, kind="marker", thresholds=(D(1), D(2), D(3)), marker_id=_marker(db, "GEN").id)
    with pytest.raises(ValidationFailed) as refused:
        services.create_alignment_indicator(secretariat, data)  # principle j, gender marker belongs to g
    assert "another principle" in refused.value.errors["marker_id"][0]
    data.principle_id = _principle(db, "g").id
    assert services.create_alignment_indicator(secretariat, data).marker.code == "GEN"


def test_alignment_codes_are_unique(db, secretariat):
    services.create_alignment_indicator(secretariat, alignment_input(db))
    with pytest.raises(ValidationFailed) as refused:
        services.create_alignment_indicator(secretariat, alignment_input(db, code="ws-x"))
    assert "code" in refused.value.errors


def test_alignment_definitions_leave_out_retired_indicators(db, secretariat):
    services.load_alignment_indicators()
    cso = db.session.scalar(sa.select(AlignmentIndicator).where(AlignmentIndicator.code == "WS-CSO"))
    services.set_alignment_indicator_active(secretariat, cso, False)
    definitions = services.alignment_definitions()
    assert "WS-CSO" not in {d.code for d in definitions}
    steer = next(d for d in definitions if d.code == "WS-STEER")
    assert (steer.principle, steer.kind, steer.thresholds) == ("j", MeasureKind.yes_no, (D(1), D(1), D(1)))
    assert "results.alignment_indicator_retired" in _actions(db, "alignment_indicators")


def test_marker_minimums_are_saved_and_checked(db, secretariat):
    gen, hr = _marker(db, "GEN"), _marker(db, "HR")
    assert services.marker_minimums() == {"GEN": 2, "HR": 2, "CHILD": 2}
    services.set_marker_minimums(secretariat, {gen.id: 3, hr.id: 1})
    assert services.marker_minimums() == {"GEN": 3, "HR": 1, "CHILD": 2}
    with pytest.raises(ValidationFailed) as refused:
        services.set_marker_minimums(secretariat, {gen.id: 4})
    assert refused.value.errors == {"minimums-0-minimum": ["A score from 0 to 3."]}
    assert _actions(db, "markers") == ["results.marker_minimums_set"]


# Plugging in programme data -----------------------------------------------------------------------


def test_roll_up_results_reads_each_fund_indicators_unit(db, secretariat, make_outcome):
    outcome = make_outcome()
    people = services.create_indicator(secretariat, outcome, indicator_input(code="a", by_sex=True))
    share = services.create_indicator(
        secretariat, outcome, indicator_input(code="b", unit="percentage", baseline_value=D(20), target_value=D(50))
    )
    rows = [
        ResultRow(people.id, 1, "2021", D(120), {"sex": {"female": D(70), "male": D(50)}}),
        ResultRow(people.id, 2, "2021-H1", D(30), {"sex": {"female": D(10), "male": D(20)}}),
        ResultRow(share.id, 1, "2021", D(40)),
        ResultRow(share.id, 2, "2021", D(10)),
    ]
    services.set_indicator_active(secretariat, people, False)  # retired indicators still roll up
    result = services.roll_up_results(rows, {1: D(1_000_000), 2: D(4_000_000)})
    assert result[people.id].value == D("150.00")
    assert result[people.id].disaggregation == {"sex": {"female": D("80.00"), "male": D("70.00")}}
    assert result[share.id].value == D("16.00")  # (1×40 + 4×10)/5


def test_assess_alignment_with_the_funds_indicators(db, secretariat):
    services.load_alignment_indicators()
    values = {"GR-MARKER": D(2), "GR-BUDGET": D(30), "HR-MARKER": D(3), "CS-MARKER": D(1), "WS-CSO": D(6)}
    result = services.assess_alignment(values)
    assert result.principle_scores["g"] == D("2.00")
    assert result.principle_scores["f"] == D("3.00")
    assert result.principle_scores["h"] == D("1.00")
    assert result.principle_scores["j"] == D("1.50")  # WS-CSO 3, WS-STEER not measured 0
    assert set(result.principle_scores) == set("abcdefghij")
    # Scored principles: g 2, f 3, h 1, j 1.5; the other six 0 → 7.5/10 = 0.75 → 25.00.
    assert result.overall == D("25.00")
    assert "WS-STEER" in result.missing


def test_assess_alignment_refuses_values_unfit_for_their_kind(db):
    services.load_alignment_indicators()
    with pytest.raises(ValidationFailed) as refused:
        services.assess_alignment({"GR-MARKER": D(4), "GR-BUDGET": D(120), "WS-CSO": D("2.5"), "NS-ENDORSE": D(1)})
    assert sorted(refused.value.errors) == ["GR-BUDGET", "GR-MARKER", "WS-CSO"]
