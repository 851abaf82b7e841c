"""Meetings, agenda items, attendance, votes and decisions; the joint programme document. Flush, never commit.

Every decision checks the quorum first (rules.decide over the meeting's attendance) and is refused with the
reason if the quorum or the votes it needs are missing:

- endorse, approve funding, approve (other business): the vote must pass under the fund's rule;
- reject: every eligible member has voted and the motion did not pass;
- defer, return for revision: the quorum (a procedural decision of the meeting).

A funding decision allocates the amount through the fund ledger in the same transaction (the ledger's
advisory lock on PostgreSQL serialises competing allocations, so two decisions racing for the last money
cannot both succeed) and moves the note to funded.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.committee import reviews, workflow
from fundapp.committee.models import (
    AgendaItem,
    Attendance,
    CommitteeSeat,
    ItemKind,
    JointProgrammeDocument,
    Meeting,
    Outcome,
    ProgrammeBudgetLine,
    VoteRecord,
)
from fundapp.committee.rules import Outcome as RuleOutcome
from fundapp.committee.rules import Vote, check_quorum, decide
from fundapp.committee.services import Roll, decision_config, roll, seat_of
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import CONCEPT_NOTE
from fundapp.contributions import ledger
from fundapp.core import clock, signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.money import to_money
from fundapp.core.permissions import Role

#: Outcomes each kind of item may have.
OUTCOMES = {
    ItemKind.endorsement: (Outcome.endorse, Outcome.reject, Outcome.defer, Outcome.return_),
    ItemKind.funding: (Outcome.approve_funding, Outcome.reject, Outcome.defer),
    ItemKind.other: (Outcome.approve, Outcome.reject, Outcome.defer),
}
#: Outcomes that need the vote to pass.
NEEDS_PASS = (Outcome.endorse, Outcome.approve_funding, Outcome.approve)
#: The note's transition for each outcome of an endorsement item.
NOTE_ACTIONS = {Outcome.endorse: "endorse", Outcome.reject: "reject", Outcome.defer: "defer", Outcome.return_: "return"}


# Meetings and agendas -------------------------------------------------------------------------------


def create_meeting(actor: Any, title: str, held_on: date, location: str = "") -> Meeting:
    title = (title or "").strip()
    if not title:
        raise DomainError("Give the meeting a title.", field="title")
    meeting = Meeting(title=title, held_on=held_on, location=(location or "").strip())
    meeting.created_by_id = getattr(actor, "id", None)
    db.session.add(meeting)
    workflow.MEETING.fire(meeting, "create", actor, f"{title}, {held_on.isoformat()}")
    return meeting


def _check_open_agenda(meeting: Meeting) -> None:
    if meeting.status == workflow.CLOSED:
        raise DomainError("The meeting is closed: its agenda can no longer change.")


def add_item(
    actor: Any, meeting: Meeting, kind: ItemKind | str, note: ConceptNote | None = None, title: str = ""
) -> AgendaItem:
    """Put a note (for endorsement or funding) or other business on the agenda."""
    _check_open_agenda(meeting)
    kind = ItemKind(kind)
    if kind is not ItemKind.other:
        if note is None:
            raise DomainError("Choose the concept note.", field="concept_note_id")
        wanted = workflow.UNDER_REVIEW if kind is ItemKind.endorsement else workflow.READY
        if note.status != wanted:
            what = "under committee review" if kind is ItemKind.endorsement else "ready for implementation"
            raise DomainError(f"{note.reference} is not {what}.", field="concept_note_id")
        pending = db.session.scalar(
            sa.select(AgendaItem.id).where(
                AgendaItem.concept_note_id == note.id,
                AgendaItem.kind == kind,
                AgendaItem.status == workflow.PENDING,
            )
        )
        if pending is not None:
            raise DomainError(f"{note.reference} is already on an agenda for this.", field="concept_note_id")
        title = title.strip() or f"{note.reference} {note.title}"
    elif not (title or "").strip():
        raise DomainError("Describe the item.", field="title")
    position = (max((i.position for i in meeting.items), default=0)) + 1
    item = AgendaItem(
        meeting=meeting,
        kind=kind,
        concept_note_id=note.id if note else None,
        title=title.strip()[:250],
        position=position,
    )
    db.session.add(item)
    workflow.AGENDA_ITEM.fire(item, "create", actor, f"meeting {meeting.id}: {kind.label}")
    return item


def withdraw_item(actor: Any, item: AgendaItem, reason: str) -> None:
    """The secretariat takes an undecided item off the agenda (the note stays where it is)."""
    if item.meeting.status == workflow.CLOSED:
        raise DomainError("The meeting is closed: its agenda can no longer change.")
    workflow.AGENDA_ITEM.fire(item, "withdraw", actor, (reason or "").strip())


def open_meeting(actor: Any, meeting: Meeting) -> None:
    workflow.MEETING.fire(meeting, "open", actor)


def close_meeting(actor: Any, meeting: Meeting) -> None:
    meeting.quorum_text = quorum(meeting)[1]
    workflow.MEETING.fire(meeting, "close", actor)


# Attendance -----------------------------------------------------------------------------------------


def meeting_roll(meeting: Meeting) -> Roll:
    return roll(meeting.held_on)


def present_seat_ids(meeting: Meeting) -> set[int]:
    return set(db.session.scalars(sa.select(Attendance.seat_id).where(Attendance.meeting_id == meeting.id)))


def record_attendance(actor: Any, meeting: Meeting, present: list[int]) -> None:
    """The chair takes attendance at the meeting: the seats present (others absent)."""
    if meeting.status != workflow.IN_SESSION:
        raise DomainError("Attendance is taken while the meeting is in session: open it first.")
    sitting = meeting_roll(meeting)
    seats = set(sitting.voting) | set(sitting.observers)
    unknown = [s for s in present if s not in seats]
    if unknown:
        raise DomainError("Only seats that sit on the meeting day can be present.", field="present")
    decided = any(i.status == workflow.DECIDED for i in meeting.items)
    before = present_seat_ids(meeting)
    if decided and not before <= set(present):
        raise DomainError("Decisions have been recorded: members can join, but no one can be removed now.")
    for attendance in list(meeting.attendance):
        if attendance.seat_id not in present:
            meeting.attendance.remove(attendance)
    for seat_id in set(present) - before:
        meeting.attendance.append(Attendance(seat_id=seat_id))
    db.session.flush()
    record_change(
        actor, "committee_meeting.attendance", "committee_meeting", meeting.id, {"present": sorted(set(present))}
    )


def quorum(meeting: Meeting) -> tuple[bool, str]:
    sitting = meeting_roll(meeting)
    return check_quorum(present_seat_ids(meeting), sitting.voting, sitting.chair, decision_config())


# Votes ----------------------------------------------------------------------------------------------


def recused_seats(item: AgendaItem, seats: list[CommitteeSeat] | None = None) -> dict[int, reviews.Conflict]:
    if item.concept_note is None:
        return {}
    if seats is None:
        sitting = meeting_roll(item.meeting)
        seats = list(
            db.session.scalars(
                sa.select(CommitteeSeat)
                .where(CommitteeSeat.id.in_(sitting.labels))
                .options(selectinload(CommitteeSeat.organisation), selectinload(CommitteeSeat.country))
            )
        )
    return reviews.conflicts_for(item.concept_note, seats)


def cast_vote(actor: Any, item: AgendaItem, vote: Vote | str, rationale: str = "") -> VoteRecord:
    """A present, non-recused voting member votes on a pending item of a meeting in session."""
    seat = seat_of(actor)
    if seat is None or not seat.is_voting:
        raise NotAllowed("Only voting members of the committee vote.")
    meeting = item.meeting
    if meeting.status != workflow.IN_SESSION:
        raise DomainError("Votes are cast while the meeting is in session.")
    if item.status != workflow.PENDING:
        raise DomainError("This item has been decided.")
    if seat.term_start_on > meeting.held_on or (seat.term_end_on is not None and seat.term_end_on < meeting.held_on):
        raise NotAllowed("Your seat does not vote at this meeting.")
    present = db.session.scalar(
        sa.select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.seat_id == seat.id)
    )
    if present is None:
        raise NotAllowed("You are not recorded as present: ask the chair to record your attendance.")
    if item.concept_note is not None and reviews.conflict_of(item.concept_note, seat) is not None:
        raise NotAllowed("You are recused from this item (conflict of interest): you cannot vote.")
    try:
        vote = Vote(vote)
    except ValueError as exc:
        raise DomainError("Choose approve, object or abstain.", field="vote") from exc
    record = db.session.scalar(
        sa.select(VoteRecord).where(VoteRecord.item_id == item.id, VoteRecord.seat_id == seat.id)
    )
    if record is None:
        record = VoteRecord(item=item, seat_id=seat.id, vote=vote)
        db.session.add(record)
    record.vote = vote
    record.rationale = (rationale or "").strip()
    record.cast_at = clock.now()
    db.session.flush()
    record_change(actor, "committee.vote", "committee_agenda_item", item.id, {"seat_id": seat.id, "vote": vote.value})
    return record


def tally(item: AgendaItem) -> RuleOutcome:
    """rules.decide() over the item's votes, the meeting's attendance and the recusals."""
    meeting = item.meeting
    sitting = meeting_roll(meeting)
    votes = {v.seat_id: v.vote for v in item.votes}
    recused = set(recused_seats(item))
    return decide(
        votes,
        present_seat_ids(meeting),
        sitting.voting,
        recused=recused,
        rule=decision_config(),
        chair=sitting.chair,
        labels=sitting.labels,
    )


# Decisions ------------------------------------------------------------------------------------------


@dataclass
class DecisionInput:
    outcome: Outcome | str
    rationale: str = ""
    shared_comment: str = ""
    amount: Decimal | str | None = None


def _lock_item(item: AgendaItem) -> AgendaItem:
    """Re-read the item under a row lock (PostgreSQL), so two requests cannot decide it twice."""
    query = sa.select(AgendaItem).where(AgendaItem.id == item.id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return db.session.scalar(query)


def record_decision(actor: Any, item: AgendaItem, data: DecisionInput) -> AgendaItem:
    """The chair records the committee's decision on an item; refused, with the reason, without quorum or votes."""
    if actor is not None and not actor.has_role(Role.committee_chair):
        raise NotAllowed("Only the chair records the committee's decisions.")
    item = _lock_item(item)
    meeting = item.meeting
    if meeting.status != workflow.IN_SESSION:
        raise DomainError("Decisions are recorded while the meeting is in session.")
    if item.status != workflow.PENDING:
        raise DomainError("This item has already been decided.")
    try:
        outcome = Outcome(data.outcome)
    except ValueError as exc:
        raise DomainError("Choose the decision.", field="outcome") from exc
    if outcome not in OUTCOMES[item.kind]:
        raise DomainError(f"{outcome.label} is not a decision on this item.", field="outcome")
    result = tally(item)
    if not result.quorum_met:
        raise DomainError(f"Refused: {result.reason}.", field="outcome")
    if outcome in NEEDS_PASS and not result.passed:
        raise DomainError(f"Refused: the vote has not passed. {result.reason}.", field="outcome")
    if outcome is Outcome.reject:
        if result.missing:
            raise DomainError(f"Refused: {result.reason}.", field="outcome")
        if result.passed:
            raise DomainError(f"Refused: the vote passed ({result.reason}); it cannot be a rejection.", field="outcome")
    rationale = (data.rationale or "").strip()
    shared = (data.shared_comment or "").strip()
    if outcome in (Outcome.reject, Outcome.return_) and not (shared or rationale):
        raise DomainError("Give the reason (shared with the applicant).", field="shared_comment")
    note = item.concept_note
    if item.kind is ItemKind.endorsement:
        review = reviews.review_of(note)
        if outcome is not Outcome.defer and (review is None or not review.is_closed):
            raise DomainError("The chair closes the review before the committee decides on the note.", field="outcome")
    item.amount = None
    if outcome is Outcome.approve_funding:
        item.amount = _fund(actor, item, note, data.amount, meeting.held_on)
    item.outcome = outcome
    item.rationale = rationale
    item.shared_comment = shared
    item.rule_text = result.reason
    item.decided_at = clock.now()
    item.decided_by_id = getattr(actor, "id", None)
    workflow.AGENDA_ITEM.fire(item, "decide", actor, outcome.label)
    record_change(
        actor,
        "committee.decision",
        "committee_agenda_item",
        item.id,
        {
            "outcome": outcome.value,
            "concept_note_id": item.concept_note_id,
            "amount": f"{item.amount:.2f}" if item.amount is not None else None,
            "votes": {str(v.seat_id): v.vote.value for v in item.votes},
            "rule": result.reason,
        },
    )
    if item.kind is ItemKind.endorsement:
        CONCEPT_NOTE.fire(
            note, NOTE_ACTIONS[outcome], actor, shared or (rationale if outcome is not Outcome.endorse else None)
        )
    elif outcome is Outcome.approve_funding:
        CONCEPT_NOTE.fire(note, "fund", actor, shared or None)
    db.session.flush()
    return item


def _fund(actor: Any, item: AgendaItem, note: ConceptNote, amount: Any, on: date) -> Decimal:
    """Allocate the approved amount through the ledger (area's earmarked pool first); refused if it does not fit."""
    if note.status != workflow.READY:
        raise DomainError(f"{note.reference} is not ready for implementation.", field="outcome")
    document = programme_document(note)
    if document is None or document.approved_at is None:
        raise DomainError("The joint programme document has not been approved.", field="outcome")
    if amount in (None, ""):
        amount = document.total
    try:
        value = to_money(amount)
    except (TypeError, ValueError) as exc:
        raise DomainError("The amount is not a number.", field="amount") from exc
    if value <= 0:
        raise DomainError("The amount must be more than zero.", field="amount")
    if value > document.total:
        raise DomainError(f"The amount exceeds the programme's budget of US$ {document.total:,.2f}.", field="amount")
    ledger.allocate(
        actor,
        value,
        note.thematic_area_id,
        document.id,
        on,
        organisation_id=note.organisation_id,
        description=f"{note.reference} funding approved by the steering committee ({item.meeting.title})",
    )
    signals.funding_approved.send(document, actor=actor, on=on)
    return value


# The light joint programme document -----------------------------------------------------------------


def programme_document(note: ConceptNote) -> JointProgrammeDocument | None:
    return db.session.scalar(
        sa.select(JointProgrammeDocument)
        .where(JointProgrammeDocument.concept_note_id == note.id)
        .options(selectinload(JointProgrammeDocument.budget_lines))
    )


def save_programme_document(
    actor: Any, note: ConceptNote, summary: str, starts_on: date, ends_on: date, budget: dict[int, Any]
) -> JointProgrammeDocument:
    """Record the light document of an endorsed note: a summary, dates and a budget per participating organization."""
    if note.status != workflow.ENDORSED:
        raise DomainError("Only an endorsed note gets its joint programme document.")
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        errors["summary"] = ["Give a summary."]
    if ends_on <= starts_on:
        errors["ends_on"] = ["The programme ends after it starts."]
    participants = {p.organisation_id for p in note.participants}
    lines = {}
    for org_id, amount in budget.items():
        if org_id not in participants:
            errors.setdefault("budget", []).append("Budgets go to the note's participating organizations only.")
            continue
        value = to_money(amount or 0)
        if value < 0:
            errors.setdefault("budget", []).append("Amounts cannot be negative.")
        elif value > 0:
            lines[org_id] = value
    if not lines:
        errors.setdefault("budget", []).append("Give a budget for at least one participating organization.")
    if errors:
        from fundapp.core.errors import ValidationFailed

        raise ValidationFailed(errors)
    document = programme_document(note)
    if document is None:
        document = JointProgrammeDocument(concept_note_id=note.id)
        db.session.add(document)
    document.summary = summary.strip()
    document.starts_on = starts_on
    document.ends_on = ends_on
    document.approved_at = None
    document.budget_lines = [ProgrammeBudgetLine(organisation_id=o, amount=a) for o, a in lines.items()]
    db.session.flush()
    record_change(
        actor,
        "committee.programme_document_saved",
        "concept_notes",
        note.id,
        {"total": f"{document.total:.2f}", "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return document


def approve_programme_document(actor: Any, note: ConceptNote) -> JointProgrammeDocument:
    """Approve the document: the note becomes ready for implementation."""
    document = programme_document(note)
    if document is None:
        raise DomainError("Record the joint programme document first.")
    if document.approved_at is not None:
        raise DomainError("The document is already approved.")
    document.approved_at = clock.now()
    document.approved_by_id = getattr(actor, "id", None)
    CONCEPT_NOTE.fire(note, "mark_ready", actor)
    signals.document_approved.send(document, actor=actor, on=document.approved_at.date())
    return document


# Loading for pages ------------------------------------------------------------------------------------


def load_meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.items).selectinload(AgendaItem.votes),
            selectinload(Meeting.items).selectinload(AgendaItem.concept_note).selectinload(ConceptNote.participants),
            selectinload(Meeting.items).selectinload(AgendaItem.concept_note).selectinload(ConceptNote.countries),
            selectinload(Meeting.attendance),
        )
    )


def meeting_overview(meeting: Meeting) -> dict[str, Any]:
    """Everything the meeting page, the minutes and the pack show, in a bounded number of queries."""
    sitting = meeting_roll(meeting)
    seats = {
        s.id: s
        for s in db.session.scalars(
            sa.select(CommitteeSeat)
            .where(CommitteeSeat.id.in_(list(sitting.labels)))
            .options(
                selectinload(CommitteeSeat.user),
                selectinload(CommitteeSeat.organisation),
                selectinload(CommitteeSeat.country),
            )
        )
    }
    present = {a.seat_id for a in meeting.attendance}
    notes = [i.concept_note for i in meeting.items if i.concept_note is not None]
    conflicts = reviews.conflicts_by_note([n.id for n in notes], list(seats.values()))
    summaries = reviews.summaries_by_note(notes)
    config = decision_config()
    quorum_met, quorum_text = check_quorum(present, sitting.voting, sitting.chair, config)
    items = []
    for item in meeting.items:
        recused = conflicts.get(item.concept_note_id, {}) if item.concept_note_id else {}
        votes = {v.seat_id: v.vote for v in item.votes}
        result = (
            decide(
                votes,
                present,
                sitting.voting,
                recused=set(recused),
                rule=config,
                chair=sitting.chair,
                labels=sitting.labels,
            )
            if item.status == workflow.PENDING
            else None
        )
        items.append(
            {
                "item": item,
                "recused": [(seats[s], c) for s, c in recused.items() if s in seats],
                "votes": [(seats.get(v.seat_id), v) for v in item.votes],
                "result": result,
                "summary": summaries.get(item.concept_note_id) if item.concept_note_id else None,
                "outcomes": OUTCOMES[item.kind],
            }
        )
    return {
        "roll": sitting,
        "seats": seats,
        "voting": [seats[s] for s in sitting.voting if s in seats],
        "observers": [seats[s] for s in sitting.observers if s in seats],
        "present": present,
        "quorum_met": quorum_met,
        "quorum_text": quorum_text,
        "items": items,
        "config": config,
    }
