"""The calls page paginated in SQL, newest first, with each call's count of submitted notes."""

from datetime import date

from fundapp.concept_notes import services
from tests.concept_notes.helpers import make_call, make_note


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
