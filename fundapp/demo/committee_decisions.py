"""Demo steering committee meetings (2020–2021), through the services so every rule applies.

Sixty eligible concept notes go before the committee over six meetings. Members score each note blind
(deterministic, seeded scores around a level that fits the note's fate), the chair closes the reviews, the
committee meets with attendance, recusals and votes, and decides. The outcome:

- 34 joint programmes identified (endorsed into the pipeline, not funded), 10 of them ready for
  implementation (approved light joint programme document);
- 12 funded by allocations from the pools (deposits net of the 1% fee, earmarked pools drawn first), involving
  exactly 12 distinct participating UN organizations from several regions;
- 8 rejected and 6 deferred; the other eligible notes wait for a later review.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.committee import services as committee_services
from fundapp.committee.models import ItemKind, Meeting, Outcome
from fundapp.committee.pipeline import region_of
from fundapp.committee.rules import Vote
from fundapp.committee.services import active_seats, criteria_for
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import ELIGIBLE
from fundapp.contributions import ledger
from fundapp.core.extensions import db

SEED = 20200312

MEETINGS = [
    ("First meeting of the steering committee, 2020", date(2020, 3, 12), "Geneva (virtual)"),
    ("Second meeting of the steering committee, 2020", date(2020, 7, 9), "Virtual"),
    ("Third meeting of the steering committee, 2020", date(2020, 11, 19), "Virtual"),
    ("First meeting of the steering committee, 2021", date(2021, 3, 18), "Virtual"),
    ("Second meeting of the steering committee, 2021", date(2021, 7, 15), "Geneva"),
    ("Third meeting of the steering committee, 2021", date(2021, 11, 18), "New York"),
]
#: Endorsement items per meeting (the first five meetings), and the funding meetings.
PER_MEETING = 12
REVIEWED = PER_MEETING * 5
FUNDED, READY, ENDORSED, REJECTED, DEFERRED = 12, 10, 24, 8, 6
FUNDED_ORGS = 12
FUNDING_MEETINGS = (3, 4, 5)  # indexes in MEETINGS

#: Mean score (1–5) each fate centres on.
LEVELS = {"funded": 4.3, "ready": 4.0, "endorsed": 3.6, "deferred": 2.9, "rejected": 2.1}
COMMENTS = {
    "funded": ["Strong joint design with clear government ownership.", "Excellent whole-of-society approach."],
    "ready": ["Solid theory of change; budget well justified.", "Clear results framework."],
    "endorsed": ["Relevant, though the sustainability plan is thin.", "Good fit with the thematic area."],
    "deferred": ["The partnership arrangements need clarifying.", "Unclear added value of the joint approach."],
    "rejected": ["Weak link to the Global Compact objectives.", "Limited stakeholder participation."],
}
SHARED = {
    Outcome.reject: "The committee found the link to the Global Compact's objectives and the joint approach too weak.",
    Outcome.defer: "The committee would like to discuss this note again once the pipeline is clearer.",
}


def _users() -> dict[str, User]:
    return {u.email: u for u in db.session.scalars(sa.select(User))}


def _fits(notes: list[ConceptNote], pools: dict) -> bool:
    """Whether the pools can fund every note, each drawing its area's earmarked pool first."""
    purse = dict(pools)
    for note in notes:
        code = note.thematic_area.code
        earmarked = min(purse.get(code, Decimal(0)), note.budget_total)
        rest = note.budget_total - earmarked
        if rest > purse[None]:
            return False
        purse[code] = purse.get(code, Decimal(0)) - earmarked
        purse[None] -= rest
    return True


def _choose_funded(rng: random.Random, candidates: list[ConceptNote], pools: dict) -> list[ConceptNote]:
    """12 notes that involve exactly 12 distinct UN organizations, several regions, and fit in the pools."""
    for _attempt in range(5000):
        order = candidates[:]
        rng.shuffle(order)
        chosen: list[ConceptNote] = []
        orgs: set[int] = set()
        for note in order:
            note_orgs = {p.organisation_id for p in note.participants}
            if len(orgs | note_orgs) > FUNDED_ORGS or not _fits([*chosen, note], pools):
                continue
            chosen.append(note)
            orgs |= note_orgs
            if len(chosen) == FUNDED:
                break
        regions = {region_of(n) for n in chosen}
        if len(chosen) == FUNDED and len(orgs) == FUNDED_ORGS and len(regions) >= 3:
            return chosen
    raise RuntimeError("No set of 12 notes with 12 distinct organizations fits the pools.")


def seed_committee_decisions() -> int:
    """Run the demo meetings; returns the number of meetings created (0 when they exist already)."""
    if db.session.scalar(sa.select(Meeting.id).limit(1)) is not None:
        return 0
    rng = random.Random(SEED)
    users = _users()
    chair, secretariat = users["chair@example.org"], users["secretariat@example.org"]
    seats = active_seats()
    voting = [s for s in seats if s.is_voting]
    by_seat_user = {s.id: s.user for s in seats}
    notes = list(
        db.session.scalars(
            sa.select(ConceptNote)
            .where(ConceptNote.status == ELIGIBLE)
            .order_by(ConceptNote.last_submitted_on, ConceptNote.id)
            .limit(REVIEWED)
        )
    )
    if len(notes) < REVIEWED:
        return 0
    # Fates: the funded come from the first three meetings (they need time for their documents).
    pools = {(p.label if p.area_id else None): p.available for p in ledger.pool_balances()}
    funded = _choose_funded(rng, notes[: PER_MEETING * 3], pools)
    rest = [n for n in notes if n not in funded]
    rng.shuffle(rest)
    fate = {n.id: "funded" for n in funded}
    ready_pool = [n for n in rest if notes.index(n) < PER_MEETING * 4][:READY]
    fate |= {n.id: "ready" for n in ready_pool}
    others = [n for n in rest if n.id not in fate]
    for n in others[:ENDORSED]:
        fate[n.id] = "endorsed"
    for n in others[ENDORSED : ENDORSED + REJECTED]:
        fate[n.id] = "rejected"
    for n in others[ENDORSED + REJECTED :]:
        fate[n.id] = "deferred"

    created = []
    for index, (title, held_on, location) in enumerate(MEETINGS):
        meeting = committee_services.create_meeting(secretariat, title, held_on, location)
        created.append(meeting)
        batch = notes[index * PER_MEETING : (index + 1) * PER_MEETING] if index < 5 else []
        for note in batch:
            _review(rng, note, fate[note.id], secretariat, chair, voting, by_seat_user)
            committee_services.add_item(secretariat, meeting, ItemKind.endorsement, note)
        funding = [n for n in funded if index in FUNDING_MEETINGS and _funding_meeting(funded, n) == index]
        for note in funding:
            committee_services.add_item(secretariat, meeting, ItemKind.funding, note)
        committee_services.add_item(secretariat, meeting, ItemKind.other, title="Update from the Fund Management Unit")
        _hold(rng, meeting, fate, chair, voting, by_seat_user)
        for note in batch:
            if fate[note.id] in ("funded", "ready"):
                _programme_document(note, held_on, secretariat)
    return len(created)


def _funding_meeting(funded: list[ConceptNote], note: ConceptNote) -> int:
    return FUNDING_MEETINGS[funded.index(note) * len(FUNDING_MEETINGS) // len(funded)]


def _review(rng, note, fate, secretariat, chair, voting, by_seat_user) -> None:
    committee_services.open_review(secretariat, note)
    codes = [c.code for c in criteria_for(note.call_id)]
    conflicts = committee_services.conflicts_for(note, voting)
    for seat in voting:
        if seat.id in conflicts:
            continue
        level = LEVELS[fate]
        scores = {code: max(1, min(5, round(rng.gauss(level, 0.7)))) for code in codes}
        committee_services.submit_scores(by_seat_user[seat.id], note, scores, rng.choice(COMMENTS[fate]))
    committee_services.close_review(chair, note)


def _hold(rng, meeting, fate, chair, voting, by_seat_user) -> None:
    committee_services.open_meeting(chair, meeting)
    absent = set(rng.sample([s.id for s in voting if s.user_id != chair.id], rng.choice((0, 1, 2))))
    present = [s.id for s in active_seats() if s.id not in absent]
    committee_services.record_attendance(chair, meeting, present)
    for item in list(meeting.items):
        recused = committee_services.recused_seats(item, voting)
        eligible = [s for s in voting if s.id in present and s.id not in recused]
        if item.kind is ItemKind.other:
            outcome = Outcome.approve
        elif item.kind is ItemKind.funding:
            outcome = Outcome.approve_funding
        else:
            outcome = {
                "rejected": Outcome.reject,
                "deferred": Outcome.defer,
            }.get(fate[item.concept_note_id], Outcome.endorse)
        if outcome is not Outcome.defer:
            objector = rng.choice(eligible).id if outcome is Outcome.reject else None
            for seat in eligible:
                if seat.id == objector:
                    vote, why = Vote.object, "Not convinced by the joint approach."
                else:
                    vote, why = (Vote.abstain, "") if rng.random() < 0.08 else (Vote.approve, "")
                committee_services.cast_vote(by_seat_user[seat.id], item, vote, why)
            if outcome is not Outcome.reject and all(v.vote is Vote.abstain for v in item.votes):
                committee_services.cast_vote(by_seat_user[eligible[0].id], item, Vote.approve)
        starts_on, ends_on = _new_dates(item, meeting.held_on) if item.kind is ItemKind.funding else (None, None)
        committee_services.record_decision(
            chair,
            item,
            committee_services.DecisionInput(
                outcome=outcome,
                rationale="Recorded in the meeting's discussion." if outcome is not Outcome.approve else "",
                shared_comment=SHARED.get(outcome, ""),
                starts_on=starts_on,
                ends_on=ends_on,
            ),
        )
    committee_services.close_meeting(chair, meeting)


def _new_dates(item, held_on: date) -> tuple[date | None, date | None]:
    """A programme whose planned start is before its funding meeting starts two weeks after it, for as long as
    planned (a funding decision gives new dates then, as the chair would)."""
    document = committee_services.programme_document(item.concept_note)
    if not committee_services.planned_dates_past(document, held_on):
        return None, None
    starts_on = held_on + timedelta(days=14)
    return starts_on, starts_on + (document.ends_on - document.starts_on)


def _programme_document(note: ConceptNote, endorsed_on: date, secretariat) -> None:
    starts_on = endorsed_on + timedelta(days=60)
    months = note.duration_months or 24
    ends_on = starts_on + timedelta(days=round(months * 30.4))
    summary = (note.expected_results or note.title).split(".")[0].strip() + "."
    budget = {p.organisation_id: p.total for p in note.participants}
    committee_services.save_programme_document(secretariat, note, summary, starts_on, ends_on, budget)
    committee_services.approve_programme_document(secretariat, note)
