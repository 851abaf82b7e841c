"""A small fund in which every role's inbox has something, built through the services (the session database holds
accounts only), as of ON. Each record says in its name which inbox it belongs in; `World` keeps them.

- notes: two submitted (UNDP older, UNICEF newer) for screening; UNDP drafts under a call closing soon and a
  rolling call; a UNICEF draft; a UNDP note returned for revision; a UNDP note found eligible (in no inbox);
- committee: a UNICEF-led note (ILO partner, Nepal and Bangladesh) under review, its scores due yesterday, scored by
  member5 only; a note endorsed at a closed meeting (its programme document not started); a planned meeting
  with the reviewed note on its agenda;
- programmes: JP1 (UNICEF, ILO) with no report for January–June 2026 (overdue), a tranche ready and late, and a
  tranche blocked by that report; JP2 (UNDP, ILO) whose report is submitted; JP3 (IOM, ILO) whose report was
  approved ten days ago;
- discussions: the secretariat's clarification question on the older UNDP note (UNDP's inbox) and on JP1 (UNICEF's
  and ILO's), a question on the UNICEF note that UNICEF answered (in no inbox), a plain message (in no inbox);
- contributions: a Germany agreement in EUR scheduled 400,000 (31 Mar), 300,000 (30 Jun) and 300,000 (31 Oct)
  2026, with 500,000 deposited: 200,000 of the June line overdue, the October line due; a Netherlands agreement
  paid in full.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from fundapp.committee import services as committee
from fundapp.committee.models import ItemKind, Meeting
from fundapp.concept_notes import services as note_services
from fundapp.concept_notes.models import Call, ConceptNote, NoteMessage
from fundapp.contributions import services as contributions
from fundapp.contributions.models import Agreement
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.programmes import reporting
from fundapp.programmes import services as programme_services
from fundapp.programmes.models import JointProgramme, ProgrammeMessage, ProgressReport, Tranche
from tests.committee.decision_helpers import (
    SCORES,
    eligible_note,
    meeting_in_session,
    note_under_review,
    score_all,
    vote_all,
)
from tests.concept_notes.helpers import make_call, make_note, org, user
from tests.contributions import factories
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import with_framework

ON = date(2026, 8, 15)
CHECKS = [key for key, _label in note_services.MANUAL_CHECKS]


@dataclass
class World:
    call_soon: Call
    undp_submitted: ConceptNote
    unicef_submitted: ConceptNote
    undp_draft_soon: ConceptNote
    undp_draft_rolling: ConceptNote
    unicef_draft: ConceptNote
    undp_returned: ConceptNote
    undp_eligible: ConceptNote
    under_review: ConceptNote
    endorsed: ConceptNote
    meeting: Meeting
    jp1: JointProgramme
    jp2: JointProgramme
    jp3: JointProgramme
    jp2_report: ProgressReport
    jp3_report: ProgressReport
    tranche_ready: Tranche
    tranche_blocked: Tranche
    tranche_released: Tranche
    deu: Agreement
    nld: Agreement
    undp_question: NoteMessage
    jp1_question: ProgrammeMessage


def _report(programme: JointProgramme, email: str, indicators: list, submit_on: date) -> ProgressReport:
    people, policy = indicators
    report = reporting.start_report(user(email), programme, "2026-H1")
    values = {people.id: ("120", {"sex": {"female": "70", "male": "50"}}), policy.id: ("1", {})}
    refused = reporting.update_report(user(email), report, "Progress.", "", values, submit_on=submit_on)
    assert refused is None, refused
    return report


def _notes() -> dict:
    call = make_call()
    soon = make_call(title="Call closing soon", closes_on=date(2026, 9, 30))
    rolling = make_call(title="Rolling call", closes_on=None, is_rolling=True)
    undp_submitted = make_note("UNDP", "applicant@example.org", call, submit=True, attach=True, title="Older UNDP note")
    unicef_submitted = make_note(
        "UNICEF", "applicant2@example.org", call, submit=True, attach=True, title="Newer UNICEF note"
    )
    undp_submitted.last_submitted_on = date(2026, 3, 1)
    unicef_submitted.last_submitted_on = date(2026, 4, 1)
    returned = make_note("UNDP", "applicant@example.org", call, submit=True, attach=True, title="Returned UNDP note")
    note_services.screen(user(SECRETARIAT), returned, "returned", CHECKS, "Please add the ministry's letter.")
    eligible = make_note("UNDP", "applicant@example.org", call, submit=True, attach=True, title="Eligible UNDP note")
    note_services.screen(user(SECRETARIAT), eligible, "eligible", CHECKS, "")
    db.session.flush()
    return {
        "call_soon": soon,
        "undp_submitted": undp_submitted,
        "unicef_submitted": unicef_submitted,
        "undp_draft_soon": make_note("UNDP", "applicant@example.org", soon, title="UNDP draft, call closing"),
        "undp_draft_rolling": make_note("UNDP", "applicant@example.org", rolling, title="UNDP draft, rolling call"),
        "unicef_draft": make_note("UNICEF", "applicant2@example.org", call, title="UNICEF draft"),
        "undp_returned": returned,
        "undp_eligible": eligible,
    }


def _committee() -> dict:
    under_review = note_under_review(title="Note under review")
    review = committee.review_of(under_review)
    review.closes_on = ON - timedelta(days=1)  # time has passed since the review opened
    committee.submit_scores(user("member5@example.org"), under_review, dict(SCORES))
    # A note endorsed at a meeting that is closed since; its programme document is not started.
    endorsed = eligible_note(title="Endorsed note")
    committee.open_review(user(SECRETARIAT), endorsed)
    score_all(endorsed)
    committee.close_review(user("chair@example.org"), endorsed)
    past = meeting_in_session(title="Endorsement meeting", on=date(2026, 6, 10))
    item = committee.add_item(user(SECRETARIAT), past, ItemKind.endorsement, endorsed)
    vote_all(item)
    committee.record_decision(user("chair@example.org"), item, committee.DecisionInput(outcome="endorse"))
    committee.close_meeting(user("chair@example.org"), past)
    meeting = committee.create_meeting(user(SECRETARIAT), "September meeting", date(2026, 9, 10), "Geneva")
    committee.add_item(user(SECRETARIAT), meeting, ItemKind.endorsement, under_review)
    return {"under_review": under_review, "endorsed": endorsed, "meeting": meeting}


def _programmes() -> dict:
    jp1 = make_programme(budget={"UNICEF": "535000.00", "ILO": "214000.00"})
    jp2, jp2_indicators = with_framework(
        make_programme(budget={"UNDP": "400000.00", "ILO": "100000.00"}, lead="UNDP", email="applicant@example.org")
    )
    jp3, jp3_indicators = with_framework(
        make_programme(budget={"IOM": "300000.00", "ILO": "100000.00"}, lead="IOM", email="applicant3@example.org")
    )
    jp2_report = _report(jp2, "applicant@example.org", jp2_indicators, date(2026, 7, 20))
    jp3_report = _report(jp3, "applicant3@example.org", jp3_indicators, date(2026, 7, 10))
    reporting.approve_report(user(SECRETARIAT), jp3_report, ON - timedelta(days=10))
    secretariat = user(SECRETARIAT)
    ready = programme_services.plan_tranche(secretariat, jp1, org("UNICEF").id, ON - timedelta(days=5), "1000.00")
    blocked = programme_services.plan_tranche(
        secretariat, jp1, org("ILO").id, ON + timedelta(days=10), "2000.00", needs_report_approved=True
    )
    released = programme_services.plan_tranche(secretariat, jp1, org("UNICEF").id, date(2026, 2, 1), "3000.00")
    programme_services.release_tranche(secretariat, released, date(2026, 2, 1))
    return {
        "jp1": jp1,
        "jp2": jp2,
        "jp3": jp3,
        "jp2_report": jp2_report,
        "jp3_report": jp3_report,
        "tranche_ready": ready,
        "tranche_blocked": blocked,
        "tranche_released": released,
    }


def _discussions(parts: dict) -> dict:
    secretariat = user(SECRETARIAT)
    with clock.frozen(ON - timedelta(days=2)):
        jp1_question = programme_services.post_message(
            secretariat, parts["jp1"], "When does the second survey start?", is_question=True
        )
    with clock.frozen(ON - timedelta(days=6)):
        undp_question = note_services.post_message(
            secretariat, parts["undp_submitted"], "Which ministry signs the letter?", is_question=True
        )
        note_services.post_message(secretariat, parts["undp_submitted"], "Thank you for the note.")
        answered = note_services.post_message(
            secretariat, parts["unicef_submitted"], "Is the budget in US dollars?", is_question=True
        )
    with clock.frozen(ON - timedelta(days=1)):
        note_services.post_message(
            user("applicant2@example.org"), parts["unicef_submitted"], "Yes.", answers_id=answered.id
        )
    return {"undp_question": undp_question, "jp1_question": jp1_question}


def _contributions() -> dict:
    factories.rate("EUR", date(2026, 4, 1), "0.9")
    factories.rate("EUR", date(2026, 5, 1), "0.9")
    deu = contributions.create_agreement(
        None,
        factories.donor("DEU"),
        "TEST-DEU-SCHEDULE",
        date(2026, 1, 15),
        Decimal("1000000.00"),
        "EUR",
        schedule=[
            (date(2026, 3, 31), Decimal("400000.00")),
            (date(2026, 6, 30), Decimal("300000.00")),
            (date(2026, 10, 31), Decimal("300000.00")),
        ],
    )
    contributions.record_deposit(None, deu, Decimal("500000.00"), date(2026, 4, 10))
    nld = contributions.create_agreement(
        None,
        factories.donor("NLD"),
        "TEST-NLD-PAID",
        date(2026, 1, 15),
        Decimal("200000.00"),
        "EUR",
        schedule=[(date(2026, 5, 31), Decimal("200000.00"))],
    )
    contributions.record_deposit(None, nld, Decimal("200000.00"), date(2026, 5, 20))
    return {"deu": deu, "nld": nld}


def build() -> World:
    parts = {**_notes(), **_committee(), **_programmes(), **_contributions()}
    parts |= _discussions(parts)
    db.session.flush()
    return World(**parts)
