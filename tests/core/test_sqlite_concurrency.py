"""The embedded SQLite default under load: a committee signing in at once, then twenty form posts at once, against
a file database with the app's own settings (WAL, a busy timeout, writers taking the write lock when they begin).
Never a 500 ("database is locked"), never a lost or doubled write."""

import os
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from fundapp import create_app
from fundapp.auth.models import Organisation, User
from fundapp.committee import services as committee
from fundapp.committee.models import VoteRecord
from fundapp.contributions import services as contributions
from fundapp.contributions.models import Deposit, DonorType, LedgerEntry
from fundapp.core.db import writing
from fundapp.core.extensions import db as _db
from fundapp.core.forms import new_submission_key
from fundapp.demo import DEMO_PASSWORD
from fundapp.demo.committee import seed_committee
from fundapp.demo.services import seed_accounts
from fundapp.reference.services import load_reference
from tests.concurrency import all_at_once
from tests.conftest import make_config

MEMBERS = ["chair@example.org"] + [f"member{n}@example.org" for n in range(1, 12)]
SECRETARIAT = "secretariat@example.org"


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory):
    """A fund on its own SQLite file: accounts, the committee, a meeting in session and a USD agreement."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the SQLite pass runs this; the PostgreSQL races are in the postgres_only tests")
    folder = tmp_path_factory.mktemp("sqlite-load")
    app = create_app(make_config(f"sqlite:///{folder / 'fund.sqlite3'}", UPLOAD_FOLDER=str(folder / "uploads")))
    with app.app_context():
        upgrade()
        load_reference(app.config["REFERENCE_DATA_FILE"])
        seed_accounts()
        seed_committee()
        secretariat = _db.session.scalar(sa.select(User).where(User.email == SECRETARIAT))
        meeting = committee.create_meeting(secretariat, "Load test", date(2026, 6, 10))
        item = committee.add_item(secretariat, meeting, "other", title="Any other business")
        committee.open_meeting(None, meeting)
        committee.record_attendance(None, meeting, [s.id for s in committee.active_seats()])
        org = _db.session.scalar(sa.select(Organisation).where(Organisation.code == "PHL"))
        donor = contributions.create_donor(None, org, DonorType.member_state, None)
        agreement = contributions.create_agreement(None, donor, "LOAD-1", date(2020, 1, 1), Decimal("1000000"), "USD")
        _db.session.commit()
        app.config["LOAD_ITEM"], app.config["LOAD_AGREEMENT"] = item.id, agreement.id
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()


def _sign_in(app, email: str):
    client = app.test_client()
    return client, client.post("/login", data={"email": email, "password": DEMO_PASSWORD})


def _same_browser(app, client):
    """Another client with the same session cookie: the same person, another tab (clients are not thread-safe)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _count(app, model, *where) -> int:
    with app.app_context():
        found = _db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        _db.session.remove()
    return found


def test_the_database_runs_in_wal_mode_with_a_busy_timeout(sqlite_app):
    with sqlite_app.app_context(), _db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000


def test_a_writer_takes_the_write_lock_when_it_begins_and_readers_go_on(sqlite_app):
    with sqlite_app.app_context(), writing(), _db.engine.connect() as writer:
        writer.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock is held from here
        with writing(False), _db.engine.connect() as reader:  # a GET: a plain deferred transaction
            assert reader.exec_driver_sql("SELECT count(*) FROM users").scalar() > 0  # WAL: not blocked
        other = sa.create_engine(_db.engine.url, connect_args={"timeout": 0.1})
        with other.connect() as second:
            second.exec_driver_sql("PRAGMA busy_timeout=100")
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                second.exec_driver_sql("BEGIN IMMEDIATE")
        other.dispose()


def test_a_committee_signing_in_at_once_then_twenty_posts_at_once(sqlite_app):
    signed = all_at_once([lambda e=e: _sign_in(sqlite_app, e) for e in MEMBERS])
    assert [response.status_code for _client, response in signed] == [302] * len(MEMBERS)
    clients = dict(zip(MEMBERS, (client for client, _response in signed), strict=True))
    secretariat, response = _sign_in(sqlite_app, SECRETARIAT)
    assert response.status_code == 302
    item, agreement = sqlite_app.config["LOAD_ITEM"], sqlite_app.config["LOAD_AGREEMENT"]
    votes = [lambda c=clients[e]: c.post(f"/committee/items/{item}/vote", data={"vote": "approve"}) for e in MEMBERS]
    tabs = [_same_browser(sqlite_app, secretariat) for _ in range(20 - len(votes))]
    deposits = [
        lambda n=n: tabs[n].post(
            f"/contributions/agreements/{agreement}/deposits/new",
            data={"deposited_on": "2020-03-02", "amount": f"{100 + n}.00", "submission_key": new_submission_key()},
        )
        for n in range(20 - len(votes))
    ]
    responses = all_at_once(votes + deposits)
    assert not [r for r in responses if isinstance(r, Exception) or r.status_code >= 500], responses
    assert all(r.status_code == 302 for r in responses)
    assert _count(sqlite_app, VoteRecord, VoteRecord.item_id == item) == len(MEMBERS)
    assert _count(sqlite_app, Deposit, Deposit.agreement_id == agreement) == 20 - len(votes)
    assert _count(sqlite_app, LedgerEntry, LedgerEntry.agreement_id == agreement) == 2 * (20 - len(votes))


def test_the_same_form_posted_four_times_at_once_records_once_on_sqlite(sqlite_app):
    secretariat, _response = _sign_in(sqlite_app, SECRETARIAT)
    agreement = sqlite_app.config["LOAD_AGREEMENT"]
    before = _count(sqlite_app, Deposit)
    data = {"deposited_on": "2020-04-02", "amount": "777.00", "submission_key": new_submission_key()}
    url = f"/contributions/agreements/{agreement}/deposits/new"
    tabs = [_same_browser(sqlite_app, secretariat) for _ in range(4)]
    responses = all_at_once([lambda t=t: t.post(url, data=data) for t in tabs])
    assert [r.status_code for r in responses] == [302] * 4
    assert len({r.location for r in responses}) == 1
    assert _count(sqlite_app, Deposit) == before + 1
