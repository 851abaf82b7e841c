"""Property: whatever sequence of postings, reversals and month closings the services accept or refuse, and
whatever their dates, the books stay consistent and a closed month's figures never change."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fundapp.auth.models import Organisation
from fundapp.contributions import ledger, periods, services
from fundapp.contributions.models import AccountingPeriod, Deposit, EntryKind, LedgerEntry
from fundapp.core.errors import DomainError
from fundapp.reference.models import ThematicArea
from tests.contributions import factories as cf

ZERO = Decimal("0.00")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40000.00"), places=2)
small = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("6000.00"), places=2)
#: Every example starts with money in, allocated and partly transferred, so refunds and expenditure can happen.
PREAMBLE = [
    ("deposit", date(2020, 1, 2), 0, Decimal("60000.00")),
    ("allocate", date(2020, 1, 3), 1, 1, Decimal("30000.00")),
    ("transfer", date(2020, 1, 4), 1, Decimal("15000.00")),
]
programmes = st.integers(min_value=1, max_value=3)
#: A posting's date: a day of 2020 (months close in order during an example, so later ones stay open longer).
days = st.builds(lambda month, day: date(2020, month, day), st.integers(1, 12), st.integers(1, 28))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), days, st.integers(0, 2), amounts),
        st.tuples(st.just("allocate"), days, st.integers(0, 2), programmes, amounts),
        st.tuples(st.just("transfer"), days, programmes, amounts),
        st.tuples(st.just("refund"), days, programmes, small),
        st.tuples(st.just("expenditure"), days, programmes, small),
        st.tuples(st.just("interest"), days, amounts),
        st.tuples(st.just("direct_cost"), days, amounts),
        st.tuples(st.just("bank_charge"), days, amounts),
        st.tuples(st.just("reverse"), days, st.integers(0, 10_000)),
        st.tuples(st.just("close"), days),
    ),
    min_size=1,
    max_size=18,
)


def _setup(db) -> tuple[list, list[int | None], int]:
    areas = db.session.scalars(sa.select(ThematicArea.id).order_by(ThematicArea.position)).all()
    for month in range(1, 13):
        cf.rate("EUR", date(2020, month, 1), "0.897531")
        cf.rate("GBP", date(2020, month, 1), "0.771")
    agreements = [
        cf.agreement("DEU", currency="EUR", amount="900000000.00", reference="P-EUR"),
        cf.agreement("NLD", currency="GBP", amount="900000000.00", area_id=areas[0], reference="P-GBP-TA1"),
        cf.agreement("NOR", currency="USD", amount="900000000.00", area_id=areas[1], reference="P-USD-TA2"),
    ]
    undp = db.session.scalar(sa.select(Organisation.id).where(Organisation.code == "UNDP"))
    periods.close_through(None, date(2019, 12, 31))  # the books of 2019 (empty) are closed: 2020 is open
    return agreements, [None, areas[0], areas[1]], undp


def _apply(op: tuple, agreements: list, pools: list[int | None], org: int) -> None:
    name, on, *args = op
    if name == "deposit":
        services.record_deposit(None, agreements[args[0]], args[1], on)
    elif name == "allocate":
        ledger.allocate(None, args[2], pools[args[0]], args[1], on)
    elif name == "transfer":
        ledger.post_transfer(None, args[1], args[0], org, on)
    elif name == "refund":
        ledger.post_refund(None, args[1], args[0], org, on)
    elif name == "expenditure":
        ledger.post_expenditure(None, args[1], args[0], org, on)
    elif name == "interest":
        ledger.post_interest(None, args[0], on)
    elif name == "direct_cost":
        ledger.post_direct_cost(None, args[0], on)
    elif name == "bank_charge":
        ledger.post_bank_charge(None, args[0], on)
    elif name == "reverse":
        ids = ledger.db.session.scalars(sa.select(LedgerEntry.id).order_by(LedgerEntry.id)).all()
        if ids:
            entry = ledger.db.session.get(LedgerEntry, ids[args[0] % len(ids)])
            ledger.reverse_entry(None, entry, "property test", on=on)
    elif name == "close":
        # Close the next month if `on` is past it (months close in order): as the secretariat would, now and then.
        upcoming = periods.next_to_close(ledger.books())
        if upcoming is not None and upcoming <= on.replace(day=1):
            periods.close_period(None, upcoming)


def _check_closed_months(db, stored: dict) -> None:
    """Every month closed so far still gives the figures it was closed with; a posting never lands in one."""
    closed = db.session.scalars(sa.select(AccountingPeriod).where(AccountingPeriod.status == "closed")).all()
    for period in closed:
        figures = periods.month_figures(period.month).as_json()
        stored.setdefault(period.month, figures)
        assert figures == stored[period.month], period.month
        assert periods.unchanged_since_close(period)
        status = ledger.funding_status(ledger.month_end(period.month))
        assert status.total_sources - status.total_uses == status.balance_with_agent
    through = ledger.books().closed_through
    if through is not None:
        latest = db.session.scalar(
            sa.select(sa.func.max(LedgerEntry.created_at)).where(LedgerEntry.entry_on <= ledger.month_end(through))
        )
        closed_at = db.session.scalar(sa.select(AccountingPeriod.closed_at).where(AccountingPeriod.month == through))
        assert latest is None or latest <= closed_at


def _check_books(db) -> None:
    rows = db.session.execute(
        sa.select(
            LedgerEntry.category,
            LedgerEntry.amount_usd,
            LedgerEntry.thematic_area_id,
            LedgerEntry.programme_id,
            LedgerEntry.organisation_id,
        )
    ).all()
    # Every total equals the sum of its ledger rows.
    by_category: dict[EntryKind, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        by_category[row.category] += row.amount_usd
    totals = ledger.category_totals()
    for kind in EntryKind:
        if kind is not EntryKind.reversal:
            assert totals[kind] == by_category[kind], kind
    status = ledger.funding_status()
    assert status.contributions == by_category[EntryKind.deposit]
    assert status.fee == by_category[EntryKind.fee]
    assert status.transfers == by_category[EntryKind.transfer]
    assert status.refunds == by_category[EntryKind.refund]
    # Deposits and their fees agree with the deposit records that were not reversed.
    live = db.session.execute(
        sa.select(sa.func.sum(Deposit.amount_usd), sa.func.sum(Deposit.fee_usd)).where(services.live_deposits())
    ).one()
    assert (live[0] or ZERO) == status.contributions
    assert (live[1] or ZERO) == status.fee
    # The statement balances: sources − uses is the cash the agent holds, summed independently in SQL.
    assert status.total_sources - status.total_uses == status.balance_with_agent
    assert status.total_balance == status.balance_with_agent + status.balance_with_organisations
    # No pool is negative, and the pools plus what is allocated but not transferred is the agent's cash.
    pools = ledger.pool_balances()
    assert all(p.available >= 0 for p in pools), [(p.label, p.available) for p in pools]
    assert sum((p.available for p in pools), ZERO) + status.allocations - status.transfers == status.balance_with_agent
    assert status.allocations >= status.transfers
    assert status.balance_with_organisations >= 0
    # Per programme: never more transferred than allocated, never more spent or refunded than held.
    per: dict[int, dict[EntryKind, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in rows:
        if row.programme_id is not None:
            per[row.programme_id][row.category] += row.amount_usd
    for figures in per.values():
        assert figures[EntryKind.allocation] >= figures[EntryKind.transfer]
        held = figures[EntryKind.transfer] - figures[EntryKind.refund] - figures[EntryKind.expenditure]
        assert held >= 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_books_balance_after_every_posting(db, ops):
    savepoint = db.session.begin_nested()
    try:
        agreements, pools, org = _setup(db)
        stored: dict = {}
        for op in PREAMBLE + ops:
            try:
                with db.session.begin_nested():
                    _apply(op, agreements, pools, org)
                event(f"{op[0]} posted")
            except ledger.PeriodClosed:
                event(f"{op[0]} refused: closed month")
            except DomainError:
                event(f"{op[0]} refused")  # a refusal is a legitimate outcome; the books must still hold
            _check_books(db)
            _check_closed_months(db, stored)
    finally:
        savepoint.rollback()
