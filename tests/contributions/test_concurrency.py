"""Two allocations at once on PostgreSQL: the second waits for the first and cannot overspend."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import Organisation
from fundapp.contributions import ledger, services
from fundapp.contributions.models import Agreement, DonorType
from fundapp.core.extensions import db as _db

pytestmark = pytest.mark.postgres_only

TABLES_CREATED = (
    "ledger_entries",
    "deposits",
    "expected_payments",
    "agreements",
    "donors",
    "audit_checkpoints",
    "audit_log",
)


@pytest.fixture
def funded_pool(app):
    """US$ 1,000.00 net in the unearmarked pool, committed for real (concurrent sessions must see it)."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")
    with _db.engine.connect() as conn:
        before = {t: conn.scalar(sa.text(f"SELECT coalesce(max(id), 0) FROM {t}")) for t in TABLES_CREATED}  # noqa: S608
    with app.app_context():
        org = _db.session.scalar(sa.select(Organisation).where(Organisation.code == "PHL"))
        donor = services.create_donor(None, org, DonorType.member_state, None)
        agreement = services.create_agreement(None, donor, "CONC-1", date(2020, 1, 1), Decimal("5000"), "USD")
        services.record_deposit(None, agreement, Decimal("1010.10"), date(2020, 2, 1))
        _db.session.commit()
        _db.session.remove()
    yield
    with _db.engine.begin() as conn:
        # The append-only tables' triggers refuse DELETE; the test's own cleanup runs as the database's superuser
        # would, with triggers off for this transaction only.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in TABLES_CREATED:
            conn.execute(sa.text(f"DELETE FROM {table} WHERE id > :id"), {"id": before[table]})  # noqa: S608
    assert not _db.session.scalar(sa.select(Agreement.id).where(Agreement.reference == "CONC-1"))


def test_concurrent_allocations_cannot_overspend(app, funded_pool):
    first_posted = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with app.app_context():
            ledger.allocate(None, Decimal("800.00"), None, 9001, date(2020, 3, 1))
            first_posted.set()
            release_first.wait(10)  # hold the transaction (and the ledger lock) open
            _db.session.commit()
            _db.session.remove()

    def second() -> None:
        with app.app_context():
            try:
                ledger.allocate(None, Decimal("800.00"), None, 9002, date(2020, 3, 1))
                _db.session.commit()
                outcome["second"] = "posted"
            except ledger.InsufficientFunds as exc:
                _db.session.rollback()
                outcome["second"] = exc.message
            finally:
                outcome["second_done"] = True
                _db.session.remove()

    one = threading.Thread(target=first)
    one.start()
    assert first_posted.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second allocation must wait for the first transaction's ledger lock"
    release_first.set()
    one.join(10)
    two.join(10)
    assert "Only US$ 200.00 is available" in str(outcome["second"])
    with app.app_context():
        assert ledger.available_in(None) == Decimal("200.00")
        _db.session.remove()
