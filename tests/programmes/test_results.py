"""Programme results frameworks, progress reports (state machine, locking), reminders and the roll-up."""

from datetime import date
from decimal import Decimal

import pytest

from fundapp.core.errors import DomainError, IllegalTransition, NotAllowed, ValidationFailed
from fundapp.notifications.models import Notification
from fundapp.programmes import reporting, services
from fundapp.results import services as fund_services
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import FOCAL, fund_indicator, with_framework

D = Decimal


def _values(people, policy, total="120", female="70", male="50", yes="1"):
    return {people.id: (total, {"sex": {"female": female, "male": male}}), policy.id: (yes, {})}


def _approved(programme, indicators, period="2026-H1", **kwargs):
    report = reporting.start_report(user(FOCAL), programme, period)
    reporting.save_report(user(FOCAL), report, "Good progress.", "Floods.", _values(*indicators, **kwargs))
    reporting.submit_report(user(FOCAL), report, date(2026, 7, 20))
    reporting.approve_report(user(SECRETARIAT), report, date(2026, 7, 25))
    return report


def test_calendar_has_semi_annual_and_annual_periods(db):
    programme = make_programme(starts_on=date(2026, 3, 1), ends_on=date(2027, 12, 31))
    assert [(p.period, p.due_on) for p in reporting.calendar(programme)] == [
        ("2026-H1", date(2026, 7, 31)),
        ("2026", date(2027, 3, 31)),
        ("2027-H1", date(2027, 7, 31)),
        ("2027", date(2028, 3, 31)),
    ]


def test_linked_indicator_must_match_area_and_unit_once_per_programme(db):
    programme, (people, _policy) = with_framework()
    outcome_id = people.outcome_id
    base = {"outcome_id": outcome_id, "name": "x", "baseline_value": D(0), "baseline_year": 2025, "target_value": D(5)}

    def add(unit: str, fund_id: int) -> None:
        reporting.add_indicator(
            user(FOCAL), programme, reporting.IndicatorInput(code="9", unit=unit, fund_indicator_id=fund_id, **base)
        )

    with pytest.raises(ValidationFailed) as unit:
        add("percentage", fund_indicator("4.1.a").id)
    assert "same unit" in unit.value.errors["fund_indicator_id"][0]
    with pytest.raises(ValidationFailed) as again:
        add("count", people.fund_indicator_id)
    assert "Another indicator" in again.value.errors["fund_indicator_id"][0]
    with pytest.raises(ValidationFailed) as area:
        add("count", fund_indicator("1.1.a").id)
    assert "thematic area" in area.value.errors["fund_indicator_id"][0]
    assert fund_services.indicator_links([people.fund_indicator_id]) == {people.fund_indicator_id: 1}


def test_report_returned_corrected_and_approved_locks_the_period(db):
    programme, indicators = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    with pytest.raises(DomainError, match="narrative"):
        reporting.submit_report(user(FOCAL), report, date(2026, 7, 1))
    reporting.save_report(user(FOCAL), report, "Progress.", "", _values(*indicators))
    with pytest.raises(NotAllowed):
        reporting.submit_report(user(SECRETARIAT), report, date(2026, 7, 1))
    reporting.submit_report(user(FOCAL), report, date(2026, 7, 1))
    with pytest.raises(DomainError, match="no longer be changed"):
        reporting.save_report(user(FOCAL), report, "Changed.", "", _values(*indicators))
    with pytest.raises(DomainError, match="corrected"):
        reporting.return_report(user(SECRETARIAT), report, "")
    reporting.return_report(user(SECRETARIAT), report, "The breakdown by sex is missing a source.")
    assert report.status == "returned"
    notified = db.session.query(Notification).filter(Notification.subject.like("%returned")).count()
    assert notified >= 1
    corrected = _values(*indicators, total="130", female="80")
    reporting.save_report(user(FOCAL), report, "Progress, with sources.", "", corrected)
    reporting.submit_report(user(FOCAL), report, date(2026, 7, 5))
    reporting.approve_report(user(SECRETARIAT), report, date(2026, 7, 6))
    assert report.status == "approved"
    with pytest.raises(DomainError, match="no longer be changed"):
        reporting.save_report(user(FOCAL), report, "Later.", "", _values(*indicators))
    with pytest.raises(IllegalTransition):
        reporting.return_report(user(SECRETARIAT), report, "Too late.")
    with pytest.raises(DomainError, match="exists already"):
        reporting.start_report(user(FOCAL), programme, "2026-H1")


def test_breakdown_must_add_up_to_the_total(db):
    programme, indicators = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    with pytest.raises(ValidationFailed) as exc:
        reporting.save_report(user(FOCAL), report, "n", "", _values(*indicators, total="120", female="60"))
    assert "adds up to 110" in exc.value.errors[f"actual-{indicators[0].id}-sex"][0]
    with pytest.raises(ValidationFailed) as yes_no:
        reporting.save_report(user(FOCAL), report, "n", "", _values(*indicators, yes="2"))
    assert yes_no.value.errors[f"actual-{indicators[1].id}"] == ["Choose yes or no."]


def test_roll_up_adds_linked_indicators_with_disaggregations(db):
    first, first_ind = with_framework()
    second, second_ind = with_framework(make_programme({"UNICEF": "100000.00"}))
    _approved(first, first_ind, total="120", female="70", male="50")
    _approved(second, second_ind, total="30", female="10", male="20")
    # A later report still in draft does not count.
    draft = reporting.start_report(user(FOCAL), first, "2026")
    reporting.save_report(user(FOCAL), draft, "n", "", _values(*first_ind, total="999", female="999", male="0"))
    rows = dict(reporting.fund_dashboard())
    area = next(a for a in rows if a.code == "TA4")
    row = next(r for r in rows[area] if r.indicator.id == first_ind[0].fund_indicator_id)
    assert row.value == D("150.00")
    assert row.rollup.disaggregation == {"sex": {"female": D("80.00"), "male": D("70.00")}}
    assert row.rollup.programmes == 2
    progress = reporting.programme_progress(first.id, reporting.framework(first.id))
    assert progress[first_ind[0].id].actual == D(120)
    assert progress[first_ind[0].id].progress.raw == D("12.00")


def test_tranche_report_condition_uses_the_latest_due_report(db):
    programme, indicators = with_framework()
    tranche = services.plan_tranche(
        user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 8, 15), "1000.00", needs_report_approved=True
    )
    flow = services.money_flows([programme.id])[programme.id][org("UNICEF").id]
    assert services.unmet_conditions(tranche, flow, date(2026, 7, 1)) == []  # nothing due yet
    assert "January–June 2026" in services.unmet_conditions(tranche, flow, date(2026, 8, 15))[0]
    _approved(programme, indicators)
    assert services.unmet_conditions(tranche, flow, date(2026, 8, 15)) == []


def test_remind_notifies_once_before_due_and_flags_overdue(db):
    programme, _ = with_framework()
    sent = reporting.remind(date(2026, 7, 20))
    assert sent["due_soon"] >= 1
    assert sent["overdue"] == 0
    assert reporting.remind(date(2026, 7, 20)) == {"due_soon": 0, "overdue": 0}
    sent = reporting.remind(date(2026, 8, 2))
    assert sent["overdue"] >= 2  # the focal point and the secretariat
    assert reporting.overdue_counts([programme.id], date(2026, 8, 2)) == {programme.id: 1}


def test_remind_command(db, runner):
    with_framework()
    result = runner.invoke(args=["programmes", "remind", "--on", "2026-07-20"])
    assert result.exit_code == 0, result.output
    assert "due soon" in result.output


def test_update_report_keeps_the_draft_when_the_submission_is_refused(db):
    programme, (people, policy) = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    partial = {people.id: ("120", {"sex": {"female": "70", "male": "50"}})}
    refused = reporting.update_report(user(FOCAL), report, "Progress.", "", partial, submit_on=date(2026, 7, 1))
    assert refused == "Before submitting, give actual values for 1 indicator(s)."
    assert report.status == "draft"
    assert report.narrative == "Progress."
    assert [v.indicator_id for v in report.values] == [people.id]
    assert reporting.update_report(user(FOCAL), report, "Progress.", "", _values(people, policy)) is None
    assert report.status == "draft"
    assert (
        reporting.update_report(
            user(FOCAL), report, "Progress.", "", _values(people, policy), submit_on=date(2026, 7, 1)
        )
        is None
    )
    assert report.status == "submitted"
    assert report.submitted_on == date(2026, 7, 1)


def test_review_report_approves_or_returns(db):
    programme, indicators = with_framework()
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    reporting.update_report(user(FOCAL), report, "n", "", _values(*indicators), submit_on=date(2026, 7, 1))
    with pytest.raises(DomainError, match="corrected"):
        reporting.review_report(user(SECRETARIAT), report, False, " ", date(2026, 7, 2))
    reporting.review_report(user(SECRETARIAT), report, False, "Add sources.", date(2026, 7, 2))
    assert (report.status, report.review_comment) == ("returned", "Add sources.")
    reporting.update_report(user(FOCAL), report, "n", "", _values(*indicators), submit_on=date(2026, 7, 3))
    reporting.review_report(user(SECRETARIAT), report, True, "", date(2026, 7, 4))
    assert (report.status, report.approved_on) == ("approved", date(2026, 7, 4))


def test_open_periods_leave_out_started_reports(db):
    programme = make_programme(starts_on=date(2026, 3, 1), ends_on=date(2027, 12, 31))
    reporting.start_report(user(FOCAL), programme, "2026-H1")
    assert [p.period for p in reporting.open_periods(programme)] == ["2026", "2027-H1", "2027"]


def test_release_blockers_are_empty_once_released(db):
    programme = make_programme()
    tranche = services.plan_tranche(
        user(SECRETARIAT), programme, org("ILO").id, date(2026, 8, 15), "1000.00", needs_report_approved=True
    )
    assert services.release_blockers(tranche, date(2026, 8, 15)) != []
    services.release_tranche(user("chair@example.org"), tranche, date(2026, 8, 15), "Urgent needs.")
    assert services.release_blockers(tranche, date(2026, 8, 15)) == []
