"""The search box: every word, references, kinds and pages, and never a result the user could not open."""

import pytest

from fundapp.core import clock
from fundapp.home import search
from tests.concept_notes.helpers import make_note
from tests.home.world import ON, build

#: Who searches: every role, applicants of organisations with and without notes, donors with and without money.
SEARCHERS = [
    "secretariat@example.org",
    "chair@example.org",
    "member1@example.org",
    "member3@example.org",
    "applicant@example.org",
    "applicant2@example.org",
    "applicant3@example.org",
    "donor@example.org",
    "donor2@example.org",
    "donor5@example.org",
    "admin@example.org",
]


@pytest.fixture
def world(db):
    return build()


def _search(app, user, query, kind="", page=1, per_page=search.PER_PAGE):
    with app.test_request_context():
        return search.search(user, query, kind, page, per_page)


def _all_hits(app, user, query):
    results = _search(app, user, query, per_page=500)
    assert results.total == len(results.items)
    return results.items


def _queries(world) -> list[str]:
    references = [n.reference for n in (world.undp_draft_soon, world.unicef_draft, world.undp_submitted)]
    references += [p.reference for p in (world.jp1, world.jp2)]
    return ["note", "UNDP", "unicef draft", "migrant", "germany", "netherlands", "UN", "o", *references]


def test_search_never_returns_what_the_user_could_not_open(app, client, login, user, world):
    """Every hit, for every searcher and query, opens for that searcher (200), as a person clicking it."""
    checked = 0
    for email in SEARCHERS:
        searcher = user(email)
        urls = {hit.url for query in _queries(world) for hit in _all_hits(app, searcher, query)}
        login(email)
        for url in sorted(urls):
            response = client.get(url)
            assert response.status_code == 200, f"{email} found {url} and got {response.status_code}"
            checked += 1
    assert checked > 100  # the test looked at many results


def test_each_role_finds_what_it_may_open_and_only_that(app, user, world):
    def titles(email, query, kind=""):
        return {hit.title for hit in _search(app, user(email), query, kind, per_page=500).items}

    drafts = {
        f"{world.undp_draft_soon.reference} UNDP draft, call closing",
        f"{world.unicef_draft.reference} UNICEF draft",
    }
    # Drafts stay with their organisation.
    assert titles("applicant@example.org", "draft", "note") == {
        f"{world.undp_draft_soon.reference} UNDP draft, call closing",
        f"{world.undp_draft_rolling.reference} UNDP draft, rolling call",
    }
    assert titles("applicant2@example.org", "draft", "note") == {f"{world.unicef_draft.reference} UNICEF draft"}
    assert titles("secretariat@example.org", "draft", "note") == set()
    assert not drafts & titles("member1@example.org", "draft")
    # Submitted notes: the secretariat and the committee; an applicant only its organisation's.
    submitted = {
        f"{world.undp_submitted.reference} Older UNDP note",
        f"{world.unicef_submitted.reference} Newer UNICEF note",
    }
    assert submitted <= titles("secretariat@example.org", "note")
    assert submitted <= titles("member3@example.org", "note")
    assert f"{world.unicef_submitted.reference} Newer UNICEF note" not in titles("applicant@example.org", "note")
    # A partner organization's focal points find the joint note they take part in (joint ownership), not others'.
    assert titles("applicant4@example.org", "under review", "note") == {
        f"{world.under_review.reference} Note under review"
    }
    assert titles("donor@example.org", "note", "note") == set()
    assert titles("admin@example.org", "note", "note") == set()
    # Programmes: every one for the secretariat, the committee, donors and administrators; a focal point its own.
    assert {p.reference for p in (world.jp1, world.jp2, world.jp3)} <= {
        t.split()[0] for t in titles("donor@example.org", "recruitment", "programme")
    }
    assert {t.split()[0] for t in titles("applicant3@example.org", "recruitment", "programme")} == {world.jp3.reference}
    # Donors: the secretariat every one, a donor user its own only, others none.
    assert titles("secretariat@example.org", "germany netherlands") == set()  # every word must match
    assert any("Germany" in t for t in titles("secretariat@example.org", "germany", "donor"))
    assert any("Germany" in t for t in titles("donor@example.org", "foreign", "donor"))
    assert not any("Netherlands" in t for t in titles("donor@example.org", "foreign", "donor"))
    assert titles("applicant@example.org", "germany", "donor") == set()
    # Organizations: the administrator every one; others the UN organizations (their programmes).
    assert any("Germany" in t for t in titles("admin@example.org", "germany", "organisation"))
    assert titles("applicant@example.org", "germany", "organisation") == set()
    assert any("(UNICEF)" in t for t in titles("applicant@example.org", "unicef", "organisation"))


def test_a_reference_comes_first_and_words_match_literally(app, user, world):
    secretariat = user("secretariat@example.org")
    first = _search(app, secretariat, world.undp_submitted.reference.lower().replace("-", " ")).items[0]
    assert first.title.startswith(world.undp_submitted.reference)
    programme = _search(app, secretariat, world.jp2.reference).items[0]
    assert programme.title.startswith(world.jp2.reference)
    # The note a programme came from finds the programme too.
    from_note = _search(app, secretariat, world.jp2.document.concept_note.reference, kind="programme").items
    assert [h.title.split()[0] for h in from_note] == [world.jp2.reference]
    assert _search(app, secretariat, "100%").total == 0  # % is a character, not a wildcard
    assert _search(app, secretariat, "   ").total == 0
    assert _search(app, secretariat, "").items == []


def test_results_are_counted_by_kind_and_paged_in_sql(app, user, world, queries):
    secretariat = user("secretariat@example.org")
    everything = _search(app, secretariat, "o", per_page=500)
    assert set(everything.counts) == {"note", "programme", "donor", "organisation"}
    pages = []
    page = 1
    while True:
        with queries() as q:
            results = _search(app, secretariat, "o", page=page, per_page=7)
        assert len(q) <= 6  # one count, one page, one load per kind
        pages += [hit.url for hit in results.items]
        if not results.has_next:
            break
        page += 1
    assert pages == [hit.url for hit in everything.items]
    notes = _search(app, secretariat, "o", kind="note", per_page=500)
    assert {hit.kind for hit in notes.items} == {"note"}
    assert notes.total == everything.counts["note"]


def test_search_page_and_header_box(client, login, world):
    login("applicant@example.org")
    with clock.frozen(ON):
        page = client.get("/search?q=draft").get_data(as_text=True)
    assert "UNDP draft, call closing" in page
    assert "UNICEF draft" not in page
    assert 'id="site-search"' in page  # the box in the header, filled with the query
    assert 'value="draft"' in page
    assert client.get("/search?q=draft&page=99").status_code == 200
    assert client.get("/search?q=" + "x" * 5000).status_code == 200


def test_the_search_page_runs_the_same_number_of_queries_whatever_the_data(client, login, queries, world):
    login("secretariat@example.org")

    def count() -> int:
        with queries() as q:
            assert client.get("/search?q=note").status_code == 200
        return len(q)

    before = count()
    for n in range(10):
        make_note("UNDP", "applicant@example.org", submit=True, attach=True, title=f"Another note {n}")
    assert count() == before


def test_words_match_whatever_their_case_and_a_title_starting_with_them_comes_first(app, user, world, db):
    """Case-insensitive on both engines (lower() on PostgreSQL; SQLite's LIKE, which already folds the ASCII
    letters its lower() would), accented letters included as far as each engine folds them."""
    secretariat = user("secretariat@example.org")
    world.undp_submitted.title = "CORRIDOR Wayfinding for returnees"
    db.session.flush()
    for query in ("corridor wayfinding", "Corridor WAYFINDING", "wayfinding RETURNEES"):
        hits = _search(app, secretariat, query, kind="note").items
        assert [h.title.split(" ", 1)[0] for h in hits] == [world.undp_submitted.reference], query
    ranked = _search(app, secretariat, "corridor", kind="note").items
    assert ranked[0].title == f"{world.undp_submitted.reference} CORRIDOR Wayfinding for returnees"
    assert _search(app, secretariat, "wayfinding-x").total == 0
