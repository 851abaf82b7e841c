"""Submission rules, the transition table, screening, versions and the public summary."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.concept_notes import services
from fundapp.concept_notes.models import ConceptNote
from fundapp.concept_notes.workflow import CONCEPT_NOTE
from fundapp.core import edge, uploads
from fundapp.core.errors import DomainError, IllegalTransition, NotAllowed, ValidationFailed
from fundapp.core.models import StateEvent
from fundapp.notifications.models import Notification
from fundapp.reference.models import GuidingPrinciple, Marker
from tests.concept_notes.helpers import (
    CLOSED_CALL,
    OPEN_DAY,
    PDF_BYTES,
    area,
    complete_data,
    make_call,
    make_note,
    org,
    user,
)


def test_complete_note_passes_every_rule(db):
    note = make_note()
    assert services.check_submission(note, OPEN_DAY) == {}
    assert note.budget_total == Decimal("1070000.00")  # 1,000,000 direct + 7% indirect support costs
    assert [p.indirect_costs for p in note.participants] == [Decimal("42000.00"), Decimal("28000.00")]


RULES = [
    ("too few organizations", {"partners": []}, "organisations", "At least 2 participating UN organizations"),
    (
        "budget over the ceiling",
        {"lead_direct_costs": Decimal("2500000"), "partners": [(None, Decimal("400000"))]},
        "budget",
        "over the ceiling",
    ),
    ("duration too short", {"duration_months": 6}, "duration_months", "between 12 and 36"),
    ("duration too long", {"duration_months": 48}, "duration_months", "between 12 and 36"),
    ("duration missing", {"duration_months": None}, "duration_months", "Give the duration"),
    (
        "objective not in the area",
        {"objective_ids": "other-area"},
        "objective_ids",
        "at least one GCM objective of TA4",
    ),
    ("endorsement missing", {"scope": "national", "country_codes": ["NPL"]}, "endorsement", "endorsement letter"),
    ("principles blank", {"principles": "blank"}, "principles", "left blank"),
    ("title missing", {"title": ""}, "title", "title"),
    ("narrative missing", {"narratives": "no-context"}, "context", "Context and problem"),
    ("countries missing", {"country_codes": []}, "country_codes", "at least one country"),
    ("markers unscored", {"markers": "none"}, "markers", "Score every marker"),
    ("gender share missing", {"gender_budget_share": None}, "gender_budget_share", "gender equality"),
    ("organization without budget", {"partners": [(None, None)]}, "budget", "missing: ILO"),
]


def _overrides(db, overrides: dict) -> dict:
    resolved = dict(overrides)
    ilo = org("ILO").id
    if "partners" in resolved:
        resolved["partners"] = [(ilo if o is None else o, amount) for o, amount in resolved["partners"]]
    if resolved.get("objective_ids") == "other-area":
        resolved["objective_ids"] = [area("TA1").objectives[0].id]  # objective 1 is not in TA4
    if resolved.get("principles") == "blank":
        ids = list(db.session.scalars(sa.select(GuidingPrinciple.id)))
        resolved["principles"] = dict.fromkeys(ids[:2], "") | dict.fromkeys(ids[2:], "text")
    if resolved.get("narratives") == "no-context":
        resolved["narratives"] = {k: ("" if k == "context" else "text") for k, _l, _h in services.NARRATIVES}
    if resolved.get("markers") == "none":
        resolved["markers"] = dict.fromkeys(db.session.scalars(sa.select(Marker.id)))
    return resolved


@pytest.mark.parametrize(("rule", "overrides", "field", "message"), RULES, ids=[r[0] for r in RULES])
def test_submission_refused_when_rule_unmet(db, rule, overrides, field, message):
    note = make_note(**_overrides(db, overrides))
    with pytest.raises(ValidationFailed) as caught:
        services.submit(user("applicant@example.org"), note, on=OPEN_DAY)
    assert field in caught.value.errors, caught.value.errors
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors[field]
    assert note.status == "draft"
    assert note.version_count == 0


def test_submission_refused_when_call_closed(db):
    note = make_note(call=make_call(**CLOSED_CALL))
    with pytest.raises(ValidationFailed) as caught:
        services.submit(user("applicant@example.org"), note, on=date(2027, 1, 5))
    assert "closed" in caught.value.errors["call"][0]


def test_submission_lists_every_unmet_rule_at_once(db):
    note = make_note(call=make_call(**CLOSED_CALL), partners=[], duration_months=60, title="", gender_budget_share=None)
    with pytest.raises(ValidationFailed) as caught:
        services.submit(user("applicant@example.org"), note, on=date(2027, 1, 5))
    assert {"call", "organisations", "duration_months", "title", "gender_budget_share"} <= set(caught.value.errors)


def test_resubmission_allowed_after_call_closed(db):
    note = make_note(call=make_call(**CLOSED_CALL), submit=True)
    services.screen(user("secretariat@example.org"), note, "returned", [], "Add baselines.")
    services.submit(user("applicant@example.org"), note, on=date(2027, 2, 1))
    assert note.status == "submitted"
    assert note.version_count == 2


def test_national_note_with_endorsement_passes(db):
    note = make_note(scope="national", country_codes=["NPL"], attach=True)
    assert services.check_submission(note, OPEN_DAY) == {}


def test_endorsement_not_needed_when_call_says_so(db):
    call = make_call(endorsement_required=False)
    note = make_note(call=call, scope="national", country_codes=["NPL"])
    assert services.check_submission(note, OPEN_DAY) == {}


def test_call_settings_apply(db):
    call = make_call(min_organisations=3, budget_ceiling=Decimal("1000000"), max_duration_months=18)
    note = make_note(call=call)
    errors = services.check_submission(note, OPEN_DAY)
    assert {"organisations", "budget", "duration_months"} <= set(errors)


# Transitions --------------------------------------------------------------------------------------

SECRETARIAT = "secretariat@example.org"
APPLICANT = "applicant@example.org"

TRANSITIONS = [
    # (from status, action, actor, allowed, to status)
    ("draft", "submit", APPLICANT, True, "submitted"),
    ("draft", "withdraw", APPLICANT, True, "withdrawn"),
    ("draft", "mark_eligible", SECRETARIAT, False, None),
    ("draft", "return", SECRETARIAT, False, None),
    ("draft", "resubmit", APPLICANT, False, None),
    ("submitted", "mark_eligible", SECRETARIAT, True, "eligible"),
    ("submitted", "mark_ineligible", SECRETARIAT, True, "ineligible"),
    ("submitted", "return", SECRETARIAT, True, "returned"),
    ("submitted", "withdraw", APPLICANT, True, "withdrawn"),
    ("submitted", "submit", APPLICANT, False, None),
    ("submitted", "mark_eligible", APPLICANT, False, None),
    ("returned", "resubmit", APPLICANT, True, "submitted"),
    ("returned", "withdraw", APPLICANT, True, "withdrawn"),
    ("returned", "mark_eligible", SECRETARIAT, False, None),
    ("eligible", "withdraw", APPLICANT, True, "withdrawn"),
    ("eligible", "return", SECRETARIAT, False, None),
    ("eligible", "mark_ineligible", SECRETARIAT, False, None),
    ("ineligible", "resubmit", APPLICANT, False, None),
    ("ineligible", "withdraw", APPLICANT, False, None),
    ("withdrawn", "submit", APPLICANT, False, None),
    ("withdrawn", "resubmit", APPLICANT, False, None),
]


def _note_in(status: str) -> ConceptNote:
    note = make_note()
    secretariat = user(SECRETARIAT)
    applicant = user(APPLICANT)
    if status == "draft":
        return note
    if status == "withdrawn":
        services.withdraw(applicant, note)
        return note
    services.submit(applicant, note, on=OPEN_DAY)
    if status in ("eligible", "ineligible", "returned"):
        services.screen(
            secretariat,
            note,
            status,
            [k for k, _l in services.MANUAL_CHECKS],
            "" if status == "eligible" else "Reason.",
        )
    assert note.status == status
    return note


@pytest.mark.parametrize(("source", "action", "email", "allowed", "target"), TRANSITIONS)
def test_transition_table(db, source, action, email, allowed, target):
    note = _note_in(source)
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(StateEvent))
    if allowed:
        CONCEPT_NOTE.fire(note, action, user(email), reason="Because.")
        assert note.status == target
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StateEvent)) == events_before + 1
    else:
        with pytest.raises((IllegalTransition, NotAllowed)):
            CONCEPT_NOTE.fire(note, action, user(email), reason="Because.")
        assert note.status == source


def test_illegal_transition_message_is_clear(db):
    note = make_note()
    with pytest.raises(IllegalTransition, match="Cannot mark eligible from status “draft”"):
        CONCEPT_NOTE.fire(note, "mark_eligible", user(SECRETARIAT))


def test_applicant_cannot_screen(db):
    note = _note_in("submitted")
    with pytest.raises(NotAllowed):
        services.screen(user(APPLICANT), note, "eligible", [k for k, _l in services.MANUAL_CHECKS])


@pytest.mark.parametrize(
    ("decision", "checks", "comments", "field"),
    [
        ("ineligible", "all", "", "comments"),
        ("returned", "all", "  ", "comments"),
        ("eligible", "none", "", "manual_checks"),
        ("", "all", "", "decision"),
    ],
)
def test_screening_refused_without_what_it_needs(db, decision, checks, comments, field):
    note = _note_in("submitted")
    ticked = [k for k, _l in services.MANUAL_CHECKS] if checks == "all" else []
    with pytest.raises(DomainError) as caught:
        services.screen(user(SECRETARIAT), note, decision, ticked, comments)
    assert caught.value.field == field
    assert note.status == "submitted"


def test_screening_notifies_every_focal_point_of_the_note_organizations(db):
    """Joint ownership: the lead's focal points (UNDP, applicant@) and the partner's (ILO, applicant4@) both hear."""
    note = _note_in("submitted")
    services.screen(user(SECRETARIAT), note, "returned", [], "Revise the budget.")
    notes = db.session.scalars(
        sa.select(Notification).where(Notification.subject.like(f"{note.reference} was returned%"))
    ).all()
    assert sorted(n.user_id for n in notes) == sorted([user(APPLICANT).id, user("applicant4@example.org").id])
    assert all("Revise the budget." in n.body for n in notes)


def test_timeline_records_who_when_why(db):
    note = _note_in("returned")
    steps = services.timeline(note)
    assert [s["event"].to_state for s in steps] == ["draft", "submitted", "returned"]
    assert steps[-1]["actor"].email == SECRETARIAT
    assert steps[-1]["event"].reason == "Reason."


def test_edit_refused_unless_draft_or_returned(db):
    note = _note_in("submitted")
    with pytest.raises(IllegalTransition):
        services.save_draft(user(APPLICANT), note, services.NoteData(title="Changed"))


def test_other_organisation_cannot_edit(db):
    note = make_note()
    with pytest.raises(NotAllowed):
        services.save_draft(user("applicant2@example.org"), note, services.NoteData(title="Mine now"))


def test_versions_freeze_each_submission_and_diff_shows_changes(db):
    note = _note_in("returned")
    data = complete_data(duration_months=30, title="Fair recruitment, revised", gender_budget_share=Decimal("30.0"))
    services.save_draft(user(APPLICANT), note, data)
    services.submit(user(APPLICANT), note, on=OPEN_DAY)
    first, second = services.versions(note)
    changes = {name: (old, new) for name, old, new in services.diff_versions(first, second)}
    assert changes == {
        "Title": ("Fair recruitment for migrant workers", "Fair recruitment, revised"),
        "Duration (months)": ("24", "30"),
    }


def test_summary_counts_submitted_and_statuses(db):
    before = services.summary()
    _note_in("eligible")
    make_note()  # a draft is not counted
    after = services.summary()
    assert after["submitted"] == before["submitted"] + 1
    assert after["by_status"]["eligible"] == before["by_status"].get("eligible", 0) + 1


def test_create_refused_when_call_closed(db):
    call = make_call(**CLOSED_CALL)
    with pytest.raises(DomainError, match="not open"):
        services.create_note(user(APPLICANT), call, org("UNDP"), on=date(2027, 1, 1))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_on": None}, "closes_on"),
        ({"closes_on": date(2025, 1, 1)}, "closes_on"),
        ({"thematic_area_ids": []}, "thematic_area_ids"),
        ({"title": " "}, "title"),
        ({"min_duration_months": 30, "max_duration_months": 12}, "max_duration_months"),
    ],
)
def test_call_refused_when_settings_inconsistent(db, overrides, field):
    with pytest.raises(DomainError) as caught:
        make_call(**overrides)
    assert caught.value.field == field


def test_rolling_call_stays_open(db):
    call = make_call(closes_on=None, is_rolling=True)
    assert call.is_open(date(2040, 1, 1))
    assert call.min_organisations == 2
    assert call.budget_ceiling == Decimal("3000000.00")
    assert (call.min_duration_months, call.max_duration_months) == (12, 36)
    assert call.endorsement_required


# Saving and submitting in one transaction ---------------------------------------------------------


def test_save_note_keeps_the_draft_and_returns_what_stops_the_submission(db):
    note = make_note()
    data = complete_data(title="Fair recruitment, widened", partners=[])
    submission = services.save_note(user(APPLICANT), note, data, submitting=True, on=OPEN_DAY)
    assert submission.version is None
    assert any("At least 2 participating UN organizations" in m for m in submission.problems["organisations"])
    assert note.title == "Fair recruitment, widened"  # saved all the same
    assert (note.status, note.version_count) == ("draft", 0)


def test_save_note_submits_a_complete_note(db):
    note = make_note()
    submission = services.save_note(user(APPLICANT), note, complete_data(), submitting=True, on=OPEN_DAY)
    assert submission.problems == {}
    assert submission.version.number == 1
    assert note.status == "submitted"


def test_save_note_without_submitting_only_saves(db):
    note = make_note()
    submission = services.save_note(user(APPLICANT), note, complete_data(duration_months=30), on=OPEN_DAY)
    assert (submission.version, submission.problems) == (None, {})
    assert (note.duration_months, note.status) == (30, "draft")


def test_save_note_raises_on_a_value_it_cannot_save(db):
    note = make_note()
    with pytest.raises(DomainError, match="UN entities"):
        services.save_note(user(APPLICANT), note, complete_data(partners=[(10**6, Decimal(1))]), submitting=True)


# Attachment files follow the transaction ----------------------------------------------------------


def test_attached_file_goes_again_when_the_transaction_rolls_back(db):
    note = make_note()
    edge.commit()
    attachment = services.attach_file(user(APPLICANT), note, "letter.pdf", PDF_BYTES, "endorsement")
    path = uploads.path_of(attachment.stored_name)
    assert path.exists()
    edge.rollback()
    assert not path.exists()


def test_removed_attachment_file_goes_only_once_committed(db):
    note = make_note(attach=True)
    edge.commit()
    path = uploads.path_of(note.attachments[0].stored_name)
    services.remove_attachment(user(APPLICANT), note.attachments[0])
    edge.rollback()
    assert path.exists()  # the removal was refused: the file stays
    services.remove_attachment(user(APPLICANT), db.session.get(ConceptNote, note.id).attachments[0])
    assert path.exists()
    edge.commit()
    assert not path.exists()


def test_attach_file_says_the_file_was_not_attached(db):
    note = make_note()
    with pytest.raises(DomainError, match=r"^File not attached: The file is empty\.$"):
        services.attach_file(user(APPLICANT), note, "empty.pdf", b"", "endorsement")


# Public filters other domains ask ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"thematic_area_code": "TA4"}, True),
        ({"thematic_area_code": "TA1"}, False),
        ({"organisation_code": "ILO"}, True),
        ({"organisation_code": "UNICEF"}, False),
        ({"region": "142"}, True),  # Asia
        ({"region": "034"}, True),  # Southern Asia, a sub-region
        ({"region": "002"}, False),
        ({"country": "NPL", "thematic_area_code": "TA4"}, True),
        ({"country": "KEN"}, False),
    ],
)
def test_matching_note_ids_filters_as_the_lists_do(db, filters, found):
    note = make_note()  # TA4, UNDP with ILO, Nepal and Bangladesh
    ids = set(db.session.scalars(services.matching_note_ids(services.NoteFilters(**filters))))
    assert (note.id in ids) is found


def test_regions_and_participations_of_a_set_of_notes(db):
    first = make_note()
    second = make_note("UNICEF", "applicant2@example.org")
    ids = sa.select(ConceptNote.id).where(ConceptNote.id.in_([first.id, second.id]))
    assert services.note_regions(ids) == [("142", "Asia")]
    assert services.participation_counts(ids) == {"UNDP": 1, "UNICEF": 1, "ILO": 2}
