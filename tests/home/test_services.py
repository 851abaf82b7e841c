from datetime import date, datetime, timedelta

import pytest

from fundapp.auth import services as auth_services
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.permissions import Role
from fundapp.home import services
from tests.concept_notes.helpers import make_call


@pytest.mark.parametrize(
    ("email", "endpoint"),
    [
        ("admin@example.org", "home.admin"),
        ("secretariat@example.org", "home.secretariat"),
        ("chair@example.org", "home.committee"),
        ("member1@example.org", "home.committee"),
        ("donor@example.org", "home.donor"),
        ("applicant@example.org", "home.applicant"),
    ],
)
def test_each_role_has_its_home(user, email, endpoint):
    assert services.home_endpoint(user(email)) == endpoint


def test_sign_in_asks_the_home_pages_where_a_user_lands(user):
    """auth cannot import home: the landing_page signal carries the question up."""
    assert auth_services.landing_endpoint(user("donor@example.org")) == "home.donor"


def test_audit_log_filters_by_day_action_type_and_actor(db, user):
    admin = user("admin@example.org")
    with clock.frozen(datetime(2099, 3, 4, 23, 30)):
        late = record_change(admin, "test.late", "things", 1)
    with clock.frozen(datetime(2099, 3, 5, 8, 0)):
        next_day = record_change(None, "test.next_day", "widgets", 2)
    day = services.AuditFilters(since="2099-03-04", until="2099-03-04")
    assert services.audit_entries(day) == [late]  # `until` takes the whole day
    both = services.AuditFilters(since="2099-03-04")
    assert services.audit_entries(both) == [next_day, late]  # newest first
    assert services.audit_entries(services.AuditFilters(since="2099-03-04", object_type="widgets")) == [next_day]
    assert services.audit_entries(services.AuditFilters(since="2099-03-04", actor="ADMIN@")) == [late]
    assert services.audit_entries(services.AuditFilters(action="test.next")) == [next_day]
    assert services.audit_page(both).total == 2
    assert {"things", "widgets"} <= set(services.audit_object_types())


def test_audit_log_ignores_a_day_that_does_not_parse(db):
    everything = services.audit_page(services.AuditFilters()).total
    assert services.audit_page(services.AuditFilters(since="yesterday", until="31/12")).total == everything


def test_admin_page_counts_and_latest_events(app, db, user):
    with app.test_request_context():
        page = services.admin_page(user("admin@example.org"), clock.today())
    assert dict(page["users_by_role"])[Role.admin] >= 1
    assert len(page["recent"]) <= 10
    ids = [row.entry.id for row in page["recent"]]
    assert ids == sorted(ids, reverse=True)


def test_applicant_page_lists_the_organisations_focal_points_and_open_calls(app, db, user):
    me = user("applicant@example.org")
    with app.test_request_context():
        page = services.applicant_page(me, clock.today())
    assert me in page["colleagues"]
    assert [s.key for s in page["inbox"].sections] == ["returned", "clarifications", "reports_due", "drafts"]
    assert page["calls"] == []  # the session database has no call


def test_applicant_page_shows_the_newest_open_calls_and_links_to_them_all(app, client, login, db, user):
    calls = [make_call(title=f"Call {n}", opens_on=date(2026, 1, 1) + timedelta(days=n)) for n in range(7)]
    make_call(title="Closed call", closes_on=date(2026, 1, 31))
    with app.test_request_context(), clock.frozen(date(2026, 3, 1)):
        page = services.applicant_page(user("applicant@example.org"), clock.today())
    assert page["open_calls"] == 7
    assert page["calls"] == calls[::-1][: services.OPEN_CALLS_SHOWN]
    login("applicant@example.org")
    with clock.frozen(date(2026, 3, 1)):
        html = client.get("/applicant").get_data(as_text=True)
    assert "Call 6" in html
    assert "Call 1<" not in html
    assert 'href="/concept-notes/calls">Show all 7</a>' in html


def test_an_inbox_section_is_only_for_the_roles_that_have_it(app, db, user):
    with app.test_request_context():
        assert services.inbox_section_page(user("applicant@example.org"), "drafts", clock.today()) is not None
        assert services.inbox_section_page(user("applicant@example.org"), "screening", clock.today()) is None
        assert services.inbox_section_page(user("chair@example.org"), "closing", clock.today()) is not None
        assert services.inbox_section_page(user("member1@example.org"), "closing", clock.today()) is None
        assert services.inbox_section_page(user("member1@example.org"), "nonsense", clock.today()) is None
