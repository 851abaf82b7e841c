"""The demo fund, seeded once for this package (it tells two and a half years of history through the services).

Like tests/security: the seeding runs inside a transaction held for the package; each test runs in a savepoint
of it that is rolled back, in a fresh app context.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from fundapp.core.extensions import db as _db
from fundapp.core.models import AuditEntry, StateEvent
from fundapp.demo.services import seed_demo
from tests.conftest import _ConnectionSession


@dataclass
class Seeded:
    connection: sa.Connection
    #: The last audit row and state event before the demo was seeded (the test database's own set-up).
    audit_before: int
    events_before: int


@pytest.fixture(scope="package")
def demo_fund(app) -> Iterator[Seeded]:
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    _db.session = _db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
    )
    try:
        audit = _db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))
        events = _db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(StateEvent.id), 0)))
        seed_demo()
        _db.session.commit()
        _db.session.remove()
        yield Seeded(connection, audit, events)
    finally:
        _db.session.remove()
        _db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def db(app, demo_fund):
    savepoint = demo_fund.connection.begin_nested()
    try:
        with app.app_context():
            try:
                yield _db
            finally:
                _db.session.remove()
    finally:
        if savepoint.is_active:
            savepoint.rollback()
