"""The demo fund with hostile values in every free-text column, seeded once for this package.

Seeding the demo takes seconds, so it runs once inside a transaction held for the package; each test runs in a
savepoint of it that is rolled back (`db` below replaces the per-test fixture of tests/conftest.py here).
"""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from fundapp.committee.models import CommitteeSeat, Meeting, Recusal
from fundapp.core.extensions import db as _db
from fundapp.demo.services import seed_demo
from tests.conftest import _ConnectionSession
from tests.security import hostile


def _declare_a_recusal() -> None:
    """The demo has no declared conflict; the minutes print their reasons, so declare one on the last meeting."""
    meeting = _db.session.scalars(sa.select(Meeting).order_by(Meeting.held_on.desc())).first()
    item = next(i for i in meeting.items if i.concept_note_id is not None)
    seat = _db.session.scalar(sa.select(CommitteeSeat).order_by(CommitteeSeat.id.desc()).limit(1))
    _db.session.add(Recusal(concept_note_id=item.concept_note_id, seat_id=seat.id, reason="declared"))
    _db.session.flush()


@pytest.fixture(scope="package")
def hostile_fund(app) -> Iterator[sa.Connection]:
    connection = _db.engine.connect()
    transaction = connection.begin()
    original = _db.session
    _db.session = _db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _ConnectionSession}
    )
    try:
        seed_demo()
        _declare_a_recusal()
        hostile.seed()
        _db.session.commit()
        _db.session.remove()
        yield connection
    finally:
        _db.session.remove()
        _db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def db(app, hostile_fund):
    """Each test in a savepoint of the package's transaction, rolled back after it, and in a fresh app context:
    the test client's requests reuse the run's context otherwise, and `g` (where some services cache what
    one request reads) would carry another test's data into this one."""
    savepoint = hostile_fund.begin_nested()
    try:
        with app.app_context():
            try:
                yield _db
            finally:
                _db.session.remove()
    finally:
        if savepoint.is_active:
            savepoint.rollback()
