"""Accounting periods: months close in order, a closed month takes nothing, a correction is a reversal in an
open month, an administrator reopens the last closed month with a reason."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import Organisation, User
from fundapp.contributions import ledger, periods, services
from fundapp.contributions.models import AccountingPeriod, EntryKind, LedgerEntry
from fundapp.contributions.workflow import PERIOD
from fundapp.core import clock, signals
from fundapp.core.errors import DomainError, IllegalTransition, NotAllowed
from fundapp.core.models import AuditEntry
from fundapp.notifications.models import Notification
from fundapp.reference.models import ThematicArea
from tests.contributions import factories as cf

D = Decimal
SECRETARIAT = "secretariat@example.org"
ADMIN = "admin@example.org"


def person(db, email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _org(db, code: str) -> int:
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.code == code))


def _money_moving(db) -> dict[str, int]:
    """A USD deposit in March 2020, an allocation, a transfer and some expenditure on programme 41."""
    agreement = cf.agreement("MEX", currency="USD", amount="900000.00", reference="P-MEX")
    services.record_deposit(None, agreement, D("100000.00"), date(2020, 3, 2))
    ledger.allocate(None, D("50000.00"), None, 41, date(2020, 3, 3))
    undp = _org(db, "UNDP")
    ledger.post_transfer(None, D("30000.00"), 41, undp, date(2020, 3, 4))
    ledger.post_expenditure(None, D("1000.00"), 41, undp, date(2020, 3, 5))
    return {"agreement": agreement.id, "undp": undp}


# Closing ----------------------------------------------------------------------------------------------


def test_months_close_in_order_from_the_books_start_and_only_once_ended(db):
    with pytest.raises(DomainError, match="Months close in order: close May 2019 first"):
        periods.close_period(None, date(2019, 6, 1))
    this_month = clock.today().replace(day=1)
    with pytest.raises(DomainError, match="has not ended"):
        periods.close_period(None, this_month)
    with pytest.raises(DomainError, match="books start in May 2019"):
        periods.close_period(None, date(2019, 4, 1))
    periods.close_period(None, date(2019, 5, 1))
    with pytest.raises(DomainError, match="May 2019 is already closed"):
        periods.close_period(None, date(2019, 5, 1))
    assert ledger.books().closed_through == date(2019, 5, 1)
    assert periods.close_through(None, date(2019, 8, 31)) == 3
    assert ledger.books().closed_through == date(2019, 8, 1)


def test_closing_stores_the_figures_records_the_transition_and_tells_the_listeners(db):
    _money_moving(db)
    heard = []

    def listener(period, actor):
        heard.append((period.month, actor))

    signals.period_closed.connect(listener)
    try:
        periods.close_through(person(db, SECRETARIAT), date(2020, 3, 31))
    finally:
        signals.period_closed.disconnect(listener)
    assert len(heard) == 11  # May 2019 … March 2020, in order
    assert heard[-1] == (date(2020, 3, 1), person(db, SECRETARIAT))
    march = db.session.scalar(sa.select(AccountingPeriod).where(AccountingPeriod.month == date(2020, 3, 1)))
    stored = json.loads(march.figures)
    assert stored["movements"]["deposit"] == "100000.00"
    assert stored["movements"]["fee"] == "1000.00"
    assert stored["movements"]["allocation"] == "50000.00"
    assert stored["movements"]["expenditure"] == "1000.00"
    assert stored["entries"] == 5
    assert stored["balance_with_agent"] == "69000.00"  # 100,000 − 1,000 fee − 30,000 transferred
    assert march.closed_by_id == person(db, SECRETARIAT).id
    assert [e.action for e in PERIOD.timeline(march.id)] == ["open", "close"]
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "accounting_period", AuditEntry.object_id == str(march.id)
        )
    ).all()
    assert actions == ["accounting_period.open", "accounting_period.close"]


def test_only_the_secretariat_closes_a_month(db):
    with pytest.raises(NotAllowed):
        periods.close_period(person(db, ADMIN), date(2019, 5, 1))


# What a closed month refuses ------------------------------------------------------------------------------


@pytest.fixture
def closed_march(db) -> dict[str, int]:
    """Money moved in March 2020, and every month up to March 2020 closed."""
    ids = _money_moving(db)
    periods.close_through(None, date(2020, 3, 31))
    return ids


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("deposit", "deposited_on"),
        ("interest", "entry_on"),
        ("direct_cost", "entry_on"),
        ("bank_charge", "entry_on"),
        ("allocation", "entry_on"),
        ("transfer", "entry_on"),
        ("expenditure", "entry_on"),
        ("refund", "entry_on"),
    ],
)
def test_every_posting_dated_in_a_closed_month_is_refused_and_an_open_month_takes_it(db, closed_march, kind, field):
    agreement = cf.agreement("MEX", currency="USD", reference="P-MEX")
    undp = closed_march["undp"]
    post = {
        "deposit": lambda on: services.record_deposit(None, agreement, D("10.00"), on),
        "interest": lambda on: ledger.post_interest(None, D("10.00"), on),
        "direct_cost": lambda on: ledger.post_direct_cost(None, D("10.00"), on),
        "bank_charge": lambda on: ledger.post_bank_charge(None, D("10.00"), on),
        "allocation": lambda on: ledger.allocate(None, D("10.00"), None, 42, on),
        "transfer": lambda on: ledger.post_transfer(None, D("10.00"), 41, undp, on),
        "expenditure": lambda on: ledger.post_expenditure(None, D("10.00"), 41, undp, on),
        "refund": lambda on: ledger.post_refund(None, D("10.00"), 41, undp, on),
    }[kind]
    before = cf.entry_count()
    with pytest.raises(ledger.PeriodClosed) as refused:
        post(date(2020, 3, 31))
    assert refused.value.field == field
    assert "March 2020 is closed" in refused.value.message
    assert "from 1 April 2020" in refused.value.message
    assert cf.entry_count() == before
    post(date(2020, 4, 1))
    assert cf.entry_count() > before


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (lambda: clock.today() + timedelta(days=1), "cannot be dated in the future"),
        (lambda: date(2099, 1, 1), "cannot be dated in the future"),
        (lambda: date(1900, 1, 1), r"before the fund's books start \(1 May 2019\)"),
        (lambda: date(2019, 4, 30), r"before the fund's books start \(1 May 2019\)"),
    ],
)
def test_postings_after_today_or_before_the_books_start_are_refused(db, on, message):
    cf.deposit("DEU")
    with pytest.raises(ledger.PeriodClosed, match=message):
        ledger.post_interest(None, D("3000000.00"), on())
    assert ledger.funding_status().interest_fund == 0


def test_interest_dated_tomorrow_cannot_pay_for_an_allocation_today(db):
    """The issue's attack: interest dated 2099 paid for an allocation and left today's pool negative."""
    cf.deposit("DEU", amount="1000.00")
    with pytest.raises(ledger.PeriodClosed):
        ledger.post_interest(None, D("3000000.00"), date(2099, 1, 1))
    with pytest.raises(ledger.InsufficientFunds):
        ledger.allocate(None, D("3000000.00"), None, 5, clock.today())
    assert all(p.available >= 0 for p in ledger.pool_balances(clock.today()))


def test_a_correction_of_a_closed_month_is_a_reversal_in_an_open_month_naming_the_original(db, closed_march):
    wrong = db.session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.kind == EntryKind.expenditure, LedgerEntry.programme_id == 41)
    )
    march = db.session.scalar(sa.select(AccountingPeriod).where(AccountingPeriod.month == date(2020, 3, 1)))
    with pytest.raises(ledger.PeriodClosed, match="March 2020 is closed"):
        ledger.reverse_entry(None, wrong, "Posted to the wrong programme", on=date(2020, 3, 20))
    (reversal,) = ledger.reverse_entry(None, wrong, "Posted to the wrong programme")
    assert reversal.entry_on == clock.today()  # the original's month is closed: the reversal goes to today
    assert reversal.reversal_of_id == wrong.id
    assert reversal.description == f"Reversal of #{wrong.id}: Posted to the wrong programme"
    assert periods.unchanged_since_close(march)
    (other,) = ledger.reverse_entry(
        None, ledger.post_interest(None, D("5.00"), date(2020, 5, 5)), "typo", on=date(2020, 6, 1)
    )
    assert other.entry_on == date(2020, 6, 1)


def test_a_reversal_left_to_its_default_date_keeps_the_original_date_while_that_month_is_open(db):
    entry = ledger.post_interest(None, D("5.00"), date(2020, 5, 5))
    (reversal,) = ledger.reverse_entry(None, entry, "typo")
    assert reversal.entry_on == date(2020, 5, 5)


def test_the_rate_of_a_closed_month_cannot_change_but_an_open_months_can(db, closed_march):
    with pytest.raises(DomainError, match="March 2020 is closed: its rates cannot change") as refused:
        services.set_rate(None, "EUR", date(2020, 3, 1), "0.91")
    assert refused.value.field == "month"
    services.set_rate(None, "EUR", date(2020, 4, 1), "0.91")
    with pytest.raises(services.ImportFailed) as failed:
        services.import_rates(None, b"currency,month,rate\nEUR,2020-04,0.92\nGBP,2020-02,0.8\n")
    assert failed.value.rows == [(3, "February 2020 is closed: its rates cannot change")]


def test_an_import_refuses_rows_dated_in_a_closed_month(db, closed_march):
    content = b"agreement,date,amount\nP-MEX,2020-03-31,10.00\nP-MEX,2020-04-01,10.00\n"
    with pytest.raises(services.ImportFailed) as failed:
        services.import_deposits(None, content)
    assert failed.value.rows == [(2, "March 2020 is closed (record it in an open month)")]


# Reopening --------------------------------------------------------------------------------------------------


def test_an_administrator_reopens_the_last_closed_month_with_a_reason(db, closed_march):
    admin = person(db, ADMIN)
    with pytest.raises(DomainError, match="Only the most recent closed month, March 2020, can be reopened"):
        periods.reopen_period(admin, date(2020, 2, 1), "a missed bank charge")
    with pytest.raises(IllegalTransition, match="reason"):
        periods.reopen_period(admin, date(2020, 3, 1), "  ")
    with pytest.raises(NotAllowed):
        periods.reopen_period(person(db, SECRETARIAT), date(2020, 3, 1), "a missed bank charge")
    period = periods.reopen_period(admin, date(2020, 3, 1), "a missed bank charge")
    assert not period.is_closed
    assert ledger.books().closed_through == date(2020, 2, 1)
    event = PERIOD.timeline(period.id)[-1]
    assert (event.action, event.reason, event.actor_id) == ("reopen", "a missed bank charge", admin.id)
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "accounting_period.reopen"))
    assert json.loads(audit.details)["reason"] == "a missed bank charge"
    told = db.session.scalars(
        sa.select(Notification).join(User, User.id == Notification.user_id).where(User.email == SECRETARIAT)
    ).all()
    assert any("March 2020 was reopened" in n.subject for n in told)
    # The month takes the missed charge, then closes again with its new figures.
    ledger.post_bank_charge(None, D("25.00"), date(2020, 3, 31))
    periods.close_period(person(db, SECRETARIAT), date(2020, 3, 1))
    assert json.loads(period.figures)["movements"]["bank_charge"] == "25.00"
    assert [e.action for e in PERIOD.timeline(period.id)] == ["open", "close", "reopen", "close"]


def test_a_month_that_is_not_closed_cannot_be_reopened(db):
    with pytest.raises(DomainError, match="May 2019 is not closed"):
        periods.reopen_period(person(db, ADMIN), date(2019, 5, 1), "why not")


# Pages' services -----------------------------------------------------------------------------------------


def test_periods_page_checks_each_closed_month_against_its_stored_figures(db, closed_march):
    page = periods.periods_page()
    by_month = {row.month: row for row in page.rows}
    assert page.next_month == date(2020, 4, 1)
    assert page.next_blockers == []
    assert by_month[date(2020, 3, 1)].is_closed
    assert by_month[date(2020, 3, 1)].unchanged
    assert by_month[date(2020, 3, 1)].movement(EntryKind.deposit) == D("100000.00")
    assert by_month[date(2020, 4, 1)].can_close
    assert by_month[date(2020, 4, 1)].unchanged is None
    assert not by_month[date(2020, 5, 1)].can_close
    # Only a write behind the ledger's back could change a closed month: the page would say so.
    db.session.execute(
        sa.insert(LedgerEntry).values(
            kind="interest", category="interest", entry_on=date(2020, 3, 15), amount_usd=D("1.00"), description=""
        )
    )
    by_month = {row.month: row for row in periods.periods_page().rows}
    assert by_month[date(2020, 3, 1)].unchanged is False


def test_month_page_shows_what_changed_since_the_last_close(db, closed_march):
    ledger.post_interest(None, D("12.34"), date(2020, 4, 10), description="April interest")
    services.set_rate(None, "EUR", date(2020, 4, 1), "0.91")
    page = periods.month_page(date(2020, 4, 1))
    assert [e.description for e in page.changes.postings] == ["April interest"]
    assert page.changes.deposits == []
    assert [(r.currency, r.rate) for r in page.changes.rates] == [("EUR", D("0.910000"))]
    assert page.close_blockers == []
    assert page.figures.movements[EntryKind.interest] == D("12.34")
    march = periods.month_page(date(2020, 3, 1))
    assert march.is_closed
    assert march.unchanged
    assert march.can_reopen
    assert periods.month_page(date(2020, 2, 1)).can_reopen is False


def test_thematic_area_pools_are_in_the_stored_figures(db):
    area = db.session.scalar(sa.select(ThematicArea).order_by(ThematicArea.position))
    agreement = cf.agreement("NOR", currency="USD", area_id=area.id, reference="P-NOR-TA", signed_on=date(2019, 5, 10))
    services.record_deposit(None, agreement, D("1000.00"), date(2019, 5, 20))
    period = periods.close_period(None, date(2019, 5, 1))
    assert json.loads(period.figures)["pools"][area.code] == "990.00"


def test_a_reopened_month_shows_only_what_changed_since_it_was_closed(db, closed_march):
    assert len(periods.month_page(date(2020, 3, 1)).changes.postings) == 0  # closed: nothing new
    periods.reopen_period(person(db, ADMIN), date(2020, 3, 1), "a missed bank charge")
    ledger.post_bank_charge(None, D("25.00"), date(2020, 3, 31), description="Missed charge")
    changes = periods.month_page(date(2020, 3, 1)).changes
    assert changes.since is not None
    assert [e.description for e in changes.postings] == ["Missed charge"]
    assert changes.deposits == []


def test_a_month_never_closed_shows_everything_dated_in_it(db):
    _money_moving(db)
    changes = periods.month_page(date(2020, 3, 1)).changes
    assert changes.since is None
    assert changes.postings_total == 3  # allocation, transfer, expenditure (deposits are listed apart)
    assert changes.deposits_total == 1
