"""The accounting periods' pages: the list of months, a month's page, closing and reopening."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from fundapp.contributions import ledger, periods, services
from fundapp.contributions.models import AccountingPeriod, Deposit
from tests.contributions import factories as cf

D = Decimal
SECRETARIAT = "secretariat@example.org"
ADMIN = "admin@example.org"


def _march_2020() -> None:
    agreement = cf.agreement("MEX", currency="USD", amount="900000.00", reference="P-MEX")
    services.record_deposit(None, agreement, D("100000.00"), date(2020, 3, 2))
    ledger.post_interest(None, D("12.34"), date(2020, 3, 20), description="March interest")


def test_periods_list_opens_at_the_next_month_to_close_in_a_bounded_number_of_queries(client, login, queries):
    _march_2020()
    periods.close_through(None, date(2020, 2, 29))
    login(SECRETARIAT)
    with queries() as few:
        body = client.get("/contributions/periods").get_data(as_text=True)
    assert "Next to close: March 2020" in body
    assert "Closed through <strong>February 2020</strong>" in body
    assert "100,000.00" in body  # March's deposits in the list
    for day in range(1, 29):  # many more entries, and more closed months: the same number of queries
        ledger.post_interest(None, D("1.00"), date(2020, 3, day))
    periods.close_period(None, date(2020, 3, 1))
    with queries() as more:
        assert client.get("/contributions/periods").status_code == 200
    assert len(more) == len(few) <= 12


def test_month_page_shows_the_figures_and_what_changed_since_the_last_close(client, login, queries):
    periods.close_through(None, date(2020, 2, 29))
    _march_2020()  # recorded after the last close
    login(SECRETARIAT)
    with queries() as statements:
        body = client.get("/contributions/periods/2020-03").get_data(as_text=True)
    assert len(statements) <= 20
    assert "March interest" in body
    assert "P-MEX" in body  # the deposit recorded since the last close
    assert "Close March 2020" in body
    assert "Reopen" not in body  # an open month; and only an administrator reopens


def test_month_page_of_an_unknown_month_is_404(client, login):
    login(SECRETARIAT)
    assert client.get("/contributions/periods/2020-13").status_code == 404
    assert client.get("/contributions/periods/March").status_code == 404


def test_closing_needs_the_reconciliation_ticked(client, login, db):
    login(SECRETARIAT)
    response = client.post("/contributions/periods/2019-05/close", data={})
    assert response.status_code == 422
    assert "Confirm that the month is reconciled before closing it." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountingPeriod)) == 0


def test_closing_out_of_order_shows_why(client, login, db):
    login(SECRETARIAT)
    response = client.post("/contributions/periods/2019-07/close", data={"reconciled": "y"})
    assert response.status_code == 422
    assert "Months close in order: close May 2019 first." in response.get_data(as_text=True)


def test_secretariat_closes_a_month_and_the_deposit_form_then_refuses_it(client, login, db):
    _march_2020()
    periods.close_through(None, date(2020, 2, 29))
    login(SECRETARIAT)
    response = client.post("/contributions/periods/2020-03/close", data={"reconciled": "y"}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "March 2020 is closed: its figures are stored" in body
    assert "The ledger still gives exactly the figures stored at the close." in body
    agreement = cf.agreement("MEX", currency="USD", reference="P-MEX")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Deposit))
    response = client.post(
        f"/contributions/agreements/{agreement.id}/deposits/new", data={"deposited_on": "2020-03-31", "amount": "10"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="deposited_on-error">March 2020 is closed: a deposit cannot be dated in it.' in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Deposit)) == before


def test_a_hand_posting_in_a_closed_month_is_refused_next_to_its_date(client, login):
    periods.close_period(None, date(2019, 5, 1))
    login(SECRETARIAT)
    data = {"kind": "interest", "entry_on": "2019-05-31", "amount": "5.00"}
    body = client.post("/contributions/ledger/new", data=data).get_data(as_text=True)
    assert 'id="entry_on-error">May 2019 is closed' in body
    data["entry_on"] = "2099-01-01"
    body = client.post("/contributions/ledger/new", data=data).get_data(as_text=True)
    assert 'id="entry_on-error">A posting cannot be dated in the future' in body


def test_administrator_reopens_the_last_closed_month_with_a_reason(client, login, db):
    periods.close_through(None, date(2019, 6, 30))
    login(ADMIN)
    page = client.get("/contributions/periods/2019-06").get_data(as_text=True)
    assert "Reopen June 2019" in page
    assert "Close June 2019" not in page
    assert "Only the most recent closed month can be reopened." in client.get(
        "/contributions/periods/2019-05"
    ).get_data(as_text=True)
    refused = client.post("/contributions/periods/2019-06/reopen", data={"reason": ""})
    assert refused.status_code == 422
    assert "Give the reason for reopening the month." in refused.get_data(as_text=True)
    response = client.post(
        "/contributions/periods/2019-06/reopen", data={"reason": "A bank charge was missed"}, follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "June 2019 is open again" in body
    assert "A bank charge was missed" in body  # in the period's history
    assert ledger.books().closed_through == date(2019, 5, 1)


def test_the_secretariat_cannot_reopen_and_the_administrator_cannot_close(client, login):
    periods.close_period(None, date(2019, 5, 1))
    login(SECRETARIAT)
    assert client.post("/contributions/periods/2019-05/reopen", data={"reason": "x"}).status_code == 403
    login(ADMIN)
    assert client.post("/contributions/periods/2019-06/close", data={"reconciled": "y"}).status_code == 403


def test_the_rates_form_refuses_a_closed_month_next_to_the_month(client, login):
    periods.close_period(None, date(2019, 5, 1))
    login(SECRETARIAT)
    body = client.post("/contributions/rates", data={"currency": "EUR", "month": "2019-05", "rate": "0.9"}).get_data(
        as_text=True
    )
    assert 'id="month-error">May 2019 is closed: its rates cannot change any more.' in body


def test_the_secretariat_home_says_how_far_the_books_are_closed(client, login):
    login(SECRETARIAT)
    assert "No month yet" in client.get("/secretariat").get_data(as_text=True)
    periods.close_through(None, date(2019, 6, 30))
    body = client.get("/secretariat").get_data(as_text=True)
    assert "June 2019" in body
    assert "next to close: July 2019" in body
