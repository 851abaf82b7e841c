"""Blind scoring, conflicts of interest, meetings, decisions, funding through the ledger, minutes and pages."""

import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from fundapp.committee import pipeline, services, workflow
from fundapp.committee.models import ItemKind, Outcome
from fundapp.committee.rules import MajorityBase, Threshold, Vote
from fundapp.committee.services import active_seats, seat_of, set_decision_settings
from fundapp.concept_notes import services as note_services
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core.errors import DomainError, NotAllowed, ValidationFailed
from fundapp.core.forms import new_submission_key
from fundapp.core.models import AuditEntry, StateEvent
from fundapp.demo.committee import seed_committee
from tests.committee.decision_helpers import (
    SCORES,
    funding_item,
    meeting_in_session,
    note_under_review,
    ready_note,
    reviewed_note,
    score_all,
    vote_all,
    voting_seats,
)
from tests.concept_notes.helpers import user
from tests.contributions import factories

CHAIR = "chair@example.org"
SECRETARIAT = "secretariat@example.org"


def _seat(email):
    return seat_of(user(email))


def _deposit(amount: str) -> None:
    """Unearmarked money in the pools: a US dollar deposit from a test donor (the 1% fee comes off)."""
    agreement = factories.agreement("PHL", currency="USD", amount="50000000.00")
    contributions.record_deposit(None, agreement, Decimal(amount), date(2026, 2, 1))


# Blind scoring ------------------------------------------------------------------------------------


def test_scores_invisible_to_others_before_the_review_closes(db, client, login):
    note = note_under_review()
    services.submit_scores(user("member1@example.org"), note, SCORES, "Secret opinion of member one")
    db.session.commit()
    for email in ("member4@example.org", CHAIR, SECRETARIAT):
        login(email)
        data = client.get(f"/committee/notes/{note.id}/scores.json").get_json()
        assert "results" not in data, email
        assert data.get("my_scores") is None
        page = client.get(f"/committee/notes/{note.id}").get_data(as_text=True)
        assert "Secret opinion of member one" not in page, email
    login("member1@example.org")
    mine = client.get(f"/committee/notes/{note.id}/scores.json").get_json()
    assert mine["my_scores"] == SCORES
    assert "results" not in mine


def test_scores_visible_after_the_chair_closes_the_review(db, client, login):
    note = note_under_review()
    scored = score_all(note)
    services.close_review(user(CHAIR), note)
    db.session.commit()
    login("member4@example.org")
    data = client.get(f"/committee/notes/{note.id}/scores.json").get_json()
    assert data["results"]["members"] == len(scored)
    assert data["results"]["weighted_total"] == "73.75"  # 18.75+18.75+10+15+11.25
    assert len(data["results"]["members_scores"]) == len(scored)
    page = client.get(f"/committee/notes/{note.id}").get_data(as_text=True)
    assert "Comment from" in page


def test_only_the_chair_closes_a_review(db):
    note = note_under_review()
    score_all(note)
    with pytest.raises(NotAllowed):
        services.close_review(user("member1@example.org"), note)


def test_scores_refused_outside_one_to_five(db):
    note = note_under_review()
    with pytest.raises(DomainError):
        services.submit_scores(user("member1@example.org"), note, {**SCORES, "VALUE": 6})


def test_scores_refused_after_the_review_closes(db):
    note = note_under_review()
    score_all(note)
    services.close_review(user(CHAIR), note)
    with pytest.raises(DomainError, match="closed"):
        services.submit_scores(user("member1@example.org"), note, SCORES)


def test_open_review_moves_the_note_under_review_through_the_machine(db):
    note = note_under_review()
    assert note.status == workflow.UNDER_REVIEW
    event = db.session.scalar(
        sa.select(StateEvent)
        .where(StateEvent.object_id == note.id, StateEvent.machine == "concept_note")
        .order_by(StateEvent.id.desc())
    )
    assert (event.from_state, event.to_state) == ("eligible", "under_review")


# Conflicts of interest ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("member2@example.org", "participating organization (lead)"),  # UNICEF leads
        ("member3@example.org", "participating organization (partner)"),  # ILO is the partner
        ("member9@example.org", "Bangladesh"),  # the seat of Bangladesh, a country the note covers
    ],
)
def test_recusal_is_automatic(db, email, why):
    note = note_under_review()
    conflict = services.conflict_of(note, _seat(email))
    assert conflict is not None
    assert conflict.kind == services.AUTOMATIC
    assert why in conflict.reason


def test_recusal_not_applied_to_unrelated_members(db):
    note = note_under_review()
    for email in ("member1@example.org", "member4@example.org", "member7@example.org", CHAIR):
        assert services.conflict_of(note, _seat(email)) is None, email


def test_declared_conflict_recuses_and_withdraws_scores(db):
    note = note_under_review()
    member = user("member4@example.org")
    services.submit_scores(member, note, SCORES)
    services.declare_conflict(member, note, "Our ministry co-finances this programme.")
    conflict = services.conflict_of(note, _seat("member4@example.org"))
    assert conflict.kind == services.DECLARED
    assert "co-finances" in conflict.reason
    assert all(s.seat_id != _seat("member4@example.org").id for s in services.sheets_for(note))


def test_recused_member_cannot_see_scores_after_closing(db, client, login):
    note = reviewed_note()
    db.session.commit()
    login("member2@example.org")  # UNICEF leads the note
    data = client.get(f"/committee/notes/{note.id}/scores.json").get_json()
    assert data["recused"] is True
    assert "results" not in data


def test_forged_score_from_recused_member_refused(db, client, login):
    note = note_under_review()
    db.session.commit()
    login("member3@example.org")  # ILO, a partner
    form = {f"score_{k}": str(v) for k, v in SCORES.items()}
    response = client.post(f"/committee/notes/{note.id}/score", data=form)
    assert response.status_code == 403
    assert services.sheets_for(note) == []


def test_forged_vote_from_recused_member_refused(db, client, login):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    db.session.commit()
    login("member2@example.org")
    response = client.post(f"/committee/items/{item.id}/vote", data={"vote": "approve"})
    assert response.status_code == 403
    assert item.votes == []
    with pytest.raises(NotAllowed):
        services.cast_vote(user("member9@example.org"), item, Vote.approve)


def test_chair_sees_who_is_recused_and_why(db, client, login):
    note = note_under_review()
    services.declare_conflict(user("member5@example.org"), note, "Former employer of the lead.")
    db.session.commit()
    login(CHAIR)
    page = client.get(f"/committee/notes/{note.id}").get_data(as_text=True)
    assert "Former employer of the lead." in page
    assert "participating organization (lead)" in page


# Quorum and decision rules through the meeting service -------------------------------------------

# (absent members, chair present, objections, abstentions, rule, outcome, refused message or None)
DECISION_TABLE = [
    (0, True, 0, 0, "consensus", "endorse", None),
    (0, True, 1, 0, "consensus", "endorse", "Blocked"),
    (0, True, 1, 0, "consensus", "reject", None),
    (0, True, 0, 0, "consensus", "reject", "cannot be a rejection"),
    (0, True, 0, 2, "consensus", "endorse", None),
    (0, False, 0, 0, "consensus", "endorse", "the chair absent"),
    (6, True, 0, 0, "consensus", "endorse", "No quorum"),
    (6, True, 0, 0, "consensus", "defer", "No quorum"),
    (5, True, 0, 0, "consensus", "defer", None),
    (5, True, 0, 0, "consensus", "endorse", None),
    (0, True, 2, 0, "majority", "endorse", None),
    (0, True, 4, 0, "majority", "endorse", None),
    (0, True, 5, 0, "majority", "endorse", "Not passed"),
    (0, True, 5, 0, "majority", "reject", None),
    (0, True, 4, 0, "majority", "reject", "cannot be a rejection"),
]


@pytest.mark.parametrize(("absent", "chair", "objections", "abstentions", "rule", "outcome", "refused"), DECISION_TABLE)
def test_decision_rules_through_the_meeting_service(db, absent, chair, objections, abstentions, rule, outcome, refused):
    note = reviewed_note()
    set_decision_settings(None, rule, Threshold(1, 2, True), True, Threshold(1, 2, True), MajorityBase.votes_cast)
    seats = active_seats()
    chair_seat = _seat(CHAIR)
    # Absent: members 4, 5, 6, 7, 8, 10 (never recused on this note) in that order.
    absentees = {_seat(f"member{n}@example.org").id for n in (4, 5, 6, 7, 8, 10)[:absent]}
    present = [s for s in seats if s.id not in absentees and (chair or s.id != chair_seat.id)]
    meeting = meeting_in_session(present=present)
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    recused = services.recused_seats(item)
    eligible = [s for s in voting_seats() if s.id in {p.id for p in present} and s.id not in recused]
    if outcome != "defer":
        for i, seat in enumerate(eligible):
            vote = Vote.object if i < objections else (Vote.abstain if i < objections + abstentions else Vote.approve)
            services.cast_vote(seat.user, item, vote)
    decide = lambda: services.record_decision(user(CHAIR), item, services.DecisionInput(outcome, shared_comment="Why."))  # noqa: E731
    if refused:
        with pytest.raises(DomainError, match=refused):
            decide()
        assert item.status == workflow.PENDING
        assert note.status == workflow.UNDER_REVIEW
    else:
        decide()
        assert item.status == workflow.DECIDED
        expected = {"endorse": "endorsed", "reject": "rejected", "defer": "deferred"}[outcome]
        assert note.status == expected


def test_decision_refused_while_votes_are_missing(db):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    services.cast_vote(user("member1@example.org"), item, Vote.approve)
    with pytest.raises(DomainError, match="Votes missing"):
        services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))


def test_vote_refused_from_absent_member(db):
    note = reviewed_note()
    present = [s for s in active_seats() if s.user.email != "member4@example.org"]
    meeting = meeting_in_session(present=present)
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    with pytest.raises(NotAllowed, match="not recorded as present"):
        services.cast_vote(user("member4@example.org"), item, Vote.approve)


def test_only_the_chair_records_decisions(db):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    vote_all(item)
    with pytest.raises(NotAllowed):
        services.record_decision(user("member1@example.org"), item, services.DecisionInput("endorse"))


def test_return_for_revision_needs_a_reason_and_reaches_the_applicant(db, client, login):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    with pytest.raises(DomainError, match="reason"):
        services.record_decision(user(CHAIR), item, services.DecisionInput("return"))
    services.record_decision(
        user(CHAIR), item, services.DecisionInput("return", rationale="Internal.", shared_comment="Clarify the budget.")
    )
    assert note.status == "returned"
    db.session.commit()
    login("applicant2@example.org")
    page = client.get(f"/concept-notes/{note.id}").get_data(as_text=True)
    assert "Clarify the budget." in page
    assert "Internal." not in page
    assert "Comment from" not in page


# Funding through the ledger -----------------------------------------------------------------------


def test_funding_decision_allocates_through_the_ledger(db):
    _deposit("2000000.00")
    note = ready_note()
    item = funding_item(note)
    vote_all(item)
    before = sum((p.available for p in ledger.pool_balances()), Decimal(0))
    services.record_decision(user(CHAIR), item, services.DecisionInput("approve_funding"))
    after = sum((p.available for p in ledger.pool_balances()), Decimal(0))
    assert note.status == workflow.FUNDED
    assert item.amount == note.budget_total == before - after
    assert pipeline.public_pipeline()["joint_programmes"] == {"funded": 1, "participating_un_organizations": 2}


def test_funding_decision_refused_beyond_the_pools(db):
    _deposit("500000.00")
    note = ready_note()
    item = funding_item(note)
    vote_all(item)
    with pytest.raises(ledger.InsufficientFunds):
        services.record_decision(user(CHAIR), item, services.DecisionInput("approve_funding"))
    assert all(p.available >= 0 for p in ledger.pool_balances())


def test_funding_needs_ready_note_on_the_agenda(db):
    note = reviewed_note()
    with pytest.raises(DomainError, match="ready for implementation"):
        services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.funding, note)


# Minutes and pack ---------------------------------------------------------------------------------


def test_minutes_pdf_contains_the_decision(db, client, login):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("endorse", rationale="Strong joint design."))
    services.close_meeting(user(CHAIR), meeting)
    db.session.commit()
    login(SECRETARIAT)
    response = client.get(f"/committee/meetings/{meeting.id}/minutes.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Endorsed into the pipeline" in text
    assert "Strong joint design." in text
    assert "Recused" in text
    assert "Quorum" in text
    pack = client.get(f"/committee/meetings/{meeting.id}/pack.pdf")
    pack_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.data)).pages)
    assert note.reference in pack_text
    assert "73.75" in pack_text


# Pages: bounded queries ---------------------------------------------------------------------------


def _count(queries, client, url):
    with queries() as q:
        assert client.get(url).status_code == 200
    return len(q)


def _endorse_one(meeting):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput(Outcome.endorse))
    note_under_review()


def test_pipeline_queue_and_meeting_pages_run_bounded_queries(db, client, login, queries):
    meeting = meeting_in_session()
    _endorse_one(meeting)
    db.session.commit()
    login(CHAIR)
    urls = ["/committee/pipeline", "/committee/scoring", f"/committee/meetings/{meeting.id}"]
    small = {url: _count(queries, client, url) for url in urls}
    for _ in range(3):
        _endorse_one(meeting)
    db.session.commit()
    large = {url: _count(queries, client, url) for url in urls}
    assert large == small, (small, large)


def test_summary_counts_identified_ready_and_funded(db, client):
    _deposit("3000000.00")
    funded = ready_note()
    item = funding_item(funded)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("approve_funding"))
    ready_note()
    db.session.commit()
    data = client.get("/api/v1/summary").get_json()
    assert data["pipeline"] == {"identified": 1, "ready_for_implementation": 1}
    assert data["joint_programmes"]["funded"] == 1
    ta4 = next(a for a in data["thematic_areas"] if a["code"] == "TA4")
    assert ta4["allocations_usd"] == f"{funded.budget_total:.2f}"


def test_meeting_date_roll_is_used(db):
    meeting = meeting_in_session(on=date(2026, 6, 10))
    assert len(services.meeting_roll(meeting).voting) == 12


def test_withdrawn_item_leaves_the_note_under_review(db):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    services.withdraw_item(user(SECRETARIAT), item, "Moved to the next meeting.")
    assert item.status == workflow.WITHDRAWN
    assert note.status == workflow.UNDER_REVIEW
    with pytest.raises(DomainError):
        services.cast_vote(user("member1@example.org"), item, Vote.approve)
    # It can go on another agenda.
    assert services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note).status == workflow.PENDING


def test_returned_and_resubmitted_note_is_scored_afresh(db):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    services.record_decision(user(CHAIR), item, services.DecisionInput("return", shared_comment="Revise the budget."))
    note_services.submit(user("applicant2@example.org"), note, on=date(2026, 3, 2))
    checks = [key for key, _label in note_services.MANUAL_CHECKS]
    note_services.screen(user(SECRETARIAT), note, "eligible", checks, "")
    services.open_review(user(SECRETARIAT), note)
    assert note.status == workflow.UNDER_REVIEW
    assert services.sheets_for(note) == []
    assert not services.review_of(note).is_closed


def test_deferred_note_keeps_its_scores_when_reviewed_again(db):
    note = reviewed_note()
    scored = len(services.sheets_for(note))
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    services.record_decision(user(CHAIR), item, services.DecisionInput("defer"))
    services.open_review(user(CHAIR), note)
    assert note.status == workflow.UNDER_REVIEW
    assert len(services.sheets_for(note)) == scored


def test_committee_home_shows_the_members_queue_and_upcoming_meetings(db, client, login):
    note = note_under_review()
    services.create_meeting(user(SECRETARIAT), "Spring meeting", date(2026, 4, 2))
    db.session.commit()
    login("member4@example.org")
    page = client.get("/committee").get_data(as_text=True)
    assert note.reference in page
    assert "Spring meeting" in page
    login("member2@example.org")  # UNICEF leads the note: recused, nothing to score
    assert note.reference not in client.get("/committee").get_data(as_text=True)


def test_programme_document_approval_makes_the_note_ready(db, client, login):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))
    db.session.commit()
    login(SECRETARIAT)
    form = {"summary": "Fair recruitment.", "starts_on": "2026-09-01", "ends_on": "2026-08-01", "approve": "1"}
    form |= {f"budget_{p.organisation_id}": "500000.00" for p in note.participants}
    page = client.post(f"/committee/notes/{note.id}/programme", data=form).get_data(as_text=True)
    assert "The programme ends after it starts." in page
    assert note.status == workflow.ENDORSED
    form["ends_on"] = "2028-08-31"
    assert client.post(f"/committee/notes/{note.id}/programme", data=form).status_code == 302
    assert note.status == workflow.READY
    assert services.programme_document(note).total == Decimal("1000000.00")


def test_meeting_page_and_pack_hide_scores_of_open_reviews(db, client, login):
    note = note_under_review()
    score_all(note)
    meeting = meeting_in_session()
    services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    db.session.commit()
    login(CHAIR)
    assert "score 73.75" not in client.get(f"/committee/meetings/{meeting.id}").get_data(as_text=True)
    pack = client.get(f"/committee/meetings/{meeting.id}/pack.pdf")
    assert "73.75" not in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pack.data)).pages)
    services.close_review(user(CHAIR), note)
    db.session.commit()
    assert "score 73.75" in client.get(f"/committee/meetings/{meeting.id}").get_data(as_text=True)
    login("member2@example.org")  # recused: UNICEF leads the note
    assert "score 73.75" not in client.get(f"/committee/meetings/{meeting.id}").get_data(as_text=True)


def test_pipeline_hides_scores_from_recused_members(db, client, login):
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))
    db.session.commit()
    login("member4@example.org")
    assert ">73.75<" in client.get("/committee/pipeline").get_data(as_text=True)
    login("member3@example.org")  # ILO is a partner
    page = client.get("/committee/pipeline").get_data(as_text=True)
    assert ">73.75<" not in page
    assert "recused" in page


def test_attendance_only_in_session_and_nobody_removed_after_a_decision(db):
    seed_committee()
    meeting = services.create_meeting(user(SECRETARIAT), "Planned", date(2026, 6, 10))
    everyone = [s.id for s in active_seats()]
    with pytest.raises(DomainError, match="in session"):
        services.record_attendance(user(CHAIR), meeting, everyone)
    services.open_meeting(user(CHAIR), meeting)
    services.record_attendance(user(CHAIR), meeting, everyone)
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.other, title="Annual report")
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("approve"))
    with pytest.raises(DomainError, match="no one can be removed"):
        services.record_attendance(user(CHAIR), meeting, everyone[1:])
    with pytest.raises(DomainError, match="decided"):
        services.cast_vote(user("member4@example.org"), item, Vote.object)


def test_decision_refused_outside_a_meeting_in_session(db):
    note = reviewed_note()
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, note)
    vote_all(item)
    services.close_meeting(user(CHAIR), meeting)
    with pytest.raises(DomainError, match="in session"):
        services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))
    assert "Quorum" in meeting.quorum_text


# One service call per request ---------------------------------------------------------------------


def _endorsed_note():
    note = reviewed_note()
    item = services.add_item(user(SECRETARIAT), meeting_in_session(), ItemKind.endorsement, note)
    vote_all(item)
    services.record_decision(user(CHAIR), item, services.DecisionInput("endorse"))
    return note


def test_programme_document_takes_amounts_as_typed_and_is_approved_in_the_same_call(db):
    note = _endorsed_note()
    budget = {p.organisation_id: "500,000.00" for p in note.participants}
    document = services.save_programme_document(
        user(SECRETARIAT), note, "Summary.", date(2026, 9, 1), date(2028, 8, 31), budget, approve=True
    )
    assert document.total == Decimal("1000000.00")
    assert document.approved_at is not None
    assert note.status == workflow.READY


def test_programme_document_reports_amounts_that_are_not_numbers_and_saves_nothing(db):
    note = _endorsed_note()
    lead, partner = (p.organisation_id for p in note.participants)
    budget = {lead: "lots", partner: "250000"}
    with pytest.raises(ValidationFailed) as refused:
        services.save_programme_document(
            user(SECRETARIAT), note, "Summary.", date(2026, 9, 1), date(2028, 8, 31), budget
        )
    assert refused.value.errors == {"budget": [f"{note.organisation.code}: not a number."]}
    assert services.programme_document(note) is None


def test_programme_document_page_saves_the_draft_and_approves_it_in_one_request(db, client, login):
    note = _endorsed_note()
    login(SECRETARIAT)
    form = {"summary": "Fair recruitment.", "starts_on": "2026-09-01", "ends_on": "2028-08-31", "approve": "1"}
    form |= {f"budget_{p.organisation_id}": "1,000.00" for p in note.participants}
    response = client.post(f"/committee/notes/{note.id}/programme", data=form, follow_redirects=True)
    assert "Joint programme document saved and approved" in response.get_data(as_text=True)
    assert note.status == workflow.READY
    assert services.programme_document(note).total == Decimal("2000.00")


def test_attendance_returns_the_quorum_it_makes(db):
    seed_committee()
    meeting = services.create_meeting(user(SECRETARIAT), "Quorum", date(2026, 6, 10))
    services.open_meeting(user(CHAIR), meeting)
    met, text = services.record_attendance(user(CHAIR), meeting, [_seat(CHAIR).id])
    assert not met
    assert text.startswith("No quorum: 1 of 12 voting seats present")


def test_absent_member_is_told_to_ask_the_chair_and_no_vote_is_recorded(db, client, login):
    note = reviewed_note()
    present = [s for s in active_seats() if s.user.email != "member4@example.org"]
    item = services.add_item(user(SECRETARIAT), meeting_in_session(present=present), ItemKind.endorsement, note)
    login("member4@example.org")
    response = client.post(f"/committee/items/{item.id}/vote", data={"vote": "approve"}, follow_redirects=True)
    assert "You are not recorded as present" in response.get_data(as_text=True)
    assert item.votes == []


def test_scenario_share_written_wrongly_is_shown_next_to_its_field(db, client, login):
    login(CHAIR)
    # Scenarios run on request (a POST), no longer on a page view.
    response = client.post("/committee/pipeline/scenario", data={"min_area": "TA1=ten"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Write each share as NAME=percent, e.g. TA1=10 (&#39;TA1=ten&#39;)" in page
    assert "Scenario lines" not in page


# Votes and decisions sent twice -----------------------------------------------------------------------------


def test_a_vote_sent_twice_with_its_key_is_counted_once_and_the_same_vote_again_is_refused(db, client, login):
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, "other", title="Any other business")
    login("member1@example.org")
    data = {"vote": "approve", "submission_key": new_submission_key()}
    assert client.post(f"/committee/items/{item.id}/vote", data=data).status_code == 302
    repeat = client.post(f"/committee/items/{item.id}/vote", data=data, follow_redirects=True)
    assert "This form was already sent and recorded" in repeat.get_data(as_text=True)
    again = client.post(f"/committee/items/{item.id}/vote", data={"vote": "approve"}, follow_redirects=True)
    assert again.status_code == 200
    assert "Your vote (approve) on this item is already recorded." in again.get_data(as_text=True)
    changed = client.post(f"/committee/items/{item.id}/vote", data={"vote": "object"}, follow_redirects=True)
    assert "Your vote is recorded." in changed.get_data(as_text=True)
    assert [(v.seat.user.email, v.vote) for v in item.votes] == [("member1@example.org", Vote.object)]
    votes = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "committee.vote", AuditEntry.object_id == str(item.id))
    )
    assert votes == 2  # approve, then object: the repeats left no trace


def test_the_decision_form_sent_twice_records_one_decision(db, client, login):
    meeting = meeting_in_session()
    item = services.add_item(user(SECRETARIAT), meeting, "other", title="Any other business")
    vote_all(item)
    login(CHAIR)
    data = {f"item{item.id}-outcome": "approve", f"item{item.id}-submission_key": new_submission_key()}
    assert client.post(f"/committee/items/{item.id}/decide", data=data).status_code == 302
    repeat = client.post(f"/committee/items/{item.id}/decide", data=data, follow_redirects=True)
    body = repeat.get_data(as_text=True)
    assert "This form was already sent and recorded" in body
    assert "already been decided" not in body
    decisions = db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "committee.decision", AuditEntry.object_id == str(item.id)
        )
    )
    assert decisions == 1
