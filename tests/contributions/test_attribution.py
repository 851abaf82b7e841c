"""Exact attribution (issue 11, item 6): donors' shares of every programme's and pool's allocation are split by the
largest remainder, so they add up to its total to the cent, whatever the amounts and the mix of donors."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundapp.contributions import ledger, services
from fundapp.contributions.models import EntryKind, LedgerEntry
from fundapp.core.money import split_by_weights
from fundapp.reference.models import ThematicArea
from tests.contributions import factories as cf

ZERO = Decimal("0.00")
cents = st.integers(min_value=-(10**12), max_value=10**12).map(lambda c: Decimal(c) / 100)
weights = st.lists(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000000"), places=6), min_size=1, max_size=15
)


@given(total=cents, values=weights)
def test_split_by_weights_adds_up_to_the_cent(total, values):
    parts = split_by_weights(total, dict(enumerate(values)))
    if not any(v > 0 for v in values):
        assert parts == {}
        return
    assert sum(parts.values(), ZERO) == total
    assert set(parts) == {i for i, v in enumerate(values) if v > 0}
    whole = sum(v for v in values if v > 0)
    for key, part in parts.items():
        assert part == part.quantize(Decimal("0.01"))
        exact = total * values[key] / whole
        assert abs(part - exact) < Decimal("0.01")  # never more than a cent from the exact share


def test_split_by_weights_gives_the_leftover_cents_to_the_largest_remainders():
    assert split_by_weights(Decimal("100.00"), {"a": Decimal(1), "b": Decimal(1), "c": Decimal(1)}) == {
        "a": Decimal("33.34"),
        "b": Decimal("33.33"),
        "c": Decimal("33.33"),
    }
    # 0.05 in 1:2 is 0.01666… and 0.03333…: the larger remainder (a's .666) takes the spare cent.
    assert split_by_weights(Decimal("0.05"), {"a": Decimal(1), "b": Decimal(2)}) == {
        "a": Decimal("0.02"),
        "b": Decimal("0.03"),
    }
    assert split_by_weights(Decimal("-0.05"), {"a": Decimal(1), "b": Decimal(2)}) == {
        "a": Decimal("-0.02"),
        "b": Decimal("-0.03"),
    }


DONORS = ("DEU", "NLD", "NOR", "DNK", "BEL", "FRA")
deposit_amounts = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("900000.00"), places=2)
mixes = st.lists(st.tuples(st.sampled_from(DONORS), st.integers(0, 2), deposit_amounts), min_size=1, max_size=8)
allocations = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 4), st.decimals(Decimal("0.01"), Decimal("50000.00"), places=2)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mix=mixes, allocated=allocations)
def test_donors_shares_of_every_programme_and_pool_add_up_to_its_total(db, mix, allocated):
    savepoint = db.session.begin_nested()
    try:
        areas = db.session.scalars(sa.select(ThematicArea.id).order_by(ThematicArea.position)).all()
        pools = [None, areas[0], areas[1]]
        for n, (donor, pool, amount) in enumerate(mix):
            agreement = cf.agreement(
                donor, currency="USD", amount="999999999.00", area_id=pools[pool], reference=f"A-{donor}-{pool}"
            )
            services.record_deposit(None, agreement, amount, date(2020, 1, 1 + n))
        for pool, programme, amount in allocated:
            available = ledger.available_in(None) + (ledger.available_in(pools[pool]) if pools[pool] else ZERO)
            if amount <= available:
                ledger.allocate(None, amount, pools[pool], programme, date(2020, 2, 1))
        by_donor = services.attribution_by_donor()
        for donor_id, rows in by_donor.items():  # one donor's own working gives its rows of the whole split
            assert services.attribution(donor_id) == rows
        attributed: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
        allocated_from: dict[tuple[str, int], Decimal] = {}
        for rows in by_donor.values():
            for row in rows:
                attributed[(row.pool, row.programme_id)] += row.attributed
                allocated_from[(row.pool, row.programme_id)] = row.pool_allocated
        # Straight from the ledger: each pool's net allocation to each programme.
        expected: dict[tuple[int | None, int], Decimal] = defaultdict(lambda: ZERO)
        for area_id, programme_id, amount in db.session.execute(
            sa.select(LedgerEntry.thematic_area_id, LedgerEntry.programme_id, LedgerEntry.amount_usd).where(
                LedgerEntry.category == EntryKind.allocation
            )
        ):
            expected[(area_id, programme_id)] += amount
        codes = dict(db.session.execute(sa.select(ThematicArea.id, ThematicArea.code)).all())
        expected_by_label = {
            (f"{codes[a]} earmarked" if a else "Unearmarked", p): v for (a, p), v in expected.items() if v > 0
        }
        assert allocated_from == expected_by_label
        assert dict(attributed) == expected_by_label  # to the cent, programme by programme
        pool_totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (pool, _p), value in attributed.items():
            pool_totals[pool] += value
        for pool, total in pool_totals.items():
            assert total == sum((v for (p, _), v in expected_by_label.items() if p == pool), ZERO)
    finally:
        savepoint.rollback()
        db.session.expunge_all()  # the next example may get the same ids (SQLite reuses them)


def test_three_equal_donors_share_a_cent_exactly(db):
    """The case the issue measured: three donors, one third each, used to lose or gain a cent per programme."""
    for code in ("DEU", "NLD", "NOR"):
        agreement = cf.agreement(code, currency="USD", amount="1000.00", reference=f"EQ-{code}")
        services.record_deposit(None, agreement, Decimal("1000.00"), date(2020, 1, 1))
    ledger.allocate(None, Decimal("100.00"), None, 7, date(2020, 2, 1))
    rows = [row for rows in services.attribution_by_donor().values() for row in rows if row.programme_id == 7]
    assert sorted(r.attributed for r in rows) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(r.attributed for r in rows) == Decimal("100.00")
    donor = cf.donor("DEU")
    assert services.attribution(donor.id) == services.attribution_by_donor()[donor.id]
