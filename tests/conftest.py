"""Fixtures: one app and one migrated database per run; each test runs inside a rolled-back transaction.

SQLite (a temporary file) unless TEST_DATABASE_URL points at PostgreSQL; scripts/test runs both.
"""

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession

from config import TestConfig
from fundapp import create_app
from fundapp.auth.models import User
from fundapp.auth.sessions import Client, start_session
from fundapp.core.edge import commit
from fundapp.core.extensions import db as _db
from fundapp.demo.services import seed_accounts
from fundapp.reference.services import load_reference

IN_CI = os.environ.get("CI", "").lower() == "true"


def normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def test_database_url(tmp_dir) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_url(url) if url else f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def make_config(url: str, **overrides) -> type:
    return type("RunConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


def reset_schema(app: Flask) -> None:
    """Start from an empty database: PostgreSQL keeps what a crashed run left behind."""
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))


def build_fund(app: Flask) -> None:
    """Migrate to head, then load the reference data and the demo accounts: what every test stands on."""
    with app.app_context():
        upgrade()
        load_reference(app.config["REFERENCE_DATA_FILE"])
        seed_accounts()
        _db.session.commit()
        _db.session.remove()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return test_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory) -> Iterator[Flask]:
    """One app for the run, its schema built by the migrations (so every run also proves them)."""
    app = create_app(make_config(database_url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads"))))
    reset_schema(app)
    build_fund(app)
    with app.app_context():
        yield app
    if database_url.startswith("postgresql"):
        reset_schema(app)
    with app.app_context():
        _db.engine.dispose()  # close pooled connections before the interpreter does (ResourceWarning)


class _ConnectionSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks the app's engine for every statement, ignoring `bind`; a test's
    statements must all go through the test connection, or a view's commit really commits."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


@pytest.fixture
def db(app) -> Iterator:
    """Per-test isolation: the session is bound to a connection whose outer transaction is rolled back.

    Commits in views and CLI commands release a savepoint, so they behave as in production but
    leave nothing behind.
    """
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    _db.session = _db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
    )
    try:
        yield _db
    finally:
        _db.session.remove()
        _db.session = original
        transaction.rollback()
        connection.close()


class CommittingClient(FlaskClient):
    """What a test set up before a request is committed first, as it would be in production, so that
    the edge's rollback of a refused request undoes that request's work only."""

    def open(self, *args, **kwargs):
        commit()
        return super().open(*args, **kwargs)


class CommittingRunner(FlaskCliRunner):
    def invoke(self, *args, **kwargs):
        commit()
        return super().invoke(*args, **kwargs)


@pytest.fixture(autouse=True)
def _nothing_left_in_g() -> Iterator[None]:
    """The run shares one app context: what a test left in `g` (the signed-in user flask-login keeps, a cached
    page language) must not reach the next test, whatever fixtures that one uses."""
    yield
    if has_app_context():
        vars(g._get_current_object()).clear()


@pytest.fixture
def client(app, db):
    """The run shares one app context, so whatever a request cached in `g` is cleared between tests."""
    vars(g._get_current_object()).clear()
    return CommittingClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def runner(app, db):
    return CommittingRunner(app)


@pytest.fixture
def user(db):
    """Return a callable fetching a demo user by email."""

    def _get(email: str) -> User:
        found = db.session.scalar(sa.select(User).where(User.email == email))
        assert found is not None, email
        return found

    return _get


@pytest.fixture
def login(client, user):
    """Sign a demo user in for the test client without going through the (tested elsewhere) form."""

    def _login(email: str) -> User:
        account = user(email)
        key = start_session(account, Client("127.0.0.1", "pytest"))  # a server-side session, as sign-in opens
        with client.session_transaction() as session:
            session["_user_id"] = key
            session["_fresh"] = True
        return account

    return _login


@contextmanager
def count_queries(engine: sa.Engine) -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block (indico's count_queries)."""
    statements: list[str] = []

    def _before(_conn, _cursor, statement, _params, _context, _executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _before)


@pytest.fixture
def queries(db):
    """`with queries() as q: ...; len(q)` counts the statements a block runs."""
    return lambda: count_queries(db.engine)


class MailCatcher:
    """aiosmtpd handler: keeps every message it receives; `refuse` makes it answer 554 instead."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 Transaction failed: refused by the test"
        message = BytesParser(policy=email_policy.default).parsebytes(envelope.content)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        """The first `count` messages, waiting a little for them to arrive."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"expected {count} messages, got {len(self.messages)}"
        return self.messages[:count]

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()


@pytest.fixture(scope="session")
def smtp_controller() -> Iterator[tuple[Controller, MailCatcher]]:
    """A real SMTP server in this process, on a free loopback port, for the whole run."""
    catcher = MailCatcher()
    with socket.socket() as probe:  # aiosmtpd checks it is up by connecting, so port 0 will not do
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, catcher
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(app, smtp_controller) -> Iterator[MailCatcher]:
    """Point the app's mail settings at the in-process SMTP server for one test."""
    controller, catcher = smtp_controller
    catcher.clear()
    catcher.refuse = False
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield catcher
    finally:
        app.config.update(saved)
