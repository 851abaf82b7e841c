"""Sign-in throttling per account AND address, with growing delays and no lockout.

Failures are counted for one account from one address, since that pair's last complete sign-in
(password and, when the account has one, second factor) and within LOGIN_FAILURE_WINDOW_HOURS.
After LOGIN_FREE_FAILURES of them, the next attempt from that address must wait LOGIN_DELAY_SECONDS,
doubled at each further failure up to LOGIN_MAX_DELAY_SECONDS; an attempt inside the wait is refused
without looking at the password. The account's owner, signing in from their own address, is not slowed
by an attacker's failures elsewhere: nobody can lock anybody out.

The per-address limit over all accounts (password spraying) is Flask-Limiter's job (auth.ratelimit).
"""

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from fundapp.auth.models import LoginAttempt
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _n


def _same_address(address: str | None) -> sa.ColumnElement[bool]:
    return LoginAttempt.remote_addr.is_not_distinct_from(address)


def failures(email: str, address: str | None) -> tuple[int, datetime | None]:
    """(failures, time of the last one) for this account from this address that still count."""
    window_start = clock.now() - timedelta(hours=current_app.config["LOGIN_FAILURE_WINDOW_HOURS"])
    last_success = (
        sa.select(sa.func.max(LoginAttempt.attempted_at))
        .where(LoginAttempt.email == email, _same_address(address), LoginAttempt.succeeded.is_(True))
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email == email,
            _same_address(address),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_at > window_start,
            LoginAttempt.attempted_at > sa.func.coalesce(last_success, window_start),
        )
    ).one()
    return row[0] or 0, row[1]


def delay_after(count: int) -> int:
    """Seconds to wait after `count` failures (0 while they are few)."""
    config = current_app.config
    free = config["LOGIN_FREE_FAILURES"]
    if count < free:
        return 0
    return min(config["LOGIN_DELAY_SECONDS"] * 2 ** (count - free), config["LOGIN_MAX_DELAY_SECONDS"])


def wait_seconds(email: str, address: str | None) -> int:
    """How long this address must still wait before trying this account again (0: it may try now)."""
    count, last = failures(email, address)
    delay = delay_after(count)
    if not delay or last is None:
        return 0
    remaining = (last + timedelta(seconds=delay) - clock.now()).total_seconds()
    return max(0, math.ceil(remaining))


def record(email: str, address: str | None, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email=email, succeeded=succeeded, remote_addr=(address or "")[:64] or None))
    db.session.flush()


def message(seconds: int) -> str:
    """What the person is told: how long to wait, and the way out that needs no waiting."""
    return _(
        "Too many failed attempts for this account from your network address. Wait %(wait)s, "
        "then try again, or reset your password with “Forgot your password?”.",
        wait=describe(seconds),
    )


def describe(seconds: int) -> str:
    """A wait in words: "20 seconds", "3 minutes"."""
    if seconds < 90:
        return _n("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    return _n("%(num)d minute", "%(num)d minutes", minutes)
