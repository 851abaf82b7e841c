"""Money at once on PostgreSQL: allocations, deposits against a commitment, a deposit form posted four times,
a double reversal, and a month closing while a posting is in flight."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import Organisation
from fundapp.contributions import ledger, periods, services
from fundapp.contributions.models import Agreement, Deposit, DonorType, LedgerEntry
from fundapp.core.extensions import db as _db
from fundapp.core.forms import new_submission_key
from tests.concurrency import all_at_once, committed, needs_postgresql, service_session, signed_in

pytestmark = pytest.mark.postgres_only

TABLES_CREATED = (
    "ledger_entries",
    "deposits",
    "expected_payments",
    "agreements",
    "donors",
    "accounting_periods",
    "state_events",
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


# Deposits, reversals and closings at once (HTTP and services, each thread its own session) --------------------

SECRETARIAT = "secretariat@example.org"


def _agreement(app, reference: str, amount: str) -> int:
    with app.app_context():
        org = _db.session.scalar(sa.select(Organisation).where(Organisation.code == "PHL"))
        donor = _db.session.scalar(sa.select(services.Donor).where(services.Donor.organisation_id == org.id))
        donor = donor or services.create_donor(None, org, DonorType.member_state, None)
        agreement = services.create_agreement(None, donor, reference, date(2020, 1, 1), Decimal(amount), "USD")
        _db.session.commit()
        agreement_id = agreement.id
        _db.session.remove()
    return agreement_id


def _deposits(app, agreement_id: int) -> list[Decimal]:
    with app.app_context():
        amounts = _db.session.scalars(sa.select(Deposit.amount).where(Deposit.agreement_id == agreement_id)).all()
        _db.session.remove()
    return list(amounts)


def test_concurrent_deposits_cannot_pass_the_commitment_unconfirmed(app):
    """The issue's race: four deposits of 600.00 at once on an agreement committing 1,000, in several rounds."""
    needs_postgresql()
    with committed(app):
        for round_ in range(3):
            agreement_id = _agreement(app, f"CONC-OVER-{round_}", "1000.00")
            url = f"/contributions/agreements/{agreement_id}/deposits/new"
            clients = [signed_in(app, SECRETARIAT) for _ in range(4)]
            data = {"deposited_on": "2020-03-02", "amount": "600.00"}
            responses = all_at_once([lambda c=c, u=url: c.post(u, data=data) for c in clients])  # noqa: B023
            statuses = sorted(r.status_code for r in responses)
            assert statuses == [200, 200, 200, 302], [r.location for r in responses]
            refused = [r for r in responses if r.status_code == 200]
            assert all("Tick the confirmation to record it anyway." in r.get_data(as_text=True) for r in refused)
            assert _deposits(app, agreement_id) == [Decimal("600.00")]


def test_the_same_deposit_form_posted_four_times_at_once_records_one_deposit(app):
    needs_postgresql()
    with committed(app):
        agreement_id = _agreement(app, "CONC-KEY", "1000000.00")
        url = f"/contributions/agreements/{agreement_id}/deposits/new"
        data = {"deposited_on": "2020-03-02", "amount": "600.00", "submission_key": new_submission_key()}
        client = signed_in(app, SECRETARIAT)  # one browser, one form, the button pressed four times
        clients = [client] + [signed_in(app, SECRETARIAT) for _ in range(3)]
        for other in clients[1:]:  # the same session cookie: the same user
            other.set_cookie("session", client.get_cookie("session").value)
        responses = all_at_once([lambda c=c: c.post(url, data=data) for c in clients])
        assert [r.status_code for r in responses] == [302] * 4
        assert len({r.location for r in responses}) == 1  # every one sent to the first deposit's page
        assert _deposits(app, agreement_id) == [Decimal("600.00")]


def test_an_entry_reversed_twice_at_once_is_reversed_once_without_an_error(app, funded_pool):
    with app.app_context():
        entry = ledger.post_interest(None, Decimal("10.00"), date(2020, 3, 5))
        _db.session.commit()
        entry_id = entry.id
        _db.session.remove()

    def reverse() -> str:
        with service_session(app):
            ledger.reverse_entry(None, _db.session.get(LedgerEntry, entry_id), "entered twice")
        return "reversed"

    results = all_at_once([reverse, reverse])
    assert sorted(str(r) for r in results) == [f"Ledger entry {entry_id} is already reversed.", "reversed"]
    with app.app_context():
        assert _db.session.scalar(sa.select(sa.func.count()).where(LedgerEntry.reversal_of_id == entry_id)) == 1
        _db.session.remove()


def test_closing_a_month_waits_for_a_posting_in_flight_and_stores_it(app, funded_pool):
    posted, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def post() -> None:
        with service_session(app):
            ledger.post_interest(None, Decimal("7.00"), date(2019, 5, 20))
            posted.set()
            release.wait(10)  # hold the transaction open while the secretariat closes May 2019

    def close() -> None:
        with service_session(app):
            outcome["figures"] = periods.close_period(None, date(2019, 5, 1)).figures

    one = threading.Thread(target=post)
    one.start()
    assert posted.wait(10)
    two = threading.Thread(target=close)
    two.start()
    two.join(0.5)
    assert two.is_alive(), "closing must wait for the posting in flight"
    release.set()
    one.join(10)
    two.join(10)
    assert '"interest":"7.00"' in str(outcome["figures"])
    with app.app_context():
        with pytest.raises(ledger.PeriodClosed):
            ledger.post_interest(None, Decimal("1.00"), date(2019, 5, 21))
        _db.session.remove()
