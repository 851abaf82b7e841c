"""A funding decision on a programme whose planned dates have already started gives it new dates: the programme
then runs on them, instead of being born with its first reports overdue."""

from datetime import date
from decimal import Decimal

import pytest

from fundapp.committee import services, workflow
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core import clock
from fundapp.core.errors import ValidationFailed
from fundapp.programmes import reporting
from fundapp.programmes.models import JointProgramme
from tests.committee.decision_helpers import funding_item, meeting_in_session, ready_note, vote_all
from tests.concept_notes.helpers import user
from tests.contributions import factories

CHAIR = "chair@example.org"
#: ready_note() plans the programme from 1 September 2026 to 31 August 2028; this meeting comes after the start.
LATE_MEETING = date(2027, 3, 15)


@pytest.fixture(autouse=True)
def _on_the_late_meeting_day():
    """The books refuse an allocation dated after today: these decisions are taken on the meeting's day."""
    with clock.frozen(LATE_MEETING):
        yield


def _funding(on: date = LATE_MEETING):
    agreement = factories.agreement("PHL", currency="USD", amount="50000000.00")
    contributions.record_deposit(None, agreement, Decimal("3000000.00"), date(2026, 2, 1))
    note = ready_note()
    item = funding_item(note, meeting_in_session(title="Funding meeting", on=on))
    vote_all(item)
    return note, item


def _available() -> Decimal:
    return sum((p.available for p in ledger.pool_balances()), Decimal(0))


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "errors"),
    [
        (None, None, {"starts_on": "start before this decision (15 Mar 2027)", "ends_on": "Give the new end date."}),
        (date(2027, 3, 1), date(2029, 2, 28), {"starts_on": "cannot start before it is funded (15 Mar 2027)"}),
        (date(2027, 4, 1), date(2027, 4, 1), {"ends_on": "The end date comes after the start date."}),
        (date(2027, 4, 1), None, {"ends_on": "Give the new end date."}),
    ],
)
def test_past_planned_dates_need_new_ones(db, starts_on, ends_on, errors):
    note, item = _funding()
    before = _available()
    with pytest.raises(ValidationFailed) as refused:
        services.record_decision(
            user(CHAIR), item, services.DecisionInput("approve_funding", starts_on=starts_on, ends_on=ends_on)
        )
    assert set(refused.value.errors) == set(errors)
    for field, message in errors.items():
        assert message in refused.value.errors[field][0]
    # Refused before anything is allocated (the edge then rolls the request back): the note stays ready.
    assert _available() == before
    assert note.status == workflow.READY


def test_the_programme_runs_on_the_new_dates(db):
    note, item = _funding()
    before = _available()
    data = services.DecisionInput("approve_funding", starts_on=date(2027, 4, 1), ends_on=date(2029, 3, 31))
    services.record_decision(user(CHAIR), item, data)
    assert note.status == workflow.FUNDED
    assert _available() == before - note.budget_total
    document = services.programme_document(note)
    assert (document.starts_on, document.ends_on) == (date(2027, 4, 1), date(2029, 3, 31))
    programme = db.session.get(JointProgramme, document.id)
    calendar = reporting.calendar(programme)
    assert calendar[0].period == "2027-H1"  # not 2026: the programme starts on its new date
    assert reporting.overdue_counts([programme.id], LATE_MEETING) == {}
    assert reporting.overdue_counts([programme.id], date(2027, 8, 1)) == {programme.id: 1}  # 2027-H1, due 31 July


def test_planned_dates_still_ahead_are_kept(db):
    note, item = _funding(on=date(2026, 6, 10))
    services.record_decision(user(CHAIR), item, services.DecisionInput("approve_funding"))
    assert note.status == workflow.FUNDED
    document = services.programme_document(note)
    assert (document.starts_on, document.ends_on) == (date(2026, 9, 1), date(2028, 8, 31))


def test_decision_page_asks_for_new_dates_and_the_refusal_says_why(db, client, login):
    note, item = _funding()
    db.session.commit()
    login(CHAIR)
    page = client.get(f"/committee/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "Planned: 01 Sep 2026 to 31 Aug 2028." in page
    assert "The planned start is before this meeting (15 Mar 2027)" in page
    prefix = f"item{item.id}-"
    response = client.post(f"/committee/items/{item.id}/decide", data={f"{prefix}outcome": "approve_funding"})
    assert response.status_code == 302
    page = client.get(f"/committee/meetings/{item.meeting_id}").get_data(as_text=True)
    assert "give the new start" in page
    assert note.status == workflow.READY
    response = client.post(
        f"/committee/items/{item.id}/decide",
        data={
            f"{prefix}outcome": "approve_funding",
            f"{prefix}starts_on": "2027-04-01",
            f"{prefix}ends_on": "2029-03-31",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert services.programme_document(note).starts_on == date(2027, 4, 1)
