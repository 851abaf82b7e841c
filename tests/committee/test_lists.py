"""The committee's reviews page: both lists paginated in SQL, each with its own page argument."""

import sqlalchemy as sa

from fundapp.committee import services
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import ELIGIBLE
from fundapp.core.extensions import db
from tests.concept_notes.helpers import make_call, make_note


def _notes(count: int) -> list[ConceptNote]:
    """`count` eligible notes (submitted, then marked eligible as screening leaves them)."""
    call = make_call()
    notes = [make_note(call=call, submit=True, title=f"Eligible note {n}") for n in range(count)]
    for note in notes:
        note.status = ELIGIBLE
    db.session.flush()
    return notes


def test_reviews_page_pages_each_list_with_its_own_argument(client, login, monkeypatch):
    monkeypatch.setattr(services, "REVIEWS_PER_PAGE", 2)
    notes = _notes(6)
    for note in notes[:3]:
        services.open_review(None, note)
    login("chair@example.org")
    first = client.get("/committee/reviews").get_data(as_text=True)
    under, waiting = first.split("<h2>")[1:3]
    assert notes[0].reference in under
    assert notes[2].reference not in under
    assert 'href="/committee/reviews?page=2" rel="next"' in under
    assert notes[3].reference in waiting
    assert notes[5].reference not in waiting
    assert 'href="/committee/reviews?waiting=2" rel="next"' in waiting
    # Each list keeps the other's page.
    both = client.get("/committee/reviews?page=2&waiting=2").get_data(as_text=True)
    under, waiting = both.split("<h2>")[1:3]
    assert notes[2].reference in under
    assert notes[0].reference not in under
    assert notes[5].reference in waiting
    assert 'href="/committee/reviews?page=2&amp;waiting=1" rel="prev"' in waiting


def test_reviews_page_out_of_range_is_empty_and_a_bad_page_is_400(client, login):
    _notes(1)
    login("secretariat@example.org")
    beyond = client.get("/committee/reviews?waiting=50")
    assert beyond.status_code == 200
    assert "No eligible note waits for review." in beyond.get_data(as_text=True)
    assert client.get(f"/committee/reviews?page={10**23}").status_code == 400
    assert client.get("/committee/reviews?waiting=0").status_code == 400


def test_reviews_overview_runs_the_same_statements_for_any_number_of_notes(db, queries):
    notes = _notes(4)
    services.open_review(None, notes[0])
    with queries() as few:
        services.reviews_overview()
    for note in notes[1:]:
        services.open_review(None, note)
    _notes(3)
    with queries() as more:
        overview = services.reviews_overview(per_page=2)
    assert len(more) == len(few)
    assert overview["under"].total == db.session.scalar(
        sa.select(sa.func.count()).select_from(ConceptNote).where(ConceptNote.status == "under_review")
    )


def test_scoring_queue_counts_what_is_left_to_score_in_sql_as_each_member_sees_it(committee, user):
    notes = _notes(3)
    for note in notes:
        services.open_review(None, note)
    for n in range(1, 12):
        member = user(f"member{n}@example.org")
        queue = services.scoring_queue(member, 1, 100)
        by_hand = [
            e for e in queue["entries"].items if not e["review"].is_closed and not e["conflict"] and not e["scored"]
        ]
        assert queue["to_score"] == len(by_hand), member.email
    assert services.scoring_queue(user("member1@example.org"))["to_score"] == 0  # UNDP leads: recused
    assert services.scoring_queue(user("member3@example.org"))["to_score"] == 0  # ILO takes part: recused
    assert services.scoring_queue(user("member4@example.org"))["to_score"] == 3  # Germany


def test_scoring_queue_without_a_seat_has_nothing_to_score(db, user):
    for note in _notes(2):
        services.open_review(None, note)
    queue = services.scoring_queue(user("member1@example.org"))
    assert queue["seat"] is None
    assert queue["to_score"] == 0
    assert queue["entries"].total == 2


def test_scoring_queue_page_is_paginated(committee, client, login, monkeypatch):
    monkeypatch.setattr(services, "QUEUE_PER_PAGE", 2)
    notes = _notes(3)
    for note in notes:
        services.open_review(None, note)
    login("member4@example.org")
    first = client.get("/committee/scoring").get_data(as_text=True)
    assert notes[0].reference in first
    assert notes[2].reference not in first
    assert 'href="/committee/scoring?page=2" rel="next"' in first
    second = client.get("/committee/scoring?page=2").get_data(as_text=True)
    assert notes[2].reference in second
    assert client.get("/committee/scoring?page=x").status_code == 400
