"""The portfolio's fund-wide figures (the geography of the filtered portfolio, the filters' choices) are kept by
core.cache: the page is the same with the cache on, a recorded change shows at once, and a focal point's
figures are its organization's, never those another reader computed."""

from datetime import date

import pytest

from fundapp.programmes import services
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT, make_programme


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    app.extensions["fundapp.public_cache"].clear()
    yield app.extensions["fundapp.public_cache"]
    app.extensions["fundapp.public_cache"].clear()


def test_the_portfolio_is_the_same_with_the_cache_and_follows_a_change(db, app, client, login, cache_on):
    programme = make_programme()
    db.session.commit()
    login("secretariat@example.org")
    app.config["PUBLIC_FIGURES_CACHE"] = False
    fresh = client.get("/programmes").get_data(as_text=True)
    app.config["PUBLIC_FIGURES_CACHE"] = True
    assert client.get("/programmes").get_data(as_text=True) == fresh
    assert client.get("/programmes").get_data(as_text=True) == fresh  # from the cache
    assert cache_on.entries
    other = make_programme({"UNDP": "100000.00"}, lead="UNDP", email="applicant@example.org")
    services.plan_tranche(user(SECRETARIAT), other, org("UNDP").id, date(2026, 1, 15), "1000.00")
    db.session.commit()  # a recorded change: the next request computes the figures again
    after = client.get("/programmes").get_data(as_text=True)
    assert other.reference in after
    app.config["PUBLIC_FIGURES_CACHE"] = False
    assert client.get("/programmes").get_data(as_text=True) == after
    assert programme.reference in after


def test_a_focal_point_never_reads_the_figures_of_another_reader(db, app, client, login, cache_on):
    make_programme()  # UNICEF and ILO
    make_programme({"UNDP": "100000.00"}, lead="UNDP", email="applicant@example.org")
    db.session.commit()
    login("secretariat@example.org")
    client.get("/programmes")  # the whole portfolio's figures, kept
    login("applicant@example.org")  # UNDP: its own programme only
    cached = client.get("/programmes").get_data(as_text=True)
    app.config["PUBLIC_FIGURES_CACHE"] = False
    assert client.get("/programmes").get_data(as_text=True) == cached
