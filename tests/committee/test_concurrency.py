"""The committee at once on PostgreSQL: two funding decisions racing for the last money (exactly one succeeds, no
pool goes negative), and one member voting twice at once (one vote, never an error)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from fundapp.auth.models import User
from fundapp.auth.sessions import Client, start_session
from fundapp.committee import services, workflow
from fundapp.committee.models import AgendaItem, CommitteeSeat, VoteRecord
from fundapp.contributions import ledger
from fundapp.contributions import services as contributions
from fundapp.core.extensions import db as _db
from fundapp.core.forms import new_submission_key
from fundapp.core.models import AuditEntry
from tests.committee.decision_helpers import funding_item, meeting_in_session, ready_note, vote_all
from tests.concurrency import all_at_once, committed, signed_in
from tests.contributions import factories

pytestmark = pytest.mark.postgres_only


def _tables_with_ids() -> list[sa.Table]:
    return [t for t in _db.metadata.sorted_tables if "id" in t.c]


@pytest.fixture
def two_funding_items(app):
    """Two ready notes (US$ 1,070,000 each) on a meeting in session, every vote cast, US$ 1,500,000 in the pools.

    Committed for real (concurrent sessions must see it); every row created is deleted afterwards.
    """
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")

    with _db.engine.connect() as conn:
        before = {t.name: conn.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))) for t in _tables_with_ids()}
    with app.app_context():
        agreement = factories.agreement("PHL", currency="USD", amount="5000000.00", reference="CONC-DECISIONS")
        contributions.record_deposit(None, agreement, Decimal("1515151.52"), date(2026, 2, 1))
        first, second = ready_note(), ready_note()
        meeting = meeting_in_session(title="Funding race")
        items = [funding_item(first, meeting), funding_item(second, meeting)]
        for item in items:
            vote_all(item)
        _db.session.commit()
        ids = [item.id for item in items]
        assert ledger.available_in(None) == Decimal("1500000.00")
        _db.session.remove()
    yield ids
    with _db.engine.begin() as conn:
        # The append-only tables' triggers refuse DELETE; the test's own cleanup runs as the database's superuser
        # would, with triggers off for this transaction only.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in reversed(_tables_with_ids()):
            conn.execute(sa.delete(table).where(table.c.id > before[table.name]))


def _decide(app, item_id: int, outcome: dict, key: str, hold: threading.Event | None = None, done=None) -> None:
    with app.app_context():
        try:
            chair = _db.session.scalar(sa.select(User).where(User.email == "chair@example.org"))
            item = _db.session.get(AgendaItem, item_id)
            services.record_decision(chair, item, services.DecisionInput("approve_funding"))
            if done is not None:
                done.set()
            if hold is not None:
                hold.wait(10)  # keep the transaction (and the ledger lock) open
            _db.session.commit()
            outcome[key] = "funded"
        except ledger.InsufficientFunds as exc:
            _db.session.rollback()
            outcome[key] = exc.message
        finally:
            _db.session.remove()


def _check_end_state(app) -> None:
    with app.app_context():
        statuses = list(_db.session.scalars(sa.select(AgendaItem.status).where(AgendaItem.kind == "funding")))
        assert sorted(statuses) == [workflow.DECIDED, workflow.PENDING]
        assert all(pool.available >= 0 for pool in ledger.pool_balances())
        assert ledger.available_in(None) == Decimal("430000.00")
        _db.session.remove()


def test_concurrent_funding_decisions_service_level(app, two_funding_items):
    first_done, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}
    one = threading.Thread(target=_decide, args=(app, two_funding_items[0], outcome, "first", release, first_done))
    one.start()
    assert first_done.wait(10)
    two = threading.Thread(target=_decide, args=(app, two_funding_items[1], outcome, "second"))
    two.start()
    two.join(0.5)
    assert two.is_alive(), "the second decision must wait for the first one's ledger lock"
    release.set()
    one.join(10)
    two.join(10)
    assert outcome["first"] == "funded"
    assert "Only US$ 430,000.00 is available" in outcome["second"]
    _check_end_state(app)


def test_concurrent_funding_decisions_through_the_pages(app, two_funding_items):
    """The chair submits both decisions at once from two browsers: one is recorded, the other refused."""
    barrier = threading.Barrier(2)
    responses: dict[int, int] = {}

    def post(item_id: int) -> None:
        client = app.test_client()
        with app.app_context():
            chair = _db.session.scalar(sa.select(User).where(User.email == "chair@example.org"))
            user_id = start_session(chair, Client("127.0.0.1", "pytest"))  # the session the cookie names
            _db.session.commit()
            _db.session.remove()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        barrier.wait(5)
        response = client.post(f"/committee/items/{item_id}/decide", data={f"item{item_id}-outcome": "approve_funding"})
        responses[item_id] = response.status_code

    threads = [threading.Thread(target=post, args=(item_id,)) for item_id in two_funding_items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(responses.values()) == [302, 302]
    with app.app_context():
        decided = _db.session.scalars(
            sa.select(AgendaItem).where(AgendaItem.id.in_(two_funding_items), AgendaItem.status == workflow.DECIDED)
        ).all()
        assert len(decided) == 1
        _db.session.remove()
    _check_end_state(app)


# One member, one vote, whatever the concurrency -------------------------------------------------------------


@pytest.fixture
def open_item(app):
    """An item of other business on a meeting in session with every seat present (committed for real)."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")
    with committed(app):
        with app.app_context():
            meeting = meeting_in_session(title="Voting race")
            item = services.add_item(None, meeting, "other", title="Any other business")
            _db.session.commit()
            item_id = item.id
            _db.session.remove()
        yield item_id


def _votes(app, item_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = _db.session.execute(
            sa.select(User.email, VoteRecord.vote)
            .join(CommitteeSeat, CommitteeSeat.id == VoteRecord.seat_id)
            .join(User, User.id == CommitteeSeat.user_id)
            .where(VoteRecord.item_id == item_id)
        ).all()
        _db.session.remove()
    return [(email, vote.value) for email, vote in rows]


def test_two_votes_of_one_member_at_once_leave_one_vote_and_no_error(app, open_item):
    """The issue's race: two simultaneous votes by one member gave a 500 (the unique constraint)."""
    url = f"/committee/items/{open_item}/vote"
    clients = [signed_in(app, "member1@example.org") for _ in range(2)]
    responses = all_at_once(
        [lambda c=c, v=v: c.post(url, data={"vote": v}) for c, v in zip(clients, ("approve", "object"), strict=True)]
    )
    assert [r.status_code for r in responses] == [302, 302]
    votes = _votes(app, open_item)
    assert len(votes) == 1
    assert votes[0][0] == "member1@example.org"


def test_the_same_vote_form_sent_twice_at_once_is_recorded_once(app, open_item):
    url = f"/committee/items/{open_item}/vote"
    data = {"vote": "approve", "submission_key": new_submission_key()}
    client = signed_in(app, "member2@example.org")
    responses = all_at_once([lambda: client.post(url, data=data), lambda: client.post(url, data=data)])
    assert [r.status_code for r in responses] == [302, 302]
    assert _votes(app, open_item) == [("member2@example.org", "approve")]
    with app.app_context():
        audit = _db.session.scalar(
            sa.select(sa.func.count()).where(
                AuditEntry.action == "committee.vote", AuditEntry.object_id == str(open_item)
            )
        )
        _db.session.remove()
    assert audit == 1
