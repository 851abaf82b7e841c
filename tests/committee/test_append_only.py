"""Votes and decisions in the database (issue 11, item 7): a vote may change while its item is pending (the app's
rule), and is frozen once the chair decides; a decided item is never changed or deleted, whoever asks."""

import pytest
import sqlalchemy as sa

from fundapp.committee import services
from fundapp.committee.models import AgendaItem, ItemKind, VoteRecord
from fundapp.committee.rules import Vote
from tests.committee.decision_helpers import meeting_in_session, reviewed_note, vote_all, voting_seats
from tests.concept_notes.helpers import user

#: The triggers' messages (the only IntegrityErrors these statements could raise otherwise are unique ones).
FROZEN = "a vote is frozen once its agenda item is decided|votes are never deleted|decided or withdrawn item is never"


def _decided_item(db):
    note = reviewed_note()
    meeting = meeting_in_session(title="Endorsement meeting")
    item = services.add_item(user("secretariat@example.org"), meeting, ItemKind.endorsement, note)
    recused = services.recused_seats(item)
    seat = next(s for s in voting_seats() if s.id not in recused)
    services.cast_vote(seat.user, item, Vote.object)
    vote_all(item)  # every member approves: this one changes their vote while the item is pending
    changed = db.session.scalar(
        sa.select(VoteRecord).where(VoteRecord.item_id == item.id, VoteRecord.seat_id == seat.id)
    )
    assert changed.vote is Vote.approve
    services.record_decision(user("chair@example.org"), item, services.DecisionInput(outcome="endorse"))
    return item


def _execute(db, sql: str, **params) -> None:
    with pytest.raises(sa.exc.IntegrityError, match=FROZEN), db.session.begin_nested():
        db.session.execute(sa.text(sql), params)


def test_votes_are_frozen_once_the_item_is_decided(db):
    item = _decided_item(db)
    vote_id = db.session.scalar(sa.select(VoteRecord.id).where(VoteRecord.item_id == item.id).limit(1))
    _execute(db, "UPDATE committee_votes SET vote = 'object' WHERE id = :id", id=vote_id)
    _execute(db, "DELETE FROM committee_votes WHERE id = :id", id=vote_id)
    with pytest.raises(sa.exc.IntegrityError, match=FROZEN), db.session.begin_nested():
        db.session.execute(sa.update(VoteRecord).where(VoteRecord.item_id == item.id).values(rationale="changed"))


def test_a_decision_is_never_changed_or_deleted(db):
    item = _decided_item(db)
    _execute(db, "UPDATE committee_agenda_items SET outcome = 'reject' WHERE id = :id", id=item.id)
    _execute(db, "UPDATE committee_agenda_items SET rationale = 'rewritten' WHERE id = :id", id=item.id)
    _execute(db, "DELETE FROM committee_agenda_items WHERE id = :id", id=item.id)
    assert db.session.get(AgendaItem, item.id).outcome.value == "endorse"


def test_a_pending_vote_never_moves_to_another_seat_and_is_never_deleted(db):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user("secretariat@example.org"), meeting, ItemKind.endorsement, note)
    vote_all(item)
    vote = db.session.scalar(sa.select(VoteRecord).where(VoteRecord.item_id == item.id).limit(1))
    other = next(s for s in voting_seats() if s.id != vote.seat_id)
    _execute(db, "UPDATE committee_votes SET seat_id = :seat WHERE id = :id", id=vote.id, seat=other.id)
    _execute(db, "DELETE FROM committee_votes WHERE id = :id", id=vote.id)
    # A pending item can still be withdrawn: the one update a non-decided item gets besides its decision.
    services.withdraw_item(user("secretariat@example.org"), item, "Not ready")
    assert item.status == "withdrawn"
    _execute(db, "UPDATE committee_agenda_items SET status = 'pending' WHERE id = :id", id=item.id)
