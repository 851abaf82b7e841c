"""Two browsers racing with the same one-time code on PostgreSQL: exactly one signs in."""

import threading

import pyotp
import pytest
import sqlalchemy as sa

from fundapp.auth import two_factor
from fundapp.auth.models import User
from fundapp.core.audit import verify_chain
from fundapp.core.extensions import db as _db
from tests.auth.helpers import code_now, next_code

pytestmark = pytest.mark.postgres_only

EMAIL = "donor12@example.org"
TOUCHED = ("audit_log", "recovery_codes")


@pytest.fixture
def committed_second_factor(app):
    """donor12@ with a second factor committed for real (concurrent sessions must see it); undone afterwards."""
    if _db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent PostgreSQL connections")
    tables = {name: _db.metadata.tables[name] for name in TOUCHED}
    with _db.engine.connect() as conn:
        before = {name: conn.scalar(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))) for name, t in tables.items()}
    with app.app_context():
        user = _db.session.scalar(sa.select(User).where(User.email == EMAIL))
        totp = pyotp.TOTP(two_factor.pending_secret(user))
        codes = two_factor.confirm_setup(user, code_now(totp))
        _db.session.commit()
        _db.session.remove()
    yield totp, codes
    with _db.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # the audit log refuses DELETE
        for name, table in tables.items():
            conn.execute(sa.delete(table).where(table.c.id > before[name]))
        conn.execute(
            sa.update(User.__table__)
            .where(User.__table__.c.email == EMAIL)
            .values(totp_secret=None, totp_enabled_at=None, totp_pending_secret=None, totp_last_step=None)
        )


def _race(app, code: str) -> list[str | None]:
    barrier = threading.Barrier(2)
    results: list[str | None] = []

    def attempt() -> None:
        with app.app_context():
            user = _db.session.scalar(sa.select(User).where(User.email == EMAIL))
            barrier.wait(5)
            results.append(two_factor.check_code(user, code))
            _db.session.commit()
            _db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return results


def test_a_recovery_code_used_twice_at_once_signs_in_once(app, committed_second_factor):
    _totp, codes = committed_second_factor
    assert sorted(_race(app, codes[0]), key=str) == [None, "recovery"]
    with app.app_context():
        assert verify_chain().ok
        _db.session.remove()


def test_an_app_code_used_twice_at_once_signs_in_once(app, committed_second_factor):
    totp, _codes = committed_second_factor
    with app.app_context():
        code = next_code(totp)
    assert sorted(_race(app, code), key=str) == [None, "totp"]
