"""Property: whatever sequence of postings the services accept or refuse, the books stay consistent."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fundapp.auth.models import Organisation
from fundapp.contributions import ledger, services
from fundapp.contributions.models import Deposit, EntryKind, LedgerEntry
from fundapp.core.errors import DomainError
from fundapp.reference.models import ThematicArea
from tests.contributions import factories as cf

ZERO = Decimal("0.00")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40000.00"), places=2)
small = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("6000.00"), places=2)
#: Every example starts with money in, allocated and partly transferred, so refunds and expenditure can happen.
PREAMBLE = [
    ("deposit", 0, Decimal("60000.00")),
    ("allocate", 1, 1, Decimal("30000.00")),
    ("transfer", 1, Decimal("15000.00")),
]
programmes = st.integers(min_value=1, max_value=3)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.integers(0, 2), amounts),
        st.tuples(st.just("allocate"), st.integers(0, 2), programmes, amounts),
        st.tuples(st.just("transfer"), programmes, amounts),
        st.tuples(st.just("refund"), programmes, small),
        st.tuples(st.just("expenditure"), programmes, small),
        st.tuples(st.just("interest"), amounts),
        st.tuples(st.just("direct_cost"), amounts),
        st.tuples(st.just("bank_charge"), amounts),
        st.tuples(st.just("reverse"), st.integers(0, 10_000)),
    ),
    min_size=1,
    max_size=18,
)


def _setup(db) -> tuple[list, list[int | None], int]:
    areas = db.session.scalars(sa.select(ThematicArea.id).order_by(ThematicArea.position)).all()
    cf.rate("EUR", date(2020, 3, 1), "0.897531")
    cf.rate("GBP", date(2020, 3, 1), "0.771")
    agreements = [
        cf.agreement("DEU", currency="EUR", amount="900000000.00", reference="P-EUR"),
        cf.agreement("NLD", currency="GBP", amount="900000000.00", area_id=areas[0], reference="P-GBP-TA1"),
        cf.agreement("NOR", currency="USD", amount="900000000.00", area_id=areas[1], reference="P-USD-TA2"),
    ]
    undp = db.session.scalar(sa.select(Organisation.id).where(Organisation.code == "UNDP"))
    return agreements, [None, areas[0], areas[1]], undp


def _apply(op: tuple, agreements: list, pools: list[int | None], org: int) -> None:
    on = date(2020, 3, 15)
    name, *args = op
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
            ledger.reverse_entry(None, entry, "property test")


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
        for op in PREAMBLE + ops:
            try:
                with db.session.begin_nested():
                    _apply(op, agreements, pools, org)
                event(f"{op[0]} posted")
            except DomainError:
                event(f"{op[0]} refused")  # a refusal is a legitimate outcome; the books must still hold
            _check_books(db)
    finally:
        savepoint.rollback()
