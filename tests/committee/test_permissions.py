"""The committee's permission predicates: one question each, over objects the page already holds (no queries)."""

from datetime import date, datetime

import pytest

from fundapp.committee import permissions, services, workflow
from fundapp.committee.models import AgendaItem, CommitteeSeat, Constituency, ItemKind, Meeting, Review
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import ELIGIBLE, RETURNED

CHAIR = "chair@example.org"
SECRETARIAT = "secretariat@example.org"
MEMBER = "member1@example.org"
APPLICANT = "applicant@example.org"

OPEN = Review(closed_at=None)
CLOSED = Review(closed_at=datetime(2026, 3, 1, 12, 0))


def _seat(id_: int = 1, is_voting: bool = True, is_active: bool = True) -> CommitteeSeat:
    return CommitteeSeat(id=id_, constituency=Constituency.donor, is_voting=is_voting, is_active=is_active)


def _item(item_status: str = workflow.PENDING, meeting_status: str = workflow.IN_SESSION) -> AgendaItem:
    meeting = Meeting(title="M", held_on=date(2026, 6, 10), status=meeting_status)
    return AgendaItem(meeting=meeting, kind=ItemKind.other, title="Any other business", status=item_status)


@pytest.mark.parametrize(
    ("email", "status", "allowed"),
    [
        (CHAIR, ELIGIBLE, True),
        (SECRETARIAT, workflow.DEFERRED, True),
        (SECRETARIAT, workflow.UNDER_REVIEW, False),
        (MEMBER, ELIGIBLE, False),
        (APPLICANT, ELIGIBLE, False),
    ],
)
def test_who_opens_a_review(user, email, status, allowed):
    assert permissions.can_open_review(user(email), ConceptNote(status=status)) is allowed


@pytest.mark.parametrize(
    ("email", "status", "review", "allowed"),
    [
        (CHAIR, workflow.UNDER_REVIEW, OPEN, True),
        (CHAIR, workflow.UNDER_REVIEW, CLOSED, False),
        (CHAIR, workflow.UNDER_REVIEW, None, False),
        (CHAIR, workflow.ENDORSED, OPEN, False),
        (SECRETARIAT, workflow.UNDER_REVIEW, OPEN, False),
    ],
)
def test_only_the_chair_closes_an_open_review(user, email, status, review, allowed):
    assert permissions.can_close_review(user(email), ConceptNote(status=status), review) is allowed


@pytest.mark.parametrize(
    ("email", "review", "seat", "conflict", "allowed"),
    [
        (SECRETARIAT, CLOSED, None, None, True),
        (SECRETARIAT, OPEN, None, None, False),
        (MEMBER, CLOSED, _seat(), None, True),
        (MEMBER, CLOSED, _seat(), services.Conflict(1, services.DECLARED, "Spouse"), False),
        (MEMBER, CLOSED, None, None, False),
        (MEMBER, None, _seat(), None, False),
        (APPLICANT, CLOSED, None, None, False),
    ],
)
def test_scores_are_seen_after_the_review_closes_by_the_secretariat_and_members_not_recused(
    user, email, review, seat, conflict, allowed
):
    assert permissions.can_see_scores(user(email), review, seat, conflict) is allowed


@pytest.mark.parametrize(
    ("seat", "conflict", "allowed"),
    [
        (_seat(), None, True),
        (_seat(is_voting=False), None, False),
        (_seat(is_active=False), None, False),
        (None, None, False),
        (_seat(), services.Conflict(1, services.AUTOMATIC, "Lead"), False),
    ],
)
def test_who_scores(seat, conflict, allowed):
    assert permissions.can_score(seat, conflict) is allowed


@pytest.mark.parametrize(
    ("seat", "recused", "present", "allowed"),
    [
        (_seat(1), set(), None, True),
        (_seat(1), {1}, None, False),
        (_seat(1, is_voting=False), set(), None, False),
        (None, set(), None, False),
        (_seat(1), set(), {1, 2}, True),
        (_seat(1), set(), {2}, False),
    ],
)
def test_who_votes(seat, recused, present, allowed):
    assert permissions.can_vote(seat, recused, present) is allowed


@pytest.mark.parametrize(
    ("email", "meeting_status", "opens", "closes", "takes_attendance", "changes_agenda"),
    [
        (CHAIR, workflow.PLANNED, True, False, False, False),
        (CHAIR, workflow.IN_SESSION, False, True, True, False),
        (CHAIR, workflow.CLOSED, False, False, False, False),
        (SECRETARIAT, workflow.PLANNED, False, False, False, True),
        (SECRETARIAT, workflow.IN_SESSION, False, False, False, True),
        (SECRETARIAT, workflow.CLOSED, False, False, False, False),
        (MEMBER, workflow.IN_SESSION, False, False, False, False),
    ],
)
def test_who_runs_a_meeting(user, email, meeting_status, opens, closes, takes_attendance, changes_agenda):
    meeting = Meeting(title="M", held_on=date(2026, 6, 10), status=meeting_status)
    actor = user(email)
    assert permissions.can_open_meeting(actor, meeting) is opens
    assert permissions.can_close_meeting(actor, meeting) is closes
    assert permissions.can_take_attendance(actor, meeting) is takes_attendance
    assert permissions.can_change_agenda(actor, meeting) is changes_agenda


@pytest.mark.parametrize(
    ("email", "item_status", "meeting_status", "decides", "withdraws"),
    [
        (CHAIR, workflow.PENDING, workflow.IN_SESSION, True, False),
        (CHAIR, workflow.PENDING, workflow.PLANNED, False, False),
        (CHAIR, workflow.DECIDED, workflow.IN_SESSION, False, False),
        (SECRETARIAT, workflow.PENDING, workflow.IN_SESSION, False, True),
        (SECRETARIAT, workflow.WITHDRAWN, workflow.IN_SESSION, False, False),
        (SECRETARIAT, workflow.PENDING, workflow.CLOSED, False, False),
    ],
)
def test_who_decides_and_withdraws_an_item(user, email, item_status, meeting_status, decides, withdraws):
    item = _item(item_status, meeting_status)
    assert permissions.can_decide(user(email), item) is decides
    assert permissions.can_withdraw_item(user(email), item) is withdraws


@pytest.mark.parametrize(
    ("email", "status", "allowed"),
    [
        (SECRETARIAT, workflow.ENDORSED, True),
        (SECRETARIAT, workflow.READY, False),
        (SECRETARIAT, RETURNED, False),
        (CHAIR, workflow.ENDORSED, False),
    ],
)
def test_the_secretariat_prepares_the_document_of_an_endorsed_note(user, email, status, allowed):
    assert permissions.can_prepare_programme_document(user(email), ConceptNote(status=status)) is allowed
