"""The committee's query services for the inboxes (reviews, meetings, documents) and the audit log, and the
review's closing date."""

from datetime import date, timedelta

import pytest

from fundapp.committee import services
from fundapp.committee.models import ItemKind
from fundapp.core import clock
from fundapp.core.errors import DomainError
from fundapp.demo.committee import seed_committee
from tests.committee.decision_helpers import SCORES, eligible_note, meeting_in_session, note_under_review, vote_all
from tests.concept_notes.helpers import user

SECRETARIAT = "secretariat@example.org"


def test_a_review_opens_with_its_closing_date(db):

    seed_committee()
    first, second, third = eligible_note(), eligible_note(), eligible_note()
    review = services.open_review(user(SECRETARIAT), first)
    assert review.closes_on == clock.today() + timedelta(days=services.REVIEW_DAYS)
    assert services.open_review(user(SECRETARIAT), second, date(2099, 1, 31)).closes_on == date(2099, 1, 31)
    with pytest.raises(DomainError) as refused:
        services.open_review(user(SECRETARIAT), third, clock.today() - timedelta(days=1))
    assert refused.value.field == "closes_on"
    assert third.status == "eligible"  # refused before anything changed


def test_the_reviews_page_opens_a_review_with_the_date_typed(client, login, db):

    seed_committee()
    note = eligible_note()
    login(SECRETARIAT)
    page = client.get("/committee/reviews").get_data(as_text=True)
    assert f'id="closes_on-{note.id}"' in page
    assert "Scores due by" in page
    response = client.post(f"/committee/notes/{note.id}/open", data={"closes_on": "2099-03-15"})
    assert response.status_code == 302
    assert services.review_of(note).closes_on == date(2099, 3, 15)
    assert "15 Mar 2099" in client.get("/committee/reviews").get_data(as_text=True)
    other = eligible_note()
    client.post(f"/committee/notes/{other.id}/open", data={"closes_on": "2001-01-01"})
    assert other.status == "eligible"
    assert "The scores cannot be due before today." in client.get("/committee/reviews").get_data(as_text=True)


def test_reviews_to_score_leave_out_scored_recused_and_closed(db):
    note = note_under_review()  # UNICEF lead, ILO partner, Nepal and Bangladesh
    later = note_under_review(title="Due later")
    services.review_of(note).closes_on = date(2099, 1, 1)
    services.review_of(later).closes_on = date(2099, 6, 1)
    total, work = services.reviews_to_score(user("member1@example.org"), 10)
    assert (total, [w.note for w in work]) == (2, [note, later])  # the soonest closing first
    assert services.reviews_to_score(user("member3@example.org"), 10) == (0, [])  # ILO: recused from both
    services.submit_scores(user("member1@example.org"), note, dict(SCORES))
    assert [w.note for w in services.reviews_to_score(user("member1@example.org"), 10)[1]] == [later]
    assert services.reviews_to_score(user("secretariat@example.org"), 10) == (0, [])  # no seat
    assert services.reviews_to_score(user("member1@example.org"), 1)[0] == 1


def test_reviews_to_close_once_due_or_fully_scored(db):
    note = note_under_review()
    review = services.review_of(note)
    review.closes_on = date(2099, 1, 1)
    assert services.reviews_to_close(date(2098, 12, 31), 10) == (0, [])  # nobody scored
    services.submit_scores(user("member1@example.org"), note, dict(SCORES))
    assert services.reviews_to_close(date(2098, 12, 31), 10) == (0, [])  # not due, not every member scored
    total, work = services.reviews_to_close(date(2099, 1, 1), 10)
    assert total == 1
    assert work[0].scored == 1
    assert work[0].scorers == 9
    services.close_review(user("chair@example.org"), note)
    assert services.reviews_to_close(date(2099, 1, 1), 10) == (0, [])


def test_meetings_ahead_with_the_members_recusals_and_attendance(db):
    note = note_under_review()
    planned = services.create_meeting(user(SECRETARIAT), "Planned", date(2099, 2, 1))
    services.add_item(user(SECRETARIAT), planned, ItemKind.endorsement, note)
    meeting_in_session(title="In session", on=date(2099, 1, 1), present=[services.seat_of(user("member1@example.org"))])
    closed = meeting_in_session(title="Closed", on=date(2098, 1, 1))
    services.close_meeting(user("chair@example.org"), closed)
    _total, work = services.meetings_ahead(user("member3@example.org"), 10)
    assert [w.meeting.title for w in work] == ["In session", "Planned"]
    assert [(w.pending_items, w.recused_items, w.present) for w in work] == [(0, 0, False), (1, 1, None)]
    assert work[1].agenda == (services.load_item(planned.items[0].id).title,)
    member1 = services.meetings_ahead(user("member1@example.org"), 10)[1]
    assert [(w.recused_items, w.present) for w in member1] == [(0, True), (0, None)]
    secretariat = services.meetings_ahead(user(SECRETARIAT), 10)[1]
    assert [(w.recused_items, w.present) for w in secretariat] == [(0, None), (0, None)]


def test_documents_to_prepare_are_the_endorsed_notes(db):
    note = note_under_review()
    for seat in services.active_seats():
        if seat.is_voting and seat.id not in services.conflicts_for(note):
            services.submit_scores(seat.user, note, dict(SCORES))
    services.close_review(user("chair@example.org"), note)
    assert services.documents_to_prepare(10) == (0, [])
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user("chair@example.org"), item, services.DecisionInput(outcome="endorse"))
    total, work = services.documents_to_prepare(10)
    assert (total, [w.note for w in work], work[0].document) == (1, [note], None)
    assert work[0].endorsed_on == clock.today()
    budget = {p.organisation_id: p.total for p in note.participants}
    services.save_programme_document(user(SECRETARIAT), note, "Summary.", date(2099, 1, 1), date(2100, 1, 1), budget)
    assert services.documents_to_prepare(10)[1][0].document is not None  # saved, awaiting approval
    services.approve_programme_document(user(SECRETARIAT), note)
    assert services.documents_to_prepare(10) == (0, [])


def test_describe_objects_names_meetings_items_and_seats(db):
    note = note_under_review(title="Named note")
    meeting = services.create_meeting(user(SECRETARIAT), "Named meeting", date(2099, 2, 1))
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    seat = services.seat_of(user("member1@example.org"))
    assert services.describe_objects("committee_meeting", [str(meeting.id)]) == {
        str(meeting.id): "meeting ‘Named meeting’ of 01 Feb 2099"
    }
    assert services.describe_objects("committee_agenda_item", [str(item.id)])[str(item.id)].endswith("(Named meeting)")
    assert services.describe_objects("committee_seats", [str(seat.id)])[str(seat.id)].startswith(
        "seat of Lucas Ferreira"
    )
    assert services.describe_objects("committee_settings", ["1"]) == {"1": "the committee's decision rules"}
    assert services.describe_objects("users", ["1"]) is None
