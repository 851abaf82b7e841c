"""Blind scoring and conflicts of interest. Flush, never commit.

A note enters the committee's review through CONCEPT_NOTE (eligible → under_review). While the review is
open each voting member scores it 1–5 per criterion of the call's set (or the fund's default) with a
comment, and sees only their own scores. When the chair closes the review, the averages, weighted total,
spread and every member's scores become visible to the committee members who are not recused.

Conflicts of interest: a member is recused automatically when the organisation of their seat is a
participating organization of the note (lead or partner) or when they hold a country seat for a country the
note covers; a member may also declare a conflict, with the reason. A recused member cannot see the note's
scores, score it or vote on it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from fundapp.committee import workflow
from fundapp.committee.models import CommitteeSeat, Recusal, Review, ScoreLine, ScoreSheet
from fundapp.committee.scoring import MAX_SCORE, MIN_SCORE, ScoreSummary, summarise
from fundapp.committee.services import criteria_for, seat_of
from fundapp.concept_notes.models import ConceptNote, Participant, concept_note_countries
from fundapp.concept_notes.workflow import CONCEPT_NOTE, ELIGIBLE
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.permissions import Role

AUTOMATIC = "automatic"
DECLARED = "declared"


@dataclass(frozen=True)
class Conflict:
    seat_id: int
    kind: str  # automatic | declared
    reason: str


# Conflicts of interest ----------------------------------------------------------------------------


def conflicts_by_note(note_ids: Iterable[int], seats: Iterable[CommitteeSeat]) -> dict[int, dict[int, Conflict]]:
    """note id → seat id → the conflict (declared first, else automatic), in three queries for any number of notes."""
    note_ids = list(note_ids)
    seats = list(seats)
    result: dict[int, dict[int, Conflict]] = {note_id: {} for note_id in note_ids}
    if not note_ids or not seats:
        return result
    # The lead is a participant too (is_lead), so one query gives every participating organization.
    participants: dict[int, set[int]] = {}
    leads: dict[int, int] = {}
    for note_id, org_id, is_lead in db.session.execute(
        sa.select(Participant.concept_note_id, Participant.organisation_id, Participant.is_lead).where(
            Participant.concept_note_id.in_(note_ids)
        )
    ):
        participants.setdefault(note_id, set()).add(org_id)
        if is_lead:
            leads[note_id] = org_id
    countries: dict[int, set[str]] = {}
    for note_id, code in db.session.execute(
        sa.select(concept_note_countries.c.concept_note_id, concept_note_countries.c.country_code).where(
            concept_note_countries.c.concept_note_id.in_(note_ids)
        )
    ):
        countries.setdefault(note_id, set()).add(code)
    declared = {
        (r.concept_note_id, r.seat_id): r.reason
        for r in db.session.scalars(sa.select(Recusal).where(Recusal.concept_note_id.in_(note_ids)))
    }
    for note_id in note_ids:
        orgs = participants.get(note_id, set())
        for seat in seats:
            if (note_id, seat.id) in declared:
                result[note_id][seat.id] = Conflict(seat.id, DECLARED, declared[note_id, seat.id])
            elif seat.organisation_id in orgs:
                role = "lead" if seat.organisation_id == leads.get(note_id) else "partner"
                result[note_id][seat.id] = Conflict(
                    seat.id, AUTOMATIC, f"{seat.organisation.name} is a participating organization ({role})."
                )
            elif seat.country_code and seat.country_code in countries.get(note_id, set()):
                result[note_id][seat.id] = Conflict(
                    seat.id, AUTOMATIC, f"Holds the seat of {seat.country.name}, a country the programme covers."
                )
    return result


def conflicts_for(note: ConceptNote, seats: Iterable[CommitteeSeat] | None = None) -> dict[int, Conflict]:
    """seat id → conflict for one note, over the given seats (default: the active seats)."""
    if seats is None:
        seats = db.session.scalars(
            sa.select(CommitteeSeat)
            .where(CommitteeSeat.is_active)
            .options(selectinload(CommitteeSeat.organisation), selectinload(CommitteeSeat.country))
        )
    return conflicts_by_note([note.id], seats)[note.id]


def conflict_of(note: ConceptNote, seat: CommitteeSeat | None) -> Conflict | None:
    if seat is None:
        return None
    return conflicts_for(note, [seat]).get(seat.id)


def declare_conflict(actor: Any, note: ConceptNote, reason: str) -> Recusal:
    """The member declares a conflict of interest on a note; any scores they gave it are withdrawn."""
    seat = seat_of(actor)
    if seat is None:
        raise NotAllowed("Only a member holding a committee seat declares a conflict of interest.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give the reason for the conflict of interest.", field="reason")
    existing = db.session.scalar(
        sa.select(Recusal).where(Recusal.concept_note_id == note.id, Recusal.seat_id == seat.id)
    )
    if existing is not None:
        raise DomainError("You have already declared a conflict of interest on this note.", field="reason")
    recusal = Recusal(concept_note_id=note.id, seat_id=seat.id, reason=reason)
    db.session.add(recusal)
    sheet = _sheet(note.id, seat.id)
    if sheet is not None:
        db.session.delete(sheet)
    db.session.flush()
    record_change(
        actor, "committee.conflict_declared", "concept_notes", note.id, {"seat_id": seat.id, "reason": reason}
    )
    return recusal


# Reviews ------------------------------------------------------------------------------------------


def review_of(note: ConceptNote) -> Review | None:
    return db.session.scalar(sa.select(Review).where(Review.concept_note_id == note.id))


def open_review(actor: Any, note: ConceptNote) -> Review:
    """Put an eligible (or deferred) note before the committee for scoring."""
    action = "open_review" if note.status == ELIGIBLE else "review_again"
    CONCEPT_NOTE.fire(note, action, actor)
    review = review_of(note)
    if review is None:
        review = Review(concept_note_id=note.id, opened_by_id=getattr(actor, "id", None))
        db.session.add(review)
    else:
        if action == "open_review":
            # A note returned for revision and resubmitted is a new version: it is scored afresh (the audit
            # log keeps the earlier scores). After a deferral the members keep, and may revise, theirs.
            for sheet in db.session.scalars(sa.select(ScoreSheet).where(ScoreSheet.concept_note_id == note.id)):
                db.session.delete(sheet)
        review.closed_at = None
        review.closed_by_id = None
        review.opened_at = clock.now()
    db.session.flush()
    return review


def close_review(actor: Any, note: ConceptNote) -> Review:
    """The chair closes scoring: the results become visible to the committee."""
    if not (actor is None or actor.has_role(Role.committee_chair)):
        raise NotAllowed("Only the chair closes a review.")
    review = review_of(note)
    if review is None or note.status != workflow.UNDER_REVIEW:
        raise DomainError("This note is not under committee review.")
    if review.is_closed:
        raise DomainError("The review is already closed.")
    if not sheets_for(note):
        raise DomainError("No member has scored this note yet: there is nothing to reveal.")
    review.closed_at = clock.now()
    review.closed_by_id = getattr(actor, "id", None)
    db.session.flush()
    record_change(actor, "committee.review_closed", "concept_notes", note.id, {"review_id": review.id})
    return review


# Scores -------------------------------------------------------------------------------------------


def _sheet(note_id: int, seat_id: int) -> ScoreSheet | None:
    return db.session.scalar(
        sa.select(ScoreSheet)
        .where(ScoreSheet.concept_note_id == note_id, ScoreSheet.seat_id == seat_id)
        .options(selectinload(ScoreSheet.lines))
    )


def check_can_score(note: ConceptNote, seat: CommitteeSeat | None) -> None:
    """Raise NotAllowed/DomainError unless this seat may score the note now (the server-side check)."""
    if seat is None or not seat.is_voting or not seat.is_active:
        raise NotAllowed("Only voting members of the committee score concept notes.")
    if conflict_of(note, seat) is not None:
        raise NotAllowed("You are recused from this note (conflict of interest): you cannot score it.")
    review = review_of(note)
    if note.status != workflow.UNDER_REVIEW or review is None:
        raise DomainError("This note is not under committee review.")
    if review.is_closed:
        raise DomainError("The chair has closed this review: scores can no longer change.")


def submit_scores(actor: Any, note: ConceptNote, scores: dict[str, Any], comment: str = "") -> ScoreSheet:
    """Record (or revise, while the review is open) the member's scores of a note."""
    seat = seat_of(actor)
    check_can_score(note, seat)
    assert seat is not None
    criteria = criteria_for(note.call_id)
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.code)
        try:
            number = int(value) if value is not None and not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or not MIN_SCORE <= number <= MAX_SCORE:
            errors.setdefault(f"score_{criterion.code}", []).append(f"Score {criterion.name} from 1 to 5.")
        else:
            clean[criterion.code] = number
    unknown = set(scores) - {c.code for c in criteria}
    if unknown:
        errors.setdefault("", []).append(f"Unknown criteria: {', '.join(sorted(unknown))}.")
    if errors:
        raise ValidationFailed(errors)
    sheet = _sheet(note.id, seat.id)
    if sheet is None:
        sheet = ScoreSheet(concept_note_id=note.id, seat_id=seat.id)
        db.session.add(sheet)
    sheet.comment = (comment or "").strip()
    sheet.scored_at = clock.now()
    sheet.lines = [ScoreLine(code=code, score=value) for code, value in clean.items()]
    db.session.flush()
    record_change(actor, "committee.scored", "concept_notes", note.id, {"seat_id": seat.id, "scores": clean})
    return sheet


def sheets_for(note: ConceptNote) -> list[ScoreSheet]:
    return list(
        db.session.scalars(
            sa.select(ScoreSheet)
            .where(ScoreSheet.concept_note_id == note.id)
            .options(selectinload(ScoreSheet.lines), selectinload(ScoreSheet.seat).selectinload(CommitteeSeat.user))
            .order_by(ScoreSheet.id)
        )
    )


def summary_from_sheets(sheets: Iterable[ScoreSheet], weights: dict[str, int]) -> ScoreSummary:
    """The scoring summary over the sheets that cover the current criteria (a set changed later skips the rest)."""
    scores = {s.seat_id: s.as_dict() for s in sheets if set(s.as_dict()) == set(weights)}
    return summarise(scores, weights)


def summaries_by_note(notes: Iterable[ConceptNote]) -> dict[int, ScoreSummary]:
    """note id → summary, in a fixed number of queries (sheets, lines and criteria in bulk)."""
    notes = list(notes)
    if not notes:
        return {}
    sheets: dict[int, list[ScoreSheet]] = {}
    for sheet in db.session.scalars(
        sa.select(ScoreSheet)
        .where(ScoreSheet.concept_note_id.in_([n.id for n in notes]))
        .options(selectinload(ScoreSheet.lines))
    ):
        sheets.setdefault(sheet.concept_note_id, []).append(sheet)
    weights_by_call = _weights_by_call({n.call_id for n in notes})
    return {n.id: summary_from_sheets(sheets.get(n.id, []), weights_by_call[n.call_id]) for n in notes}


def _weights_by_call(call_ids: set[int]) -> dict[int, dict[str, int]]:
    from fundapp.committee.models import ScoringCriterion

    rows = db.session.scalars(
        sa.select(ScoringCriterion)
        .where(sa.or_(ScoringCriterion.call_id.is_(None), ScoringCriterion.call_id.in_(call_ids)))
        .order_by(ScoringCriterion.position, ScoringCriterion.id)
    )
    own: dict[int | None, dict[str, int]] = {}
    for c in rows:
        own.setdefault(c.call_id, {})[c.code] = c.weight
    default = own.get(None, {})
    return {call_id: own.get(call_id) or default for call_id in call_ids}


# Who sees what --------------------------------------------------------------------------------------


def can_see_results(user: Any, note: ConceptNote, review: Review | None, seat: CommitteeSeat | None = None) -> bool:
    """Everyone's scores: only once the review is closed, for the secretariat and non-recused members."""
    if review is None or not review.is_closed or not user.is_authenticated:
        return False
    if user.has_role(Role.secretariat):
        return True
    if not user.has_any_role(Role.committee_member, Role.committee_chair):
        return False
    seat = seat if seat is not None else seat_of(user)
    return seat is not None and conflict_of(note, seat) is None


def scores_view(user: Any, note: ConceptNote) -> dict[str, Any]:
    """What this user may see of the note's scores: the JSON the page and the API share."""
    review = review_of(note)
    seat = seat_of(user) if user.has_any_role(Role.committee_member, Role.committee_chair) else None
    conflict = conflict_of(note, seat)
    weights = {c.code: c.weight for c in criteria_for(note.call_id)}
    data: dict[str, Any] = {
        "concept_note": note.reference,
        "review": "closed" if review and review.is_closed else ("open" if review else "not_opened"),
        "criteria": weights,
        "recused": conflict is not None,
    }
    if conflict is not None:
        data["recusal_reason"] = conflict.reason
        return data
    if seat is not None:
        mine = _sheet(note.id, seat.id)
        data["my_scores"] = mine.as_dict() if mine else None
        data["my_comment"] = mine.comment if mine else None
    if can_see_results(user, note, review, seat):
        sheets = sheets_for(note)
        summary = summary_from_sheets(sheets, weights)
        data["results"] = {
            "members": summary.members,
            "weighted_total": str(summary.weighted_total) if summary.weighted_total is not None else None,
            "total_spread": str(summary.total_spread) if summary.total_spread is not None else None,
            "criteria": [
                {"code": c.code, "weight": c.weight, "mean": str(c.mean), "spread": c.spread} for c in summary.criteria
            ],
            "members_scores": [
                {"member": s.seat.user.name, "seat": s.seat.label, "scores": s.as_dict(), "comment": s.comment}
                for s in sheets
            ],
        }
    return data


def member_overview(user: Any, limit: int = 10) -> dict[str, Any]:
    """The committee home page: the notes this member still has to score and the meetings not yet closed."""
    from fundapp.committee.models import Meeting

    seat = seat_of(user)
    notes = list(
        db.session.scalars(
            sa.select(ConceptNote)
            .join(Review, Review.concept_note_id == ConceptNote.id)
            .where(ConceptNote.status == workflow.UNDER_REVIEW, Review.closed_at.is_(None))
            .order_by(ConceptNote.id)
        )
    )
    to_score: list[ConceptNote] = []
    if seat is not None and seat.is_voting and notes:
        conflicts = conflicts_by_note([n.id for n in notes], [seat])
        scored = set(
            db.session.scalars(
                sa.select(ScoreSheet.concept_note_id).where(
                    ScoreSheet.seat_id == seat.id, ScoreSheet.concept_note_id.in_([n.id for n in notes])
                )
            )
        )
        to_score = [n for n in notes if n.id not in scored and seat.id not in conflicts[n.id]]
    upcoming = list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.status != workflow.CLOSED)
            .order_by(Meeting.held_on, Meeting.id)
            .limit(limit)
        )
    )
    return {"seat": seat, "to_score": to_score[:limit], "to_score_count": len(to_score), "upcoming": upcoming}


def closed_note_ids(note_ids: Iterable[int]) -> set[int]:
    """The notes (of these) whose review the chair has closed (one query)."""
    return set(
        db.session.scalars(
            sa.select(Review.concept_note_id).where(
                Review.concept_note_id.in_(list(note_ids)), Review.closed_at.is_not(None)
            )
        )
    )


def visible_score_note_ids(user: Any, note_ids: Iterable[int]) -> set[int]:
    """The notes (of these) whose scores this user may see: review closed, and not recused (three queries)."""
    note_ids = list(note_ids)
    if not note_ids or not user.is_authenticated:
        return set()
    closed = closed_note_ids(note_ids)
    if user.has_role(Role.secretariat):
        return closed
    if not user.has_any_role(Role.committee_member, Role.committee_chair):
        return set()
    seat = seat_of(user)
    if seat is None:
        return set()
    conflicts = conflicts_by_note(list(closed), [seat])
    return {note_id for note_id in closed if seat.id not in conflicts[note_id]}
