"""The inboxes' role-wide work lists (the tranches due, the reports due or overdue, the programme documents to
prepare) and the secretariat's fund figures are kept by core.cache: every inbox is the same with the cache on as
computed afresh, a recorded change shows at once, and an organization's list is never another's."""

import pytest

from fundapp.core import clock
from fundapp.home import inbox, services
from tests.home.test_inbox import _more_of_everything
from tests.home.world import ON, build

READERS = {
    "secretariat@example.org": "secretariat",
    "chair@example.org": "committee",
    "member1@example.org": "committee",
    "applicant@example.org": "applicant",
    "applicant2@example.org": "applicant",
    "donor@example.org": "donor",
}


@pytest.fixture
def world(db):
    return build()


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    app.extensions["fundapp.public_cache"].clear()
    yield app.extensions["fundapp.public_cache"]
    app.extensions["fundapp.public_cache"].clear()


def _everyone(app, user) -> dict:
    """Each reader's inbox, and the secretariat's figures."""
    with app.test_request_context(), clock.frozen(ON):
        seen = {email: inbox.inbox(user(email), page, ON).sections for email, page in READERS.items()}
        page = services.secretariat_page(user("secretariat@example.org"), ON)
        seen["figures"] = (page["status"], page["pools"])
    return seen


def test_the_inboxes_are_the_same_from_the_cache_and_follow_a_change(app, db, user, world, cache_on):
    app.config["PUBLIC_FIGURES_CACHE"] = False
    fresh = _everyone(app, user)
    app.config["PUBLIC_FIGURES_CACHE"] = True
    assert _everyone(app, user) == fresh  # computed and kept
    assert {key[0] for key in cache_on.entries} >= {
        "tranches-due",
        "reports-due",
        "documents-to-prepare",
        "secretariat-figures",
    }
    assert _everyone(app, user) == fresh  # from the cache
    _more_of_everything(world)
    db.session.commit()  # recorded changes (audit rows): the next reading computes the lists again
    changed = _everyone(app, user)
    assert changed["secretariat@example.org"] != fresh["secretariat@example.org"]
    app.config["PUBLIC_FIGURES_CACHE"] = False
    assert _everyone(app, user) == changed


def test_an_organization_never_reads_the_reports_due_of_another(app, db, user, world, cache_on):
    with app.test_request_context(), clock.frozen(ON):
        undp = inbox.section("reports_due", user("applicant@example.org"), ON)
        unicef = inbox.section("reports_due", user("applicant2@example.org"), ON)
        overdue = inbox.section("reports_overdue", user("secretariat@example.org"), ON)
    assert [i.title for i in undp.items] != [i.title for i in unicef.items]
    assert overdue.total >= unicef.total
    app.config["PUBLIC_FIGURES_CACHE"] = False
    with app.test_request_context(), clock.frozen(ON):
        assert inbox.section("reports_due", user("applicant@example.org"), ON) == undp
        assert inbox.section("reports_due", user("applicant2@example.org"), ON) == unicef
