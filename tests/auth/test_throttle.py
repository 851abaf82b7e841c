"""Throttling per account and address: growing delays for the address that fails, none for the others."""

from datetime import timedelta

import pytest

from fundapp.auth import services, throttle
from fundapp.auth.sessions import Client
from fundapp.core import clock
from tests.auth.helpers import sign_in

ATTACKER, VICTIM = Client("203.0.113.66"), Client("198.51.100.7")


def _fail(email: str, client: Client, times: int) -> None:
    for _ in range(times):
        assert services.authenticate(email, "not-the-password", client).message == services.WRONG_CREDENTIALS


def test_delays_grow_after_the_free_failures(app):
    assert [throttle.delay_after(n) for n in range(8)] == [0, 0, 0, 5, 10, 20, 40, 80]
    assert throttle.delay_after(30) == app.config["LOGIN_MAX_DELAY_SECONDS"]


def test_the_attackers_address_waits_while_the_owner_signs_in_from_theirs(db):
    with clock.frozen(clock.now()) as start:
        _fail("applicant2@example.org", ATTACKER, 3)
        refused = services.authenticate("applicant2@example.org", "fundapp-demo", ATTACKER)  # even the right one
        assert not refused.ok
        assert refused.retry_after == 5
        assert "Wait 5 seconds" in refused.message
        assert services.authenticate("applicant2@example.org", "fundapp-demo", VICTIM).ok
    with clock.frozen(start + timedelta(seconds=6)):
        _fail("applicant2@example.org", ATTACKER, 1)  # allowed again, and the next wait doubles
        assert services.authenticate("applicant2@example.org", "x", ATTACKER).retry_after == 10


def test_the_owners_success_does_not_forgive_the_attacker(db):
    with clock.frozen(clock.now()):
        _fail("donor3@example.org", ATTACKER, 3)
        assert services.authenticate("donor3@example.org", "fundapp-demo", VICTIM).ok
        assert services.authenticate("donor3@example.org", "fundapp-demo", ATTACKER).retry_after > 0


def test_a_success_from_the_address_resets_its_count(db):
    with clock.frozen(clock.now()):
        _fail("donor4@example.org", VICTIM, 2)
        assert services.authenticate("donor4@example.org", "fundapp-demo", VICTIM).ok
        _fail("donor4@example.org", VICTIM, 2)
        assert services.authenticate("donor4@example.org", "fundapp-demo", VICTIM).ok


def test_failures_older_than_the_window_are_forgotten(db):
    now = clock.now()
    with clock.frozen(now - timedelta(hours=25)):
        _fail("donor5@example.org", ATTACKER, 3)
    with clock.frozen(now):
        _fail("donor5@example.org", ATTACKER, 1)  # counted with the old three, this would start a wait
        assert services.authenticate("donor5@example.org", "fundapp-demo", ATTACKER).ok


def test_unknown_accounts_are_throttled_alike(db):
    """A throttled unknown account answers like a known one: the wait tells nothing either."""
    with clock.frozen(clock.now()):
        _fail("nobody@example.org", ATTACKER, 3)
        assert services.authenticate("nobody@example.org", "x", ATTACKER).retry_after == 5


@pytest.mark.parametrize("count", [3, 5])
def test_the_page_answers_429_with_retry_after_and_a_clear_message(client, count):
    start = clock.now()
    for i in range(count):  # spread out, each after the previous wait
        with clock.frozen(start + timedelta(minutes=16 * i)):
            assert sign_in(client, "donor6@example.org", "bad-password", "203.0.113.9").status_code == 401
    with clock.frozen(start + timedelta(minutes=16 * (count - 1))):
        refused = sign_in(client, "donor6@example.org", "fundapp-demo", "203.0.113.9")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) == throttle.delay_after(count)
        page = refused.get_data(as_text=True)
        assert "Too many failed attempts for this account from your network address" in page
        assert "Forgot your password?" in page
        assert sign_in(client, "donor6@example.org", "fundapp-demo", "198.51.100.20").status_code == 302
