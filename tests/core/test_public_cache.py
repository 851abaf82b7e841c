"""Public figures (summary API, transparency page, results report) come from a cache that follows the records:
one query (the version) per request while nothing changes, fresh figures as soon as a change is committed,
and `ledger_changed` drops this process's entries at once."""

import pytest

from fundapp.core import cache, signals
from tests.contributions import factories as cf
from tests.transparency.helpers import funded_programme


@pytest.fixture
def cache_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_FIGURES_CACHE", True)
    app.extensions["fundapp.public_cache"].clear()
    yield app.extensions["fundapp.public_cache"]
    app.extensions["fundapp.public_cache"].clear()


def test_the_summary_is_served_from_the_cache_until_a_deposit_changes_it(db, client, queries, cache_on):
    before = client.get("/api/v1/summary").get_json()
    with queries() as q:
        again = client.get("/api/v1/summary").get_json()
    assert again == before
    assert len(q) == 1  # the version, nothing else
    cf.deposit("DEU", "900000.00")  # a posting: ledger row, audit row, ledger_changed
    after = client.get("/api/v1/summary").get_json()
    assert after["contributions"]["deposits_usd"] != before["contributions"]["deposits_usd"]
    assert after["donors"]["deposits_by_donor"] != before["donors"]["deposits_by_donor"]


def test_a_posting_drops_the_entries_of_this_process(db, client, cache_on):
    client.get("/api/v1/summary")
    assert cache_on.entries
    signals.ledger_changed.send(db.session)
    assert cache_on.entries == {}


def test_the_transparency_page_is_shared_by_visitors_without_cookies_only(db, app, client, queries, cache_on):
    first = client.get("/transparency/").get_data(as_text=True)
    with queries() as q:
        second = client.get("/transparency/").get_data(as_text=True)
    assert second == first
    assert len(q) == 1
    client.set_cookie("preference", "x")  # a visitor with a cookie gets a page drawn for them
    with queries() as q:
        assert client.get("/transparency/").status_code == 200
    assert len(q) > 1


def test_every_recorded_change_moves_the_version(db, cache_on):
    head, _today = cache.version()
    cf.deposit("NLD")
    assert cache.version()[0] > head  # every recorded change writes an audit row, the version's part


def test_without_the_setting_nothing_is_kept(db, client, app):
    assert app.config["PUBLIC_FIGURES_CACHE"] is False
    client.get("/api/v1/summary")
    assert app.extensions["fundapp.public_cache"].entries == {}


def test_a_reading_request_reads_the_version_once(db, app, queries, cache_on):
    with app.test_request_context("/programmes"), queries() as q:
        assert cache.version() == cache.version()
    assert len(q) == 1
    with app.test_request_context("/programmes", method="POST"), queries() as q:
        cache.version()
        cf.deposit("NLD")  # a request that writes sees its own change in the version
        cache.version()
    assert len([s for s in q if "max(audit_log.id)" in s]) == 2


def test_a_full_cache_lets_the_least_recently_used_entry_go(db, app, cache_on, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    with app.test_request_context("/"):
        for key in ("transparency", "page 1", "page 2"):
            cache.cached(key, lambda key=key: key)
        assert cache.cached("transparency", lambda: "computed again") == "transparency"  # used: kept
        cache.cached("page 3", lambda: "page 3")  # one too many: "page 1", the least recently used, goes
    assert list(cache_on.entries) == ["page 2", "transparency", "page 3"]


def test_a_public_programme_page_is_kept_and_an_unknown_one_stays_404(db, client, queries, cache_on):
    document = funded_programme()
    first = client.get(f"/transparency/programmes/{document.id}").get_data(as_text=True)
    with queries() as q:
        assert client.get(f"/transparency/programmes/{document.id}").get_data(as_text=True) == first
    assert len(q) == 1
    for _ in range(2):
        assert client.get(f"/transparency/programmes/{document.id + 999}").status_code == 404
    assert ("page", f"/transparency/programmes/{document.id}?", "") in cache_on.entries
    assert ("page", f"/transparency/programmes/{document.id + 999}?", "") not in cache_on.entries
