"""The per-address limits over every account: Flask-Limiter, its counters in the application's database.

Two limits, keyed by the client's address (request.remote_addr, after TRUSTED_PROXIES' ProxyFix):

- SIGN_IN_ADDRESS_LIMIT counts the failures of every view marked `@password_attempt` (sign-in, second
  factor, password re-entry on the profile): a 4xx answer is a failure. This stops password spraying
  (a few guesses at many accounts), which the per-account throttle (auth.throttle) cannot see.
- EMAIL_ADDRESS_LIMIT counts every POST to a view marked `@email_request` ("forgot password").

A refused request gets HTTP 429 with Retry-After and a page saying how long to wait.

Why a database storage: there is no Redis here, and the counters must be shared by every gunicorn
worker and host. `DatabaseStorage` keeps fixed-window counters in `rate_limit_counters`, each change in
its own short transaction on the engine (not the request's session), so a request that rolls back still
counts, and an atomic INSERT … ON CONFLICT DO UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35) makes
concurrent increments exact.
"""

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, Response, current_app, request
from flask_limiter import ApplicationLimit, Limiter
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from fundapp.auth.models import RateLimitCounter
from fundapp.core.extensions import db

SCHEME = "fundapp+db"
F = TypeVar("F", bound=Callable[..., Any])
_TABLE = RateLimitCounter.__table__


class DatabaseStorage(Storage):
    """A `limits` storage in the application's database (fixed-window strategy).

    `engine` (a storage option) names the engine; by default the app's (Flask-SQLAlchemy's) engine.
    Times are epoch milliseconds, the clock of the `limits` package (real time, never frozen).
    """

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the `limits` registry reads a list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self._engine: sa.Engine | None = options.get("engine")

    @property
    def engine(self) -> sa.Engine:
        return self._engine if self._engine is not None else db.engine

    @property
    def base_exceptions(self) -> type[Exception]:
        return sa.exc.SQLAlchemyError

    @staticmethod
    def _now_ms() -> int:
        return int(time.time() * 1000)

    def _upsert(self, dialect: str) -> Callable[..., Any]:
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's counter, starting a new window of `expiry` seconds when it ran out."""
        now = self._now_ms()
        ends = now + int(expiry * 1000)
        engine = self.engine
        insert = self._upsert(engine.dialect.name)(_TABLE).values(key=key, count=amount, expires_at_ms=ends)
        expired = _TABLE.c.expires_at_ms <= now
        statement = insert.on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "count": sa.case((expired, amount), else_=_TABLE.c["count"] + amount),
                "expires_at_ms": sa.case((expired, ends), else_=_TABLE.c.expires_at_ms),
            },
        ).returning(_TABLE.c["count"])
        with engine.begin() as connection:
            return connection.execute(statement).scalar_one()

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(
                sa.select(_TABLE.c["count"]).where(_TABLE.c.key == key, _TABLE.c.expires_at_ms > self._now_ms())
            ).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            ends = connection.execute(
                sa.select(_TABLE.c.expires_at_ms).where(_TABLE.c.key == key, _TABLE.c.expires_at_ms > self._now_ms())
            ).scalar()
        return ends / 1000 if ends is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.select(1))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(_TABLE).where(_TABLE.c.key == key))

    def prune(self) -> int:
        """Delete the counters whose window ended (`flask users prune`)."""
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(_TABLE).where(_TABLE.c.expires_at_ms <= self._now_ms())).rowcount


# Which views count ------------------------------------------------------------------------------


def password_attempt(view: F) -> F:
    """Mark a view whose failed POSTs (a 4xx answer) count towards SIGN_IN_ADDRESS_LIMIT."""
    view.password_attempt = True  # type: ignore[attr-defined]
    return view


def email_request(view: F) -> F:
    """Mark a view whose POSTs each count towards EMAIL_ADDRESS_LIMIT (each may send an email)."""
    view.email_request = True  # type: ignore[attr-defined]
    return view


def _marked(mark: str) -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method == "POST" and bool(getattr(view, mark, False))


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def client_address() -> str:
    return request.remote_addr or "unknown"


def _end_read_transaction(response: Response) -> Response:
    """Close what the request's session still has open before the limiter counts.

    The edge has committed or rolled back the request's work by now; what remains is at most a read
    (an error page drawn after the rollback). On SQLite that read holds a shared lock, and the counter's
    own write transaction would wait for it in vain. Registered after the limiter's hook, so it runs before.
    """
    session = db.session()
    if session.in_transaction():
        session.rollback()
    return response


def init_app(app: Flask) -> None:
    """One limiter per app (its storage and switches come from that app's config)."""
    limiter = Limiter(
        client_address,
        app=app,
        application_limits=[
            ApplicationLimit(
                lambda: current_app.config["SIGN_IN_ADDRESS_LIMIT"],
                scope="sign-in",
                exempt_when=lambda: not _marked("password_attempt"),
                deduct_when=_failed,
            ),
            ApplicationLimit(
                lambda: current_app.config["EMAIL_ADDRESS_LIMIT"],
                scope="email",
                exempt_when=lambda: not _marked("email_request"),
            ),
        ],
        key_prefix="fundapp",
    )
    if limiter.enabled:
        app.after_request(_end_read_transaction)


def retry_after() -> int:
    """Seconds until the limit the current request broke lets it through again."""
    for limiter in current_app.extensions.get("limiter", ()):
        breached = [lim for lim in limiter.current_limits if lim.breached]
        if breached:
            return max(1, math.ceil(max(lim.window[0] for lim in breached) - time.time()))
    return 60
