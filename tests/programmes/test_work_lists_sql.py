"""The inboxes' SQL twins of the work lists (tranches_due_page, reports_due_page) list exactly what the Python
definitions (tranches_due, reports_due: the calendar and the conditions worked out per item) list, in the same
order, with the same totals, on any date, in a bounded number of queries."""

from datetime import date, timedelta

from fundapp.core.extensions import db
from fundapp.programmes import reporting, services
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import CHAIR, SECRETARIAT, make_programme
from tests.programmes.results_helpers import with_framework

FOCAL = "applicant2@example.org"
ALL = 10_000


def _tranches(page: services.TranchesDue) -> list[tuple]:
    return [(w.tranche.id, w.overdue, w.blocked) for w in page.items]


def _python_tranches(on: date, days: int, blocked: bool) -> list[tuple]:
    return [(w.tranche.id, w.overdue, w.blocked) for w in services.tranches_due(on, days) if w.blocked == blocked]


def _reports(due: list[reporting.ReportDue]) -> list[tuple]:
    return [
        (d.programme.id, d.period.period, d.period.due_on, d.report.id if d.report else None, d.overdue) for d in due
    ]


def _assert_same_tranches(on: date, days: int) -> set[tuple[bool, bool]]:
    """(blocked, overdue) of the tranches listed."""
    seen = set()
    for blocked in (True, False):
        expected = _python_tranches(on, days, blocked)
        page = services.tranches_due_page(on, days, blocked, ALL)
        assert _tranches(page) == expected, (on, blocked)
        assert (page.total, page.overdue) == (len(expected), len([t for t in expected if t[1]])), (on, blocked)
        first = services.tranches_due_page(on, days, blocked, 2)
        assert _tranches(first) == expected[:2], (on, blocked)
        assert first.total == len(expected), (on, blocked)
        seen |= {(t[2], t[1]) for t in expected}
    return seen


def _assert_same_reports(on: date, days: int, organisation_id: int | None, overdue_only: bool) -> list[tuple]:
    expected = _reports(reporting.reports_due(on, days, organisation_id=organisation_id, overdue_only=overdue_only))
    page = reporting.reports_due_page(on, days, ALL, organisation_id=organisation_id, overdue_only=overdue_only)
    assert _reports(page.items) == expected, (on, days, organisation_id, overdue_only)
    assert (page.total, page.overdue) == (len(expected), len([d for d in expected if d[4]]))
    first = reporting.reports_due_page(on, days, 3, organisation_id=organisation_id, overdue_only=overdue_only)
    assert _reports(first.items) == expected[:3]
    assert first.total == len(expected)
    return expected


def _world() -> None:
    """Programmes whose calendars differ (starting mid-year, after 30 June, ending mid-year), with reports in
    every state and tranches with and without each condition."""
    secretariat = user(SECRETARIAT)
    first, indicators = with_framework(make_programme(starts_on=date(2025, 9, 1), ends_on=date(2027, 3, 31)))
    second = make_programme(starts_on=date(2026, 7, 1), ends_on=date(2028, 6, 30))
    third = make_programme(budget={"UNDP": "300000.00"}, starts_on=date(2026, 1, 1))
    people, policy = indicators
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    approved = reporting.start_report(user(FOCAL), first, "2025")
    assert reporting.update_report(user(FOCAL), approved, "Done.", "", values, submit_on=date(2026, 3, 1)) is None
    reporting.approve_report(secretariat, approved, date(2026, 3, 10))
    returned = reporting.start_report(user(FOCAL), first, "2026-H1")
    assert reporting.update_report(user(FOCAL), returned, "Done.", "", values, submit_on=date(2026, 7, 20)) is None
    reporting.return_report(secretariat, returned, "Check the totals.")
    submitted = reporting.start_report(user(FOCAL), first, "2026")
    assert reporting.update_report(user(FOCAL), submitted, "Done.", "", values, submit_on=date(2027, 2, 1)) is None
    reporting.start_report(user(FOCAL), second, "2026")  # a draft
    for programme, code in ((first, "UNICEF"), (first, "ILO"), (second, "ILO"), (third, "UNDP")):
        services.plan_tranche(secretariat, programme, org(code).id, date(2026, 1, 20), "1000.00")
        services.plan_tranche(
            secretariat, programme, org(code).id, date(2026, 8, 15), "2000.00", needs_report_approved=True
        )
        services.plan_tranche(
            secretariat, programme, org(code).id, date(2027, 4, 10), "3000.00", min_spent_percent="50"
        )
        services.plan_tranche(
            secretariat,
            programme,
            org(code).id,
            date(2027, 9, 1),
            "4000.00",
            needs_report_approved=True,
            min_spent_percent="10",
        )
    released = services.plan_tranche(secretariat, first, org("UNICEF").id, date(2026, 1, 10), "100000.00")
    services.release_tranche(secretariat, released, date(2026, 1, 10))
    services.record_expenditure(secretariat, first, org("UNICEF").id, 2026, "interim", "30000.00", date(2026, 6, 30))
    db.session.flush()


def _dates() -> list[date]:
    days = [date(2025, 6, 1) + timedelta(days=n) for n in range(0, 4 * 365, 41)]
    return [*days, date(2026, 7, 31), date(2026, 8, 1), date(2027, 3, 31), date(2027, 4, 1), date(2028, 8, 1)]


def test_the_sql_tranche_lists_are_the_python_ones_on_any_date(db):
    _world()
    seen = set()
    for on in _dates():
        seen |= _assert_same_tranches(on, 30)
    assert seen == {(True, True), (True, False), (False, True), (False, False)}  # every kind was compared
    _assert_same_tranches(date(2026, 9, 1), 0)
    _assert_same_tranches(date(2026, 9, 1), 400)


def test_the_sql_report_lists_are_the_python_ones_on_any_date(db):
    _world()
    listed = []
    for on in _dates():
        for organisation_id in (None, org("ILO").id, org("UNDP").id):
            listed += _assert_same_reports(on, 60, organisation_id, overdue_only=False)
        listed += _assert_same_reports(on, 0, None, overdue_only=True)
    # Overdue and not, not started and started (a draft, the returned one), H1 and annual periods were compared.
    assert {d[4] for d in listed} == {True, False}
    assert {d[3] is None for d in listed} == {True, False}
    assert {d[1].endswith("-H1") for d in listed} == {True, False}


def test_the_spending_condition_rounds_the_delivery_rate_as_the_python_one(db):
    """66.67% is below 70%, 69.995% rounds up to 70.00% (met), 69.99499…% rounds down (blocked)."""
    secretariat = user(SECRETARIAT)
    programme = make_programme()
    first = services.plan_tranche(secretariat, programme, org("UNICEF").id, date(2026, 1, 15), "300000.00")
    services.release_tranche(secretariat, first, date(2026, 1, 15))
    second = services.plan_tranche(
        secretariat, programme, org("UNICEF").id, date(2026, 7, 1), "235000.00", min_spent_percent="70"
    )
    on = date(2026, 7, 1)
    for spent, blocked in (("200000.00", True), ("9984.99", True), ("0.01", False)):
        services.record_expenditure(secretariat, programme, org("UNICEF").id, 2026, "interim", spent, on)
        db.session.flush()
        assert [w.blocked for w in services.tranches_due(on) if w.tranche == second] == [blocked]
        assert [w.tranche for w in services.tranches_due_page(on, 0, blocked, ALL).items] == [second]
        assert services.tranches_due_page(on, 0, not blocked, ALL).items == []
    services.release_tranche(user(CHAIR), second, on)
    assert services.tranches_due_page(on, 0, False, ALL).total == 0


def test_the_sql_work_lists_run_a_bounded_number_of_queries(db, queries):
    _world()
    db.session.expire_all()
    with queries() as q:
        split = services.tranches_due_split(date(2026, 9, 1), 30, 8)
        assert [w.blockers for w in split[True].items]
    assert split[True].total > 2
    assert split[False].total > 0
    assert len(q) <= 5
    with queries() as q:
        due = reporting.reports_due_page(date(2027, 9, 1), 60, 8)
    assert due.total > 2
    assert len(q) <= 4
