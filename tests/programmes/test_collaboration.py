"""Joint programmes as a joint effort: every participating organization contributes to a progress report and only
the lead submits it; the programme's discussion; the report form's widgets and previous values; the indicator's
direction; progress on the programme page; one identifier."""

from datetime import date
from decimal import Decimal

import pytest

from fundapp.core.errors import NotAllowed, ValidationFailed
from fundapp.programmes import permissions, reporting, services
from fundapp.results.rollup import Direction
from tests.concept_notes.helpers import user
from tests.programmes.helpers import SECRETARIAT, make_programme
from tests.programmes.results_helpers import FOCAL, with_framework

PARTNER = "applicant@example.org"  # UNDP, participating in the programme below
OUTSIDER = "applicant3@example.org"  # IOM


@pytest.fixture
def joint(db):
    """A UNICEF-led programme in which UNDP participates, with a framework (people by sex, a yes/no policy)."""
    programme = make_programme(budget={"UNICEF": "535000.00", "UNDP": "214000.00"})
    return with_framework(programme)


def _values(people, policy, total="10", yes="1"):
    female = str(int(total) * 6 // 10)
    return {
        people.id: (total, {"sex": {"female": female, "male": str(int(total) - int(female))}}),
        policy.id: (yes, {}),
    }


def test_a_partner_fills_in_the_report_and_only_the_lead_submits_it(db, joint):
    programme, (people, policy) = joint
    report = reporting.start_report(user(PARTNER), programme, "2026-H1")  # a partner may start the draft
    assert permissions.can_edit_report(user(PARTNER), report)
    assert not permissions.can_submit_report(user(PARTNER), report)
    assert permissions.can_submit_report(user(FOCAL), report)
    refused = reporting.update_report(
        user(PARTNER), report, "UNDP's part of the narrative.", "", _values(people, policy), date(2026, 7, 1)
    )
    assert refused == "Only the lead organization (UNICEF) submits the programme's reports."
    assert report.status == "draft"
    assert report.narrative == "UNDP's part of the narrative."  # saved anyway
    with pytest.raises(NotAllowed):
        reporting.submit_report(user(PARTNER), report, date(2026, 7, 1))
    reporting.submit_report(user(FOCAL), report, date(2026, 7, 1))
    assert report.status == "submitted"


def test_the_report_form_draws_a_widget_per_type_and_the_previous_values(client, login, db, joint):
    programme, (people, policy) = joint
    first = reporting.start_report(user(FOCAL), programme, "2026-H1")
    reporting.save_report(user(FOCAL), first, "First.", "", _values(people, policy, total="120", yes="0"))
    reporting.submit_report(user(FOCAL), first, date(2026, 7, 1))
    reporting.approve_report(user(SECRETARIAT), first, date(2026, 7, 2))
    second = reporting.start_report(user(FOCAL), programme, "2026")
    db.session.commit()
    login(PARTNER)
    page = client.get(f"/programmes/reports/{second.id}/edit").get_data(as_text=True)
    assert f'type="radio" name="actual-{policy.id}" value="1"' in page
    assert f'type="radio" name="actual-{policy.id}" value="0"' in page
    assert f'name="actual-{people.id}" type="number"' in page
    assert "Previous period, January–June 2026 (semi-annual): <strong>120</strong> (approved)" in page
    assert "Previous period, January–June 2026 (semi-annual): <strong>No</strong> (approved)" in page
    assert "UNICEF, the lead organization, submits it" in page
    assert 'name="submit_report"' not in page
    login(FOCAL)
    assert 'name="submit_report"' in client.get(f"/programmes/reports/{second.id}/edit").get_data(as_text=True)


def test_the_same_mistake_gets_the_same_message_on_every_field(client, login, db, joint):
    programme, (people, policy) = joint
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    db.session.commit()
    login(FOCAL)
    response = client.post(
        f"/programmes/reports/{report.id}/edit",
        data={"narrative": "n", f"actual-{people.id}": "yes", f"actual-{policy.id}": "maybe"},
    )
    page = response.get_data(as_text=True)
    assert "Enter a whole number, such as 1250." in page
    assert "Choose yes or no." in page


def test_indicator_direction_must_fit_the_target(db):
    programme, _indicators = with_framework()
    outcome = reporting.framework(programme.id)[0]
    data = reporting.IndicatorInput(
        outcome_id=outcome.id,
        code="1.1.c",
        name="Average recruitment cost paid by workers (US$)",
        unit="amount_usd",
        baseline_value=Decimal(900),
        baseline_year=2025,
        target_value=Decimal(400),
        direction="increase",
    )
    with pytest.raises(ValidationFailed) as refused:
        reporting.add_indicator(user(FOCAL), programme, data)
    assert refused.value.errors["direction"] == [
        "The target is below the baseline: choose decrease, or correct the target."
    ]
    data.direction = None  # an import without a direction: the baseline and target say which
    assert reporting.add_indicator(user(FOCAL), programme, data).direction is Direction.decrease


def test_programme_page_shows_honest_progress_in_natural_order(client, login, db, joint):
    programme, (people, policy) = joint
    outcome = reporting.framework(programme.id)[0]
    for code in ("1.10", "1.2"):
        reporting.add_indicator(
            user(FOCAL),
            programme,
            reporting.IndicatorInput(
                outcome_id=outcome.id,
                code=code,
                name=f"Indicator {code}",
                unit="count",
                baseline_value=Decimal(50),
                baseline_year=2025,
                target_value=Decimal(150),
            ),
        )
    db.session.expire_all()  # the outcome's indicators, loaded before the two were added
    report = reporting.start_report(user(FOCAL), programme, "2026-H1")
    ids = {i.code: i.id for i in reporting.framework(programme.id)[0].indicators}
    values = {**_values(people, policy, yes="1"), ids["1.2"]: ("20", {}), ids["1.10"]: ("100", {})}
    reporting.save_report(user(FOCAL), report, "n", "", values)
    reporting.submit_report(user(FOCAL), report, date(2026, 7, 1))
    reporting.approve_report(user(SECRETARIAT), report, date(2026, 7, 2))
    db.session.commit()
    login(SECRETARIAT)
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert page.index("1.2 Indicator 1.2") < page.index("1.10 Indicator 1.10")  # 1.2 before 1.10
    assert "raw −30%, worse than the baseline" in page  # 20 from a baseline of 50 towards 150
    assert ">50%</span>" in page  # 100: half way
    assert "Achieved" in page  # the yes / no policy
    assert f"Joint programme {programme.reference}, from concept note" in page


def test_programme_discussion_is_for_its_organizations_and_the_secretariat(db, joint):
    programme, _indicators = joint
    question = services.post_message(user(SECRETARIAT), programme, "Is the first tranche received?", True)
    services.post_message(user(PARTNER), programme, "Yes, on 15 January.", answers_id=question.id)
    thread = services.discussion_page(programme)["thread"]
    assert thread.open_questions == []
    assert services.discussion_counts(programme) == (2, 0)
    for email, reads, writes in [
        (FOCAL, True, True),
        (PARTNER, True, True),
        (SECRETARIAT, True, True),
        ("member1@example.org", True, False),
        ("donor@example.org", False, False),
        ("admin@example.org", False, False),
        (OUTSIDER, False, False),
    ]:
        assert permissions.can_read_discussion(user(email), programme) is reads, email
        assert permissions.can_write_discussion(user(email), programme) is writes, email
    with pytest.raises(NotAllowed):
        services.post_message(user("member1@example.org"), programme, "A committee remark.")
    with pytest.raises(NotAllowed):
        services.post_message(user(PARTNER), programme, "Our own question?", True)


def test_programme_label_and_reference_are_one(db):
    programme = make_programme()
    note = programme.document.concept_note
    assert programme.reference == programme.document.reference == f"JP-{programme.id:04d}"
    assert programme.note_reference == note.reference
    assert services.programme_label(programme.id) == f"{programme.reference} ({note.reference}) {programme.title}"
