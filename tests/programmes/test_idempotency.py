"""The programme money forms: submitted once (one-time keys), amounts exact, dates in open months."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.contributions import periods
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.forms import new_submission_key
from fundapp.programmes import services
from fundapp.programmes.models import ExpenditureReport, Tranche
from tests.concept_notes.helpers import org, user
from tests.programmes.helpers import SECRETARIAT, make_programme

REPEAT = "This form was already sent and recorded"


def _active():
    programme = make_programme()
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("UNICEF").id, date(2026, 1, 15), "300000.00")
    services.release_tranche(user(SECRETARIAT), tranche, date(2026, 1, 15))
    return programme


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_expenditure_posted_twice_with_its_key_is_recorded_once(client, login, db):
    programme = _active()
    login(SECRETARIAT)
    data = {
        "organisation": "UNICEF",
        "year": "2026",
        "kind": "interim",
        "amount": "1000.00",
        "reported_on": "2026-06-30",
        "submission_key": new_submission_key(),
    }
    first = client.post(f"/programmes/{programme.id}/expenditure", data=data)
    repeat = client.post(f"/programmes/{programme.id}/expenditure", data=data, follow_redirects=True)
    assert first.status_code == 302
    assert REPEAT in repeat.get_data(as_text=True)
    assert _count(db, ExpenditureReport) == 1
    assert _count(db, LedgerEntry, LedgerEntry.kind == EntryKind.expenditure) == 1


def test_a_tranche_planned_and_released_from_a_repeated_form_happens_once(client, login, db):
    programme = make_programme()
    login(SECRETARIAT)
    plan = {
        "organisation": "ILO",
        "planned_on": "2026-02-01",
        "amount": "1000.00",
        "submission_key": new_submission_key(),
    }
    assert client.post(f"/programmes/{programme.id}/tranches/new", data=plan).status_code == 302
    assert client.post(f"/programmes/{programme.id}/tranches/new", data=plan).status_code == 302
    (tranche,) = db.session.scalars(sa.select(Tranche).where(Tranche.programme_id == programme.id)).all()
    release = {"released_on": "2026-02-01", "submission_key": new_submission_key()}
    first = client.post(f"/programmes/tranches/{tranche.id}/release", data=release)
    repeat = client.post(f"/programmes/tranches/{tranche.id}/release", data=release, follow_redirects=True)
    assert first.status_code == 302
    body = repeat.get_data(as_text=True)
    assert REPEAT in body
    assert "already been released" not in body
    assert _count(db, LedgerEntry, LedgerEntry.kind == EntryKind.transfer) == 1


def test_money_fields_refuse_what_they_would_have_to_round(client, login, db):
    programme = _active()
    login(SECRETARIAT)
    data = {"organisation": "UNICEF", "year": "2026", "kind": "interim", "reported_on": "2026-06-30"}
    for typed, message in [
        ("1.005", "The amount has at most two decimals (cents): nothing is rounded for you."),
        ("1e5", "Write the amount in full, without an exponent (write 100000, not 1e5)."),
        ("1_000", "Write the amount without underscores, e.g. 1,000.00."),
        ("NaN", "Write the amount in digits, e.g. 1,234.50."),
        ("-5", "Enter the amount without a minus sign."),
    ]:
        body = client.post(f"/programmes/{programme.id}/expenditure", data={**data, "amount": typed}).get_data(
            as_text=True
        )
        assert f'id="amount-error">{message}' in body, typed
    refund = {"organisation": "UNICEF", "amount": "99999999999999", "refunded_on": "2026-06-30"}
    body = client.post(f"/programmes/{programme.id}/refund", data=refund).get_data(as_text=True)
    assert 'id="amount-error">That amount is too large: at most 999,999,999,999.99.' in body
    assert _count(db, ExpenditureReport) == 0


def test_programme_postings_in_a_closed_month_are_refused_next_to_their_date(client, login, db):
    programme = _active()
    periods.close_through(None, date(2026, 1, 31))
    login(SECRETARIAT)
    data = {"organisation": "UNICEF", "year": "2026", "kind": "interim", "amount": "10.00", "reported_on": "2026-01-31"}
    body = client.post(f"/programmes/{programme.id}/expenditure", data=data).get_data(as_text=True)
    assert 'id="reported_on-error">January 2026 is closed: expenditure cannot be dated in it.' in body
    refund = {"organisation": "UNICEF", "amount": "10.00", "refunded_on": "2025-12-31"}
    body = client.post(f"/programmes/{programme.id}/refund", data=refund).get_data(as_text=True)
    assert 'id="refunded_on-error">December 2025 is closed: a refund cannot be dated in it.' in body
    tranche = services.plan_tranche(user(SECRETARIAT), programme, org("ILO").id, date(2026, 3, 1), "10.00")
    body = client.post(f"/programmes/tranches/{tranche.id}/release", data={"released_on": "2026-01-20"}).get_data(
        as_text=True
    )
    assert 'id="released_on-error">January 2026 is closed: a transfer cannot be dated in it.' in body
    body = client.post(f"/programmes/tranches/{tranche.id}/release", data={"released_on": "2099-01-01"}).get_data(
        as_text=True
    )
    assert 'id="released_on-error">A transfer cannot be dated in the future' in body
    assert Decimal(0) == sum(
        db.session.scalars(sa.select(LedgerEntry.amount_usd).where(LedgerEntry.entry_on > date(2026, 1, 15)))
    )
