"""The calls page paginated in SQL, newest first, with each call's count of submitted notes; the notes lists'
counts and totals."""

import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.concept_notes import services
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.extensions import db as database
from tests.concept_notes.helpers import make_call, make_note, org


def test_calls_page_is_paginated_newest_first(client, login, monkeypatch):
    monkeypatch.setattr(services, "CALLS_PER_PAGE", 2)
    calls = [make_call(title=f"Call number {n}", opens_on=date(2026, 1, 1 + n)) for n in range(3)]
    make_note(call=calls[0], submit=True)
    login("secretariat@example.org")
    first = client.get("/concept-notes/calls").get_data(as_text=True)
    assert "Call number 2" in first
    assert "Call number 1" in first
    assert "Call number 0" not in first
    assert 'href="/concept-notes/calls?page=2" rel="next"' in first
    second = client.get("/concept-notes/calls?page=2").get_data(as_text=True)
    assert "Call number 0" in second
    assert "Notes (1)" in second  # its submitted note counted
    assert client.get("/concept-notes/calls?page=7").status_code == 200
    assert client.get("/concept-notes/calls?page=1e3").status_code == 400


def test_calls_page_runs_the_same_statements_for_any_number_of_calls(db, queries):
    make_call()
    with queries() as few:
        services.calls_page()
    for n in range(4):
        make_call(title=f"Another {n}")
    with queries() as more:
        page = services.calls_page(per_page=2)
    assert len(more) == len(few)
    assert page["calls"].total == 5


def test_the_notes_lists_count_and_total_what_they_page_through(db):
    """The lists' totals come from their own light count: the same notes as the pages, for every kind of filter,
    drafts counted only on the organisation's own list."""
    make_note(submit=True)  # UNDP, Nepal and Bangladesh
    make_note(submit=True)
    make_note("UNICEF", "applicant2@example.org", submit=True)
    make_note()  # a UNDP draft
    undp, unicef = org("UNDP").id, org("UNICEF").id
    cases = [
        (services.NoteFilters(), None, False),
        (services.NoteFilters(country="NPL"), None, False),
        (services.NoteFilters(region="142", status="submitted"), None, False),
        (services.NoteFilters(organisation_id=unicef, sort="budget", direction="asc"), None, False),
        (services.NoteFilters(q="no such title"), None, False),
        (services.NoteFilters(), undp, True),
        (services.NoteFilters(status="draft"), undp, True),
    ]
    for filters, organisation_id, drafts in cases:
        everything = services.note_list(filters, 1, 100, organisation_id, drafts)
        paged = services.note_list(filters, 2, 1, organisation_id, drafts)
        assert paged.total == everything.total == len(everything.items), filters
        if organisation_id is None:
            totals = services.note_totals(filters)
            assert totals["count"] == everything.total
            assert totals["budget"] == sum((n.budget_total for n in everything.items), Decimal("0.00"))
    assert services.note_list(services.NoteFilters(), 1, 100, undp, True).total == 3
    submitted = database.session.scalar(sa.select(sa.func.count()).where(ConceptNote.version_count > 0))
    assert services.note_list(services.NoteFilters(), 1, 100).total == submitted == 3


def test_the_list_filters_name_areas_and_countries_in_the_readers_language(client, login):
    make_note(submit=True)  # in Nepal and Bangladesh
    login("secretariat@example.org")
    page = client.get("/concept-notes/").get_data(as_text=True)
    assert '<option value="NPL">Nepal</option>' in page
    assert '<option value="BGD">Bangladesh</option>' in page
    assert re.search(r'<option value="\d+">TA1 \w', page)  # the area's name beside its code
    french = client.get("/concept-notes/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<option value="NPL">Népal</option>' in french
