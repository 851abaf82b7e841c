"""Server-side sessions: a row per signed-in browser, checked on every request by the user loader.

The signed cookie holds a random key (256 bits); the table holds its SHA-256. Ending the row ends the
session at once, whatever copies of the cookie exist. A session also ends by itself after
SESSION_IDLE_MINUTES without a request and PERMANENT_SESSION_LIFETIME after the sign-in.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from fundapp.auth.models import User, UserSession
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.errors import NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _

#: last_seen_at is written at most this often, so reading a page is not a write each time.
TOUCH_INTERVAL = timedelta(minutes=1)
#: A sign-in waiting for its second factor is abandoned after this long.
PENDING_LIFETIME = timedelta(minutes=10)
#: Wrong codes allowed in one sign-in; then the password must be given again.
MAX_CODE_FAILURES = 5


@dataclass(frozen=True)
class Client:
    """Where a request comes from, as plain values for the services."""

    address: str | None = None
    user_agent: str | None = None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, client: Client, pending: str | None = None) -> str:
    """Open a session for the user and return its key (the only time it exists in clear).

    The key is also put on `user.session_key`, so Flask-Login's `login_user(user)` stores it.
    """
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            key_hash=hash_key(key),
            user_id=user.id,
            ip_address=(client.address or "")[:64] or None,
            user_agent=(client.user_agent or "")[:300] or None,
            pending=pending,
        )
    )
    db.session.flush()
    user.session_key = key
    return key


def _expired(row: UserSession) -> bool:
    now = clock.now()
    config = current_app.config
    lifetime = config["PERMANENT_SESSION_LIFETIME"]
    lifetime = lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    return now - row.created_at > lifetime or now - row.last_seen_at > idle


def _open_row(key: str | None) -> UserSession | None:
    if not key or len(key) > 100:
        return None
    return db.session.scalar(
        sa.select(UserSession).where(UserSession.key_hash == hash_key(key), UserSession.ended_at.is_(None))
    )


def user_for_session(key: str) -> User | None:
    """Flask-Login's user loader: the user of an open, signed-in, unexpired session, else None.

    One query for the session with its user and the user's organisation, one for the roles (none when
    the user is already loaded in this database session).
    """
    row = (
        db.session.scalar(
            sa.select(UserSession)
            .options(joinedload(UserSession.user).lazyload(User.role_rows))  # roles: loaded once, when needed
            .where(UserSession.key_hash == hash_key(key), UserSession.ended_at.is_(None))
        )
        if key and len(key) <= 100
        else None
    )
    if row is None:
        return None
    user = row.user
    if row.pending is not None or not user.is_active or not user.organisation.is_active:
        return None
    if _expired(row):
        _end(row, "expired")
        return None
    now = clock.now()
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        db.session.flush()
    user.session_key = key
    return user


def current_session(user: User) -> UserSession | None:
    """The session row of the request (the one `user.session_key` names)."""
    return _open_row(user.session_key)


def _end(row: UserSession, reason: str) -> None:
    row.ended_at = clock.now()
    row.end_reason = reason
    db.session.flush()


def end_session(user: User, reason: str = "signed_out") -> None:
    """End the request's own session (sign-out)."""
    row = current_session(user)
    if row is not None:
        _end(row, reason)
    record_change(user, "auth.logout", "users", user.id)


def end_all_sessions(user: User, reason: str) -> int:
    """End every open session of the user (pending sign-ins too); returns how many ended."""
    result = db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return result.rowcount or 0


def active_sessions(user: User) -> list[UserSession]:
    """The user's signed-in, unexpired sessions, most recently used first (the profile's list)."""
    rows = db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None), UserSession.pending.is_(None))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    return [row for row in rows if not _expired(row)]


def is_current(user: User, row: UserSession) -> bool:
    """Whether the row is the session of the request (the browser looking at the list)."""
    return bool(user.session_key) and row.key_hash == hash_key(user.session_key)


def own_open_session(user: User, session_id: int) -> UserSession | None:
    """One of the user's sessions still open, by id; None for anyone else's (the page answers 404)."""
    row = db.session.get(UserSession, session_id)
    return row if row is not None and row.user_id == user.id and row.ended_at is None else None


def end_one_session(user: User, session_id: int) -> bool:
    """End one of the user's own sessions from the profile page; True when it was this browser's."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        raise NotAllowed(_("This session is not one of yours, or it has already ended."))
    _end(row, "ended_by_user")
    record_change(user, "auth.session_ended", "users", user.id, {"session": row.id, "address": row.ip_address})
    return is_current(user, row)


def sign_out_everywhere(user: User) -> int:
    """End every session of the user, this one included."""
    count = end_all_sessions(user, "signed_out_everywhere")
    record_change(user, "auth.signed_out_everywhere", "users", user.id, {"sessions": count})
    return count


# Sign-ins waiting for their second factor -------------------------------------------------------


def pending_session(key: str | None) -> UserSession | None:
    """The open sign-in waiting for a second factor that this key names, if still fresh."""
    row = _open_row(key)
    if row is None or row.pending is None:
        return None
    if clock.now() - row.created_at > PENDING_LIFETIME or not row.user.is_active:
        _end(row, "abandoned")
        return None
    return row


def end_pending(row: UserSession, reason: str) -> None:
    """Give up a sign-in waiting for its second factor (too many wrong codes)."""
    _end(row, reason)


def complete_pending(row: UserSession) -> None:
    """The second factor is given: the session now signs its user in."""
    now = clock.now()
    row.pending = None
    row.created_at = row.last_seen_at = now
    db.session.flush()


#: (marker in the User-Agent, name), the first match wins: Edge and Opera also say "Chrome".
_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
_SYSTEMS = [("Windows", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Mac OS", "macOS")]
_SYSTEMS += [("CrOS", "ChromeOS"), ("Linux", "Linux")]


def describe_agent(user_agent: str | None) -> str:
    """A browser and system a person recognises ("Firefox on Windows"), from a User-Agent header."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or (agent[:60] if agent else "Unknown browser")
