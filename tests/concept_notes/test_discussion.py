"""A concept note's discussion: who writes, clarification questions, mentions, notifications; joint ownership."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.concept_notes import permissions, services
from fundapp.concept_notes.models import NoteMessage
from fundapp.core.errors import AppendOnlyError, DomainError, NotAllowed
from fundapp.notifications import discussions
from fundapp.notifications.models import Notification
from tests.concept_notes.helpers import make_note, org, user

SECRETARIAT = "secretariat@example.org"
LEAD = "applicant2@example.org"  # UNICEF
PARTNER = "applicant@example.org"  # UNDP
OTHER = "applicant3@example.org"  # IOM, not in the note
MEMBER = "member1@example.org"


@pytest.fixture
def note(db):
    """A submitted note led by UNICEF with UNDP as its partner."""
    return make_note("UNICEF", LEAD, submit=True, attach=True, partners=[(org("UNDP").id, Decimal("400000.00"))])


def _notified(db, subject_part: str) -> set[str]:
    rows = db.session.scalars(sa.select(Notification).where(Notification.subject.contains(subject_part)))
    return {db.session.get(type(user(LEAD)), n.user_id).email for n in rows}


@pytest.mark.parametrize(
    ("email", "reads", "writes", "asks", "answers"),
    [
        (LEAD, True, True, False, True),
        (PARTNER, True, True, False, True),
        (SECRETARIAT, True, True, True, False),
        (MEMBER, True, False, False, False),
        ("chair@example.org", True, False, False, False),
        (OTHER, False, False, False, False),
        ("donor@example.org", False, False, False, False),
        ("admin@example.org", False, False, False, False),
    ],
)
def test_who_reads_writes_asks_and_answers(note, email, reads, writes, asks, answers):
    person = user(email)
    assert permissions.can_read_discussion(person, note) is reads
    assert permissions.can_write_discussion(person, note) is writes
    assert permissions.can_ask_clarification(person, note) is asks
    assert permissions.can_answer_clarification(person, note) is answers


def test_a_draft_is_discussed_by_its_organizations_only(db):
    draft = make_note("UNICEF", LEAD, partners=[(org("UNDP").id, Decimal("1"))])
    assert permissions.can_write_discussion(user(PARTNER), draft)
    assert not permissions.can_read_discussion(user(SECRETARIAT), draft)
    with pytest.raises(NotAllowed):
        services.post_message(user(SECRETARIAT), draft, "Hello")
    readers = {p.email for p in services.discussion_readers(draft)}
    assert readers == {LEAD, PARTNER}


def test_joint_ownership_partner_reads_but_never_edits_or_submits(note):
    partner = user(PARTNER)
    assert permissions.is_partner(partner, note)
    assert permissions.can_view(partner, note)
    assert not permissions.can_edit(partner, note)
    assert not permissions.can_withdraw(partner, note)
    assert not permissions.is_partner(user(LEAD), note)
    assert not permissions.can_view(user(OTHER), note)
    note.status = "returned"
    with pytest.raises(NotAllowed):
        services.save_draft(partner, note, services.NoteData(title="Changed by a partner"))


def test_partner_notes_are_in_the_organisations_list(db, note):
    own = make_note("UNDP", PARTNER)
    listed = services.note_list(services.NoteFilters(), organisation_id=org("UNDP").id, include_drafts=True).items
    assert {n.id for n in listed} == {note.id, own.id}
    elsewhere = services.note_list(services.NoteFilters(), organisation_id=org("IOM").id, include_drafts=True).items
    assert note not in elsewhere


def test_question_answered_and_everyone_told(db, note):
    question = services.post_message(user(SECRETARIAT), note, "Which ministry signs the letter?", is_question=True)
    assert _notified(db, "clarification requested") == {LEAD, PARTNER}
    page = services.discussion_page(note)
    assert page["thread"].open_questions == [question]
    answer = services.post_message(user(PARTNER), note, "The Ministry of Labour.", answers_id=question.id)
    assert answer.answers_id == question.id
    assert _notified(db, "answered a clarification question") == {LEAD, SECRETARIAT}
    thread = services.discussion_page(note)["thread"]
    assert thread.open_questions == []
    assert thread.answered(question)
    assert services.discussion_counts(note) == (2, 0)


@pytest.mark.parametrize(
    ("email", "kwargs", "error", "message"),
    [
        (LEAD, {"is_question": True}, NotAllowed, "Only the Fund Management Unit asks"),
        (MEMBER, {}, NotAllowed, "Only the note's organizations and the Fund Management Unit"),
        (SECRETARIAT, {"body": "   "}, DomainError, "Write a message."),
        (SECRETARIAT, {"body": "x" * 5001}, DomainError, "At most 5,000 characters"),
        (SECRETARIAT, {"body": "Ask @nobody please"}, DomainError, "@nobody: not someone who can read this discussion"),
        (SECRETARIAT, {"body": "@donor@example.org look"}, DomainError, "@donor@example.org: not someone"),
    ],
)
def test_refused_messages_say_why(db, note, email, kwargs, error, message):
    body = kwargs.pop("body", "A message.")
    with pytest.raises(error, match=message.replace("(", r"\(")):
        services.post_message(user(email), note, body, **kwargs)
    assert services.discussion_messages(note) == []


def test_answers_go_to_questions_of_the_same_thread(db, note):
    plain = services.post_message(user(SECRETARIAT), note, "Thank you for the note.")
    with pytest.raises(DomainError, match="Only a clarification question can be answered"):
        services.post_message(user(LEAD), note, "Answer", answers_id=plain.id)
    other = make_note("UNICEF", LEAD, submit=True)
    question = services.post_message(user(SECRETARIAT), other, "A question elsewhere?", is_question=True)
    with pytest.raises(DomainError, match="Answer a question of this discussion"):
        services.post_message(user(LEAD), note, "Answer", answers_id=question.id)
    mine = services.post_message(user(SECRETARIAT), note, "Yours?", is_question=True)
    with pytest.raises(NotAllowed, match="answered by the organizations"):
        services.post_message(user(SECRETARIAT), note, "I answer myself", answers_id=mine.id)


def test_a_mention_notifies_a_reader_once_even_from_the_committee(db, note):
    message = services.post_message(user(LEAD), note, "@member1 and @secretariat@example.org, see the budget.")
    assert {p.email for p in discussions.find_mentions(message.body, services.discussion_readers(note))} == {
        MEMBER,
        SECRETARIAT,
    }
    mentioned = _notified(db, "mentioned you")
    assert mentioned == {MEMBER, SECRETARIAT}
    # The secretariat is a participant too, but hears once: as mentioned.
    assert _notified(db, "new message from") == {PARTNER}


def test_mentions_are_highlighted_and_text_escaped(db, note):
    message = services.post_message(user(SECRETARIAT), note, "<b>@applicant2</b> please check.")
    html = str(discussions.render_body(message, services.discussion_readers(note)))
    assert "&lt;b&gt;" in html
    assert '<span class="mention" title="applicant2@example.org">@' in html
    assert "<b>" not in html


def test_messages_are_never_edited(db, note):
    message = services.post_message(user(SECRETARIAT), note, "Original words.")
    message.body = "Rewritten."
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_discussion_page_runs_a_bounded_number_of_queries(client, login, db, note, queries):
    for n in range(3):
        services.post_message(user(SECRETARIAT), note, f"Question {n}?", is_question=True)
        services.post_message(user(LEAD), note, f"Answer {n}.")
    db.session.commit()
    login(PARTNER)
    with queries() as few:
        assert client.get(f"/concept-notes/{note.id}/discussion").status_code == 200
    for n in range(10):
        services.post_message(user(PARTNER), note, f"More {n}.")
    db.session.commit()
    with queries() as many:
        assert client.get(f"/concept-notes/{note.id}/discussion").status_code == 200
    assert len(many) == len(few)


def test_posting_from_the_page_puts_errors_next_to_the_field(client, login, db, note):
    db.session.commit()
    login(LEAD)
    response = client.post(f"/concept-notes/{note.id}/discussion", data={"body": "Hello @ghost"})
    assert response.status_code == 422
    assert '<p class="error" id="body-error">@ghost: not someone who can read this discussion' in response.get_data(
        as_text=True
    )
    response = client.post(f"/concept-notes/{note.id}/discussion", data={"body": "Hello @applicant"})
    assert response.status_code == 302
    assert f"/concept-notes/{note.id}/discussion#message-" in response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoteMessage)) == 1


def test_note_page_shows_the_discussion_and_the_partner_role(client, login, db, note):
    services.post_message(user(SECRETARIAT), note, "Question?", is_question=True)
    db.session.commit()
    login(PARTNER)
    page = client.get(f"/concept-notes/{note.id}").get_data(as_text=True)
    assert "1 open clarification question" in page
    assert "Your organization is a partner of this note" in page
    assert f'href="/concept-notes/{note.id}/edit"' not in page
    mine = client.get("/concept-notes/mine").get_data(as_text=True)
    assert note.reference in mine
    assert "led by UNICEF" in mine
