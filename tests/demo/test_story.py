"""The demo fund as it stood on 30 November 2021: the report's figures, and every event in a possible order.

Read as a story: a call opens, notes are submitted, screened, scored and decided in a meeting; the programme
is funded, starts after its funding, receives its transfers, spends within its dates, reports on periods after
its start and is assessed after its approval; nothing happens after the demo's last day, and every timestamp
(audit log, state events, timelines) is the event's historical date.
"""

from collections import defaultdict
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from fundapp.committee.models import AgendaItem, ItemKind, JointProgrammeDocument, Meeting, Review, ScoreSheet
from fundapp.concept_notes.models import Call, ConceptNote, ConceptNoteVersion, Screening
from fundapp.concept_notes.workflow import CONCEPT_NOTE
from fundapp.contributions import ledger
from fundapp.contributions.models import Agreement, Deposit, EntryKind, LedgerEntry
from fundapp.core.models import AuditEntry, StateEvent
from fundapp.demo.concept_notes import GLOBAL_PLACE, PLACES
from fundapp.demo.story import DEMO_TODAY
from fundapp.programmes import reporting, services
from fundapp.programmes.models import (
    APPROVAL_OCCASION,
    AlignmentAssessment,
    ExpenditureReport,
    JointProgramme,
    ProgressReport,
)
from fundapp.programmes.workflow import PIPELINE, PROGRESS_REPORT, REPORT_APPROVED
from fundapp.reference.models import Country

END_OF_STORY = datetime.combine(DEMO_TODAY, time.max)


def funded(db) -> list[JointProgramme]:
    return list(db.session.scalars(sa.select(JointProgramme).where(JointProgramme.status != PIPELINE)))


def test_the_secretary_generals_figures_come_out_exactly(client):
    summary = client.get("/api/v1/summary").json
    assert summary["concept_notes"]["submitted"] == 113
    assert summary["pipeline"] == {"identified": 34, "ready_for_implementation": 10}
    assert summary["joint_programmes"] == {"funded": 12, "participating_un_organizations": 12}
    assert summary["donors"]["count"] == 12
    assert summary["contributions"]["deposits_usd"] == "30000000.00"
    assert summary["fund"]["capitalization_target_usd"] == "70000000.00"


def test_every_programme_is_funded_then_starts_then_receives_its_first_transfer(db):
    programmes = funded(db)
    assert len(programmes) == 12
    for programme in programmes:
        decision = db.session.scalar(
            sa.select(Meeting.held_on)
            .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(
                AgendaItem.concept_note_id == programme.document.concept_note_id, AgendaItem.kind == ItemKind.funding
            )
        )
        allocated = db.session.scalar(
            sa.select(sa.func.min(LedgerEntry.entry_on)).where(
                LedgerEntry.programme_id == programme.id, LedgerEntry.category == EntryKind.allocation
            )
        )
        first_transfer = db.session.scalar(
            sa.select(sa.func.min(LedgerEntry.entry_on)).where(
                LedgerEntry.programme_id == programme.id, LedgerEntry.category == EntryKind.transfer
            )
        )
        starts_on = programme.document.starts_on
        assert decision == allocated == programme.approved_on, programme.reference
        assert programme.approved_on <= starts_on <= first_transfer <= DEMO_TODAY, programme.reference
        assert programme.document.approved_at.date() < programme.approved_on, programme.reference
        assert programme.status == "active"


def test_money_moves_within_each_programmes_dates_and_through_2020_and_2021(db):
    years = set()
    for programme in funded(db):
        starts_on, ends_on = programme.document.starts_on, programme.document.ends_on
        rows = db.session.scalars(
            sa.select(LedgerEntry).where(
                LedgerEntry.programme_id == programme.id,
                LedgerEntry.category.in_([EntryKind.transfer, EntryKind.expenditure]),
            )
        ).all()
        assert rows, programme.reference
        for row in rows:
            assert starts_on <= row.entry_on <= min(ends_on, DEMO_TODAY), (programme.reference, row.entry_on)
            years.add((row.category, row.entry_on.year))
        for report in db.session.scalars(
            sa.select(ExpenditureReport).where(ExpenditureReport.programme_id == programme.id)
        ):
            assert starts_on <= report.reported_on <= DEMO_TODAY
            assert starts_on.year <= report.year <= report.reported_on.year
    assert {(EntryKind.transfer, 2020), (EntryKind.transfer, 2021)} <= years
    assert {(EntryKind.expenditure, 2020), (EntryKind.expenditure, 2021)} <= years
    # Expenditure is not all on one day (it used to be 31 December 2021).
    days = db.session.scalars(
        sa.select(sa.distinct(LedgerEntry.entry_on)).where(LedgerEntry.category == EntryKind.expenditure)
    ).all()
    assert len(days) >= 6


def test_reports_cover_periods_after_the_start_and_follow_them(db):
    for programme in funded(db):
        for report in reporting.reports(programme.id):
            year, month = (int(x) for x in (report.period[:4], 6 if report.period.endswith("H1") else 12))
            period_end = date(year, month, 30 if month == 6 else 31)
            assert period_end >= programme.document.starts_on, (programme.reference, report.period)
            assert programme.approved_on < report.created_at.date()
            submissions = [e.created_at.date() for e in PROGRESS_REPORT.timeline(report.id) if e.action == "submit"]
            assert submissions[-1] == report.submitted_on
            assert period_end < submissions[0] <= report.due_on, (programme.reference, report.period)
            if report.status == REPORT_APPROVED:
                assert report.submitted_on <= report.approved_on <= DEMO_TODAY
        assert not reporting.overdue_counts([programme.id], DEMO_TODAY)


def test_assessments_follow_the_approval_and_the_annual_reports_they_assess(db):
    programmes = funded(db)
    for programme in programmes:
        rows = db.session.scalars(
            sa.select(AlignmentAssessment).where(AlignmentAssessment.programme_id == programme.id)
        ).all()
        assert any(r.occasion == APPROVAL_OCCASION for r in rows), programme.reference
        for row in rows:
            assert programme.approved_on <= row.assessed_on <= DEMO_TODAY, (programme.reference, row.occasion)
            if row.occasion != APPROVAL_OCCASION:
                report = db.session.scalar(
                    sa.select(ProgressReport).where(
                        ProgressReport.programme_id == programme.id, ProgressReport.period == row.occasion
                    )
                )
                assert report.approved_on <= row.assessed_on
    latest = reporting.latest_alignment([p.id for p in programmes])
    assert all(a.assessment.assessed_on >= p.approved_on for p in programmes if (a := latest.get(p.id)))


def test_each_note_goes_from_its_call_to_its_decision_in_order(db):
    calls = {c.id: c for c in db.session.scalars(sa.select(Call))}
    for note in db.session.scalars(sa.select(ConceptNote).where(ConceptNote.version_count > 0)):
        call = calls[note.call_id]
        created = note.created_at.date()
        assert call.opens_on <= created <= note.first_submitted_on <= note.last_submitted_on <= DEMO_TODAY
        assert call.created_at.date() < call.opens_on
        for screening in db.session.scalars(sa.select(Screening).where(Screening.concept_note_id == note.id)):
            assert note.first_submitted_on <= screening.screened_at.date() <= DEMO_TODAY
        review = db.session.scalar(sa.select(Review).where(Review.concept_note_id == note.id))
        if review is None:
            continue
        eligible = db.session.scalar(
            sa.select(sa.func.max(Screening.screened_at)).where(Screening.concept_note_id == note.id)
        )
        assert eligible < review.opened_at
        for sheet in db.session.scalars(sa.select(ScoreSheet).where(ScoreSheet.concept_note_id == note.id)):
            assert review.opened_at < sheet.scored_at < review.closed_at
        held_on = db.session.scalar(
            sa.select(Meeting.held_on)
            .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(AgendaItem.concept_note_id == note.id, AgendaItem.kind == ItemKind.endorsement)
        )
        assert review.closed_at.date() < held_on
        document = db.session.scalar(
            sa.select(JointProgrammeDocument).where(JointProgrammeDocument.concept_note_id == note.id)
        )
        if document is not None:
            assert held_on < document.approved_at.date() <= DEMO_TODAY


def test_state_events_and_audit_rows_carry_their_historical_dates_in_order(db, demo_fund):
    events = db.session.scalars(
        sa.select(StateEvent).where(StateEvent.id > demo_fund.events_before).order_by(StateEvent.id)
    ).all()
    audit = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.id > demo_fund.audit_before).order_by(AuditEntry.id)
    ).all()
    for rows in (events, audit):
        stamps = [r.created_at for r in rows]
        assert stamps == sorted(stamps)
        assert datetime(2019, 5, 1) < stamps[0]
        assert stamps[-1] <= END_OF_STORY
    # Each submission's state event is on the day the note was submitted; each deposit's audit row on its day.
    submitted = {(v.concept_note_id, v.submitted_on) for v in db.session.scalars(sa.select(ConceptNoteVersion))}
    submissions = {
        (e.object_id, e.created_at.date())
        for e in events
        if e.machine == CONCEPT_NOTE.name and e.action in ("submit", "resubmit")
    }
    assert submissions == submitted
    deposits = {str(d.id): d.deposited_on for d in db.session.scalars(sa.select(Deposit))}
    recorded = {a.object_id: a.created_at.date() for a in audit if a.action == "deposit.recorded"}
    assert recorded == deposits
    assert {a.signed_on for a in db.session.scalars(sa.select(Agreement))} <= {
        a.created_at.date() for a in audit if a.action.startswith("agreement")
    }


def test_nothing_happens_after_the_demos_last_day(db):
    columns = [
        LedgerEntry.entry_on,
        Deposit.deposited_on,
        ConceptNote.last_submitted_on,
        Meeting.held_on,
        ProgressReport.submitted_on,
        ProgressReport.approved_on,
        AlignmentAssessment.assessed_on,
        ExpenditureReport.reported_on,
    ]
    for column in columns:
        assert db.session.scalar(sa.select(sa.func.max(column))) <= DEMO_TODAY, column
    for column in (AuditEntry.created_at, StateEvent.created_at, ScoreSheet.scored_at):
        latest = db.session.scalar(sa.select(sa.func.max(column)).where(column < datetime(2026, 1, 1)))
        assert latest <= END_OF_STORY


def test_the_pools_never_go_below_zero_on_any_day(db):
    days = db.session.scalars(sa.select(sa.distinct(LedgerEntry.entry_on)).order_by(LedgerEntry.entry_on)).all()
    for day in days:
        assert all(pool.available >= 0 for pool in ledger.pool_balances(day)), day


def test_second_tranches_leave_when_their_condition_is_met_and_wait_otherwise(db):
    released, waiting = 0, 0
    for programme in funded(db):
        for tranche in programme.tranches:
            if tranche.is_released:
                assert tranche.planned_on <= tranche.released_on <= DEMO_TODAY
                assert not tranche.override_justification
                released += 1
            else:
                assert tranche.planned_on > DEMO_TODAY or services.release_blockers(tranche, DEMO_TODAY)
                waiting += 1
    assert released > 12
    assert waiting > 0


def test_titles_name_the_place_the_note_covers(db):
    names = {c.code: c for c in db.session.scalars(sa.select(Country))}
    places = {name: code for region in PLACES.values() for name, (code, _countries) in region.items()}
    for note in db.session.scalars(sa.select(ConceptNote).where(ConceptNote.version_count > 0)):
        codes = [c.code for c in note.countries]
        if note.scope.value == "global":
            assert not codes
            assert GLOBAL_PLACE in note.title
            continue
        if note.scope.value == "national":
            assert names[codes[0]].name in note.title, note.title
            continue
        place = next(name for name in places if name in note.title)
        area = places[place]
        for code in codes:
            country = names[code]
            assert area in (country.region_code, country.sub_region_code, country.intermediate_region_code), (
                note.title,
                code,
            )


@pytest.mark.parametrize("path", ["/api/v1/summary", "/transparency/"])
def test_demo_pages_answer(client, path):
    assert client.get(path).status_code == 200


def test_funded_programmes_per_meeting_and_region(db):
    meetings = defaultdict(int)
    for programme in funded(db):
        meetings[programme.approved_on] += 1
    assert sorted(meetings.values()) == [3, 3, 3, 3]
    assert min(meetings) < date(2021, 1, 1)
