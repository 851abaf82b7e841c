"""The public programme list and funding status are kept by core.cache: the same answer as computed afresh, one
query (the version) while nothing changes, each filter and page its own entry, new figures after a change."""

from datetime import date

import pytest

from fundapp.programmes import services
from tests.concept_notes.helpers import org, user
from tests.contributions import factories as cf
from tests.programmes.helpers import SECRETARIAT, make_programme


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    app.extensions["fundapp.public_cache"].clear()
    yield app.extensions["fundapp.public_cache"]
    app.extensions["fundapp.public_cache"].clear()


def test_the_funding_status_is_served_from_the_cache_until_a_deposit(db, client, queries, cache_on):
    before = client.get("/api/v1/funding-status").get_json()
    with queries() as q:
        assert client.get("/api/v1/funding-status").get_json() == before
    assert len(q) == 1  # the version
    assert client.get("/api/v1/funding-status?as_of=2019-01-01").get_json()["as_of"] == "2019-01-01"
    cf.deposit("DEU", "900000.00", on=date(2026, 1, 5))
    after = client.get("/api/v1/funding-status").get_json()
    assert after["sources"] != before["sources"]


def test_the_programme_list_is_the_same_from_the_cache_and_follows_a_change(db, app, client, queries, cache_on):
    make_programme()
    db.session.commit()
    app.config["PUBLIC_FIGURES_CACHE"] = False
    fresh = client.get("/api/v1/programmes").get_json()
    app.config["PUBLIC_FIGURES_CACHE"] = True
    assert client.get("/api/v1/programmes").get_json() == fresh
    with queries() as q:
        assert client.get("/api/v1/programmes").get_json() == fresh
    assert len(q) == 1
    assert client.get("/api/v1/programmes?area=TA1").get_json()["data"] == []  # each filter its own entry
    assert client.get("/api/v1/programmes?page=2").get_json()["data"] == []  # and each page
    other = make_programme({"UNDP": "100000.00"}, lead="UNDP", email="applicant@example.org")
    services.plan_tranche(user(SECRETARIAT), other, org("UNDP").id, date(2026, 1, 15), "1000.00")
    db.session.commit()
    after = client.get("/api/v1/programmes").get_json()
    assert after["meta"]["total"] == fresh["meta"]["total"] + 1
