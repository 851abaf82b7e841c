"""Who may see and do what in the steering committee: one predicate per question, for views and templates alike.

Route-level access is the role tuples below (core.permissions.role_required). The predicates answer the
object-level questions over objects the page already has: the user, the note, the meeting or item, and the
member's own seat and conflict of interest (services.seat_of, services.conflict_of). They run no queries, so a
page may ask them for every row. Templates get them through the blueprint's context processor.

A member's questions (score, declare a conflict, vote) are about who the member is: a view refuses a member
who may not (403). Whether the moment is right (the review still open, the meeting in session) is the
service's to say, with a message; the services re-check everything.
"""

from collections.abc import Collection
from typing import TYPE_CHECKING

from fundapp.auth.models import User
from fundapp.committee import workflow
from fundapp.committee.models import AgendaItem, CommitteeSeat, Meeting, Review
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import ELIGIBLE
from fundapp.core.permissions import COMMITTEE_ROLES, Role

if TYPE_CHECKING:
    from fundapp.committee.services import Conflict  # services import this module

#: The read-only committee page: its members and chair.
VIEW_ROLES = COMMITTEE_ROLES
#: Seats, scoring criteria and decision rules are kept by the Fund Management Unit.
MANAGE_ROLES = (Role.secretariat,)
CHAIR = (Role.committee_chair,)
SECRETARIAT = (Role.secretariat,)
CHAIR_OR_SECRETARIAT = (Role.committee_chair, Role.secretariat)
#: Reviews, meetings, minutes and the pipeline.
COMMITTEE_AND_SECRETARIAT = (*COMMITTEE_ROLES, Role.secretariat)


def _has(user: User, *roles: Role) -> bool:
    return user.is_authenticated and user.has_any_role(*roles)


# Reviews and scores -------------------------------------------------------------------------------


def can_open_review(user: User, note: ConceptNote) -> bool:
    """The chair or the secretariat puts an eligible (or deferred) note before the committee."""
    return _has(user, *CHAIR_OR_SECRETARIAT) and note.status in (ELIGIBLE, workflow.DEFERRED)


def can_close_review(user: User, note: ConceptNote, review: Review | None) -> bool:
    """The chair closes an open review, revealing the scores."""
    return (
        _has(user, Role.committee_chair)
        and review is not None
        and not review.is_closed
        and note.status == workflow.UNDER_REVIEW
    )


def can_see_recusals(user: User) -> bool:
    """The chair and the secretariat see who is recused from a note, and why."""
    return _has(user, *CHAIR_OR_SECRETARIAT)


def can_see_scores(user: User, review: Review | None, seat: CommitteeSeat | None, conflict: "Conflict | None") -> bool:
    """Everyone's scores of a note: once the chair has closed its review, for the secretariat and the members
    who are not recused (`seat` and `conflict`: the user's seat and conflict on the note).
    """
    if review is None or not review.is_closed or not user.is_authenticated:
        return False
    if user.has_role(Role.secretariat):
        return True
    return user.has_any_role(*COMMITTEE_ROLES) and seat is not None and conflict is None


def can_score(seat: CommitteeSeat | None, conflict: "Conflict | None") -> bool:
    """A member scores with an active voting seat, except a note they are recused from."""
    return seat is not None and seat.is_voting and seat.is_active and conflict is None


def can_declare_conflict(seat: CommitteeSeat | None) -> bool:
    """A member holding a seat declares a conflict of interest."""
    return seat is not None


def can_prepare_programme_document(user: User, note: ConceptNote) -> bool:
    """The secretariat records the joint programme document of an endorsed note."""
    return _has(user, Role.secretariat) and note.status == workflow.ENDORSED


# Meetings -------------------------------------------------------------------------------------------


def can_plan_meetings(user: User) -> bool:
    return _has(user, Role.secretariat)


def can_change_agenda(user: User, meeting: Meeting) -> bool:
    """The secretariat adds items to the agenda until the meeting closes."""
    return can_plan_meetings(user) and not meeting.is_closed


def can_withdraw_item(user: User, item: AgendaItem) -> bool:
    return can_change_agenda(user, item.meeting) and item.is_pending


def can_open_meeting(user: User, meeting: Meeting) -> bool:
    return _has(user, Role.committee_chair) and meeting.is_planned


def can_close_meeting(user: User, meeting: Meeting) -> bool:
    return _has(user, Role.committee_chair) and meeting.is_in_session


def can_take_attendance(user: User, meeting: Meeting) -> bool:
    return _has(user, Role.committee_chair) and meeting.is_in_session


def can_decide(user: User, item: AgendaItem) -> bool:
    """The chair records the decision on a pending item while the meeting is in session."""
    return _has(user, Role.committee_chair) and item.is_open


def can_vote(seat: CommitteeSeat | None, recused: Collection[int], present: Collection[int] | None = None) -> bool:
    """A member votes with a voting seat, except on an item they are recused from (`recused`: seat ids).

    With the meeting's attendance (`present`), also only when recorded as present: the page offers the vote
    only then, while the vote view leaves that to the service, whose message asks the chair to record it.
    """
    if seat is None or not seat.is_voting or seat.id in recused:
        return False
    return present is None or seat.id in present
