"""The programmes' query services for the inboxes and overdue notices (reports, tranches), the search box and the
audit log."""

from datetime import date

import pytest
import sqlalchemy as sa

from fundapp.programmes import permissions, reporting, services
from fundapp.programmes.models import JointProgramme
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import with_framework

USERS = [
    "applicant@example.org",
    "applicant2@example.org",
    "applicant3@example.org",
    "applicant4@example.org",
    "secretariat@example.org",
    "member1@example.org",
    "donor@example.org",
    "admin@example.org",
]


def _submit(programme, indicators, email="applicant2@example.org", on=date(2026, 7, 20)):
    people, policy = indicators
    report = reporting.start_report(user(email), programme, "2026-H1")
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    assert reporting.update_report(user(email), report, "Done.", "", values, submit_on=on) is None
    return report


def test_reports_due_overdue_returned_and_horizon(db):
    programme, indicators = with_framework()  # UNICEF lead, ILO partner, 2026–2027
    due = reporting.reports_due(date(2026, 7, 1), 60)
    assert [(d.programme, d.period.period, d.overdue) for d in due] == [(programme, "2026-H1", False)]
    assert reporting.reports_due(date(2026, 7, 1), 10) == []  # due 31 July: beyond ten days
    late = reporting.reports_due(date(2026, 8, 1), 0, overdue_only=True)
    assert [(d.period.period, d.overdue, d.report) for d in late] == [("2026-H1", True, None)]
    assert reporting.reports_due(date(2026, 8, 1), 60, organisation_id=org("ILO").id) != []
    assert reporting.reports_due(date(2026, 8, 1), 60, organisation_id=org("UNDP").id) == []
    report = _submit(programme, indicators)
    assert reporting.reports_due(date(2026, 8, 1), 0, overdue_only=True) == []  # delivered
    reporting.return_report(user(SECRETARIAT), report, "Check the totals.")
    returned = reporting.reports_due(date(2026, 7, 25), 0)  # returned: listed whatever its due date
    assert [(d.report, d.overdue) for d in returned] == [(report, False)]


def test_reports_to_review_and_approved_since(db):
    programme, indicators = with_framework()
    assert reporting.reports_to_review(10) == (0, [])
    report = _submit(programme, indicators)
    assert reporting.reports_to_review(10) == (1, [report])
    reporting.approve_report(user(SECRETARIAT), report, date(2026, 8, 3))
    assert reporting.reports_to_review(10) == (0, [])
    assert reporting.approved_reports_since(date(2026, 8, 3), 10) == (1, [report])
    assert reporting.approved_reports_since(date(2026, 8, 4), 10) == (0, [])


def test_tranches_due_with_why_they_are_blocked(db):
    programme, _indicators = with_framework()
    secretariat = user(SECRETARIAT)
    ready = services.plan_tranche(secretariat, programme, org("UNICEF").id, date(2026, 8, 1), "1000.00")
    blocked = services.plan_tranche(
        secretariat, programme, org("ILO").id, date(2026, 8, 20), "2000.00", needs_report_approved=True
    )
    far = services.plan_tranche(secretariat, programme, org("ILO").id, date(2026, 12, 1), "500.00")
    work = services.tranches_due(date(2026, 8, 10), 30)
    assert [(w.tranche, w.overdue, w.blocked) for w in work] == [(ready, True, False), (blocked, False, True)]
    assert "January–June 2026" in work[1].blockers[0]
    assert [w.tranche for w in services.tranches_due(date(2026, 8, 10), overdue_only=True)] == [ready]
    services.release_tranche(secretariat, ready, date(2026, 8, 10))
    assert far not in [w.tranche for w in services.tranches_due(date(2026, 8, 10), 30)]
    assert [w.tranche for w in services.tranches_due(date(2026, 8, 10), 30)] == [blocked]


def test_tranches_due_run_four_queries_whatever_their_number(db, queries):
    programmes = [make_programme() for _ in range(3)]
    for programme in programmes:
        for code in ("UNICEF", "ILO"):
            services.plan_tranche(
                user(SECRETARIAT), programme, org(code).id, date(2026, 8, 1), "100.00", needs_report_approved=True
            )
    db.session.expire_all()
    with queries() as q:
        work = services.tranches_due(date(2026, 8, 10), 30)
    assert len(work) == 6
    assert all(w.blocked for w in work)
    assert len(q) <= 5


@pytest.mark.parametrize("email", USERS)
def test_visible_to_is_the_sql_twin_of_can_view(db, email):
    make_programme()  # UNICEF, ILO
    make_programme(budget={"UNDP": "100000.00", "IOM": "50000.00"}, lead="UNDP", email="applicant@example.org")
    viewer = user(email)
    visible = set(db.session.scalars(sa.select(JointProgramme.id).where(services.visible_to(viewer))))
    every = db.session.scalars(sa.select(JointProgramme)).all()
    assert visible == {p.id for p in every if permissions.can_view(viewer, p)}


def test_search_programmes_by_words_reference_and_note(db):
    programme = make_programme()
    secretariat = user(SECRETARIAT)

    def found(viewer, query):
        return {row.id for row in db.session.execute(services.search_programmes(viewer, query))}

    assert programme.id in found(secretariat, "fair recruitment")
    assert found(secretariat, programme.reference) == {programme.id}
    assert found(secretariat, programme.document.concept_note.reference) == {programme.id}
    assert found(user("applicant@example.org"), "fair recruitment") == set()  # UNDP is not in it
    assert found(user("applicant4@example.org"), "fair recruitment") == {programme.id}  # ILO is


def test_describe_objects_names_programmes_tranches_and_reports(db):
    programme, indicators = with_framework()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 8, 1), "1000.00")
    report = _submit(programme, indicators)
    ref = programme.reference
    assert services.describe_objects("joint_programmes", [str(programme.id)]) == {
        str(programme.id): f"{ref} ‘Fair recruitment for migrant workers’"
    }
    assert services.describe_objects("programme_tranches", [str(tranche.id)]) == {
        str(tranche.id): f"tranche of US$ 1,000.00 to UNICEF ({ref})"
    }
    assert services.describe_objects("progress_reports", [str(report.id)]) == {
        str(report.id): f"progress report 2026-H1 of {ref}"
    }
    assert services.describe_objects("programme_indicators", [str(indicators[0].id)]) == {
        str(indicators[0].id): f"indicator 1.1.a of {ref}"
    }
    assert services.describe_objects("deposits", ["1"]) is None
