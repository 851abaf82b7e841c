"""Score summaries frozen when a review closes: written by close_review, dropped when scoring reopens,
recomputed when a member declares a conflict afterwards, backfilled by the migration exactly as the service
computes them; and the SQL twin of who may see scores agrees with the permission predicate."""

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from fundapp.committee import services
from fundapp.committee.models import ItemKind, ReviewSummary, ScoringCriterion
from fundapp.concept_notes.models import ConceptNote
from fundapp.core.models import AuditEntry
from tests.committee.decision_helpers import (
    SCORES,
    meeting_in_session,
    note_under_review,
    reviewed_note,
    score_all,
    vote_all,
    voting_seats,
)
from tests.committee.pipeline_helpers import endorsed_note, scores, undp_note_kwargs
from tests.concept_notes.helpers import user

CHAIR = "chair@example.org"
SECRETARIAT = "secretariat@example.org"
MIGRATION = next((Path(__file__).parents[2] / "migrations" / "versions").glob("*_score_summaries_and_scenario_runs.py"))


def _row(db, note) -> ReviewSummary | None:
    return db.session.scalar(sa.select(ReviewSummary).where(ReviewSummary.concept_note_id == note.id))


def test_closing_a_review_stores_its_summary(db):
    note = note_under_review()
    score_all(note)
    assert _row(db, note) is None
    services.close_review(user(CHAIR), note)
    row = _row(db, note)
    live = services.summary_from_sheets(services.sheets_for(note), services.weights_for(note.call_id))
    assert row.weighted_total == live.weighted_total == Decimal("73.75")
    assert row.members == live.members == 9  # 12 voting seats less UNICEF, ILO and Bangladesh (recused)
    assert row.as_summary() == live
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "committee.review_closed"))
    assert json.loads(audit.details)["weighted_total"] == "73.75"


def test_the_summary_stays_frozen_when_the_criteria_change_later(db):
    note = reviewed_note()
    criteria = list(db.session.scalars(sa.select(ScoringCriterion).where(ScoringCriterion.call_id.is_(None))))
    first, second = criteria[0], criteria[1]
    first.weight, second.weight = first.weight + 5, second.weight - 5
    db.session.flush()
    assert _row(db, note).weighted_total == Decimal("73.75")
    assert services.scores_view(user(SECRETARIAT), note)["results"]["weighted_total"] == "73.75"


def test_reopening_scoring_drops_the_frozen_summary(db):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("defer"))
    assert _row(db, note) is not None
    services.open_review(user(SECRETARIAT), note)  # deferred → under review again: members may revise
    assert _row(db, note) is None
    services.close_review(user(CHAIR), note)
    assert _row(db, note).weighted_total == Decimal("73.75")


def test_a_conflict_declared_after_closing_withdraws_the_scores_from_the_summary(db):
    note = note_under_review()
    seats = voting_seats()
    score_all(note)
    member4 = next(s for s in seats if s.user.email == "member4@example.org")
    services.submit_scores(member4.user, note, {**SCORES, "RELEVANCE": 1})
    services.close_review(user(CHAIR), note)
    before = _row(db, note).weighted_total
    services.declare_conflict(member4.user, note, "My ministry co-funds it.")
    after = _row(db, note)
    assert after.members == 8
    assert after.weighted_total > before
    assert after.weighted_total == Decimal("73.75")


def test_members_revise_their_scores_while_the_review_is_open(db):
    """Revising replaces each line in place (it used to insert before deleting: a unique-constraint 500)."""
    note = note_under_review()
    member = user("member4@example.org")
    services.submit_scores(member, note, SCORES)
    services.submit_scores(member, note, {**SCORES, "VALUE": 2})
    sheet = next(s for s in services.sheets_for(note) if s.seat.user_id == member.id)
    assert sheet.as_dict()["VALUE"] == 2
    assert len(sheet.lines) == len(SCORES)


def _migration():
    spec = importlib.util.spec_from_file_location("score_summaries_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_backfills_the_summaries_the_service_would_write(db):
    """The backfill (the migration's own code, on this engine) gives the very rows close_review writes."""
    endorsed_note(None, scores(4, 3))
    endorsed_note(None, SCORES, **undp_note_kwargs())
    open_note = note_under_review()
    score_all(open_note)
    written = {
        r.review_id: (r.concept_note_id, r.members, r.weighted_total, r.total_spread, r.criteria, r.member_totals)
        for r in db.session.scalars(sa.select(ReviewSummary))
    }
    assert len(written) == 2
    db.session.execute(sa.delete(ReviewSummary))
    _migration().backfill_summaries(db.session.connection())
    db.session.expire_all()
    backfilled = {
        r.review_id: (r.concept_note_id, r.members, r.weighted_total, r.total_spread, r.criteria, r.member_totals)
        for r in db.session.scalars(sa.select(ReviewSummary))
    }
    assert backfilled == written
    assert services.backfill_summaries() == 0


def test_the_service_backfill_stores_what_is_missing(db):
    note = reviewed_note()
    db.session.execute(sa.delete(ReviewSummary))
    assert services.backfill_summaries() == 1
    assert _row(db, note).weighted_total == Decimal("73.75")


@pytest.mark.parametrize(
    "email",
    [
        "secretariat@example.org",
        "chair@example.org",
        "member1@example.org",
        "member3@example.org",
        "member9@example.org",
        "donor@example.org",
        "applicant@example.org",
    ],
)
def test_sql_visibility_agrees_with_the_permission_predicate(db, email):
    endorsed_note(None, scores(4))
    endorsed_note(None, scores(3), **undp_note_kwargs())
    note_under_review()
    viewer = user(email)
    note_ids = list(db.session.scalars(sa.select(ConceptNote.id)))
    expected = services.visible_score_note_ids(viewer, note_ids)
    seen = services.score_visibility(viewer)
    in_sql = set(db.session.scalars(sa.select(ConceptNote.id).where(seen.visible)))
    assert in_sql == expected
