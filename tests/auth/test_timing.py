"""Timing does not tell whether an account exists: medians of several attempts, a generous ratio."""

import statistics
import time

import pytest

from fundapp.auth import passwords

ATTEMPTS = 15
#: Realistic argon2 costs (the tests' own are tiny): the verification must dominate a request, or the
#: comparison would prove nothing.
REAL_COSTS = {"PASSWORD_HASH_TIME_COST": 2, "PASSWORD_HASH_MEMORY_COST": 32768}


def _timed(call, *args, **kwargs) -> float:
    start = time.perf_counter()
    response = call(*args, **kwargs)
    elapsed = time.perf_counter() - start
    assert response.status_code < 500
    return elapsed


def _ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(a) / statistics.median(b)


@pytest.fixture
def real_costs(app, monkeypatch, user, db):
    for key, value in REAL_COSTS.items():
        monkeypatch.setitem(app.config, key, value)
    account = user("donor2@example.org")
    account.password_hash = passwords.hash_password("fundapp-demo")  # a hash with those costs
    db.session.flush()
    return account


def test_a_wrong_password_and_an_unknown_account_take_the_same_time(client, real_costs):
    known, unknown, baseline = [], [], []
    for i in range(ATTEMPTS):  # interleaved, each from its own address (the per-address throttle stays out)
        guess = {"email": "donor2@example.org", "password": "wrong-guess"}
        known.append(_timed(client.post, "/login", data=guess, environ_base={"REMOTE_ADDR": f"10.77.{i}.1"}))
        ghost = {"email": f"ghost{i}@example.org", "password": "wrong-guess"}
        unknown.append(_timed(client.post, "/login", data=ghost, environ_base={"REMOTE_ADDR": f"10.78.{i}.1"}))
        baseline.append(_timed(client.get, "/login"))
    # The hash verification is most of a refused sign-in: skipping it for unknown accounts would show.
    assert statistics.median(known) > 2 * statistics.median(baseline)
    assert 0.67 < _ratio(known, unknown) < 1.5


def test_forgot_password_answers_in_the_same_time_for_every_address(client, app, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_ANSWER_SECONDS", 0.25)
    accounts = [f"donor{i}@example.org" for i in range(2, 11)]  # at most three emails an hour for one account
    known, unknown = [], []
    for i, email in enumerate(accounts):
        known.append(_timed(client.post, "/password/forgot", data={"email": email}))
        unknown.append(_timed(client.post, "/password/forgot", data={"email": f"ghost{i}@example.org"}))
    assert len(smtp_server.wait_for(len(accounts))) == len(accounts)  # the known ones did get their email
    assert min(known + unknown) >= 0.25
    assert 0.67 < _ratio(known, unknown) < 1.5
