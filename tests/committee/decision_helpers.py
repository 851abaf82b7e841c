"""Builders for committee reviews, meetings and funding decisions in tests (through the services)."""

from datetime import date
from decimal import Decimal

from fundapp.committee import services
from fundapp.committee.models import ItemKind
from fundapp.committee.rules import Vote
from fundapp.committee.services import active_seats
from fundapp.concept_notes import services as note_services
from fundapp.demo.committee import seed_committee
from tests.concept_notes.helpers import make_note, user

SCORES = {"RELEVANCE": 4, "PRINCIPLES": 4, "FEASIBILITY": 3, "VALUE": 5, "SUSTAINABILITY": 4}
MEETING_DAY = date(2026, 6, 10)


def eligible_note(org_code: str = "UNICEF", email: str = "applicant2@example.org", **overrides):
    """A submitted note screened eligible (default: UNICEF lead, ILO partner, Nepal and Bangladesh)."""
    note = make_note(org_code, email, submit=True, attach=True, **overrides)
    checks = [key for key, _label in note_services.MANUAL_CHECKS]
    note_services.screen(user("secretariat@example.org"), note, "eligible", checks, "")
    return note


def note_under_review(**kwargs):
    seed_committee()
    note = eligible_note(**kwargs)
    services.open_review(user("secretariat@example.org"), note)
    return note


def voting_seats():
    return [s for s in active_seats() if s.is_voting]


def score_all(note, base: dict | None = None) -> list:
    """Every non-recused voting member scores the note; returns the seats that scored."""
    conflicts = services.conflicts_for(note, voting_seats())
    scored = []
    for seat in voting_seats():
        if seat.id not in conflicts:
            services.submit_scores(seat.user, note, dict(base or SCORES), f"Comment from {seat.user.name}")
            scored.append(seat)
    return scored


def reviewed_note(**kwargs):
    """A note under review, scored by every eligible member, review closed by the chair."""
    note = note_under_review(**kwargs)
    score_all(note)
    services.close_review(user("chair@example.org"), note)
    return note


def meeting_in_session(present: list | None = None, title: str = "Test meeting", on: date = MEETING_DAY):
    """A meeting opened by the chair with the given seats present (default: every seat)."""
    seed_committee()
    meeting = services.create_meeting(user("secretariat@example.org"), title, on, "Geneva")
    services.open_meeting(user("chair@example.org"), meeting)
    ids = [s.id for s in (present if present is not None else active_seats())]
    services.record_attendance(user("chair@example.org"), meeting, ids)
    return meeting


def vote_all(item, vote: Vote = Vote.approve) -> None:
    """Every present, non-recused voting member votes."""
    recused = services.recused_seats(item)
    present = services.present_seat_ids(item.meeting)
    for seat in voting_seats():
        if seat.id in present and seat.id not in recused:
            services.cast_vote(seat.user, item, vote)


def ready_note(**kwargs):
    """A note endorsed at a meeting and made ready for implementation (approved programme document)."""
    note = reviewed_note(**kwargs)
    meeting = meeting_in_session(title="Endorsement meeting")
    item = services.add_item(user("secretariat@example.org"), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user("chair@example.org"), item, services.DecisionInput(outcome="endorse"))
    budget = {p.organisation_id: p.total for p in note.participants}
    services.save_programme_document(
        user("secretariat@example.org"), note, "Summary.", date(2026, 9, 1), date(2028, 8, 31), budget
    )
    services.approve_programme_document(user("secretariat@example.org"), note)
    return note


def funding_item(note, meeting=None):
    meeting = meeting or meeting_in_session(title="Funding meeting")
    return services.add_item(user("secretariat@example.org"), meeting, ItemKind.funding, note)


ZERO = Decimal("0.00")
