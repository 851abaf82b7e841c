"""Personal API tokens: create, revoke, and authenticate a request's bearer token.

A token is ``fa_`` followed by 43 URL-safe characters (256 random bits). The database holds its SHA-256
only; a leaked database does not give working tokens. Revoked, expired or unknown tokens, and tokens of
deactivated users or organisations, authenticate nobody.
"""

import hashlib
import secrets
from datetime import date, timedelta

import sqlalchemy as sa

from fundapp.api.models import ApiToken
from fundapp.auth.models import User
from fundapp.core import clock, signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _

PREFIX = "fa_"
MAX_ACTIVE_TOKENS = 10
#: last_used_at is written at most this often per token, so reads do not become writes each time.
TOUCH_INTERVAL = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def create_token(
    user: User, name: str, expires_on: date | None = None, today: date | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the token itself (the only time it exists in clear)."""
    name = (name or "").strip()
    today = today or clock.now().date()
    if not name:
        raise DomainError(_("Name the token after where you use it."), field="name")
    if expires_on is not None and expires_on < today:
        raise DomainError(_("The expiry date must be today or later."), field="expires_on")
    active = [t for t in user_tokens(user) if t.is_usable(today)]
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            _("You already have %(count)s active tokens; revoke one first.", count=MAX_ACTIVE_TOKENS), field="name"
        )
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=hash_token(token), prefix=token[:10], expires_on=expires_on)
    db.session.add(row)
    db.session.flush()
    record_change(
        user, "api_token.created", "api_tokens", row.id, {"name": name, "expires_on": expires_on, "prefix": row.prefix}
    )
    return row, token


def revoke_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.id:
        raise NotAllowed(_("This is not your token."))
    if token.revoked_at is not None:
        return
    token.revoked_at = clock.now()
    db.session.flush()
    record_change(user, "api_token.revoked", "api_tokens", token.id, {"name": token.name})


def revoke_all_tokens(actor: User | None, user: User) -> int:
    """Revoke every usable token of the user (deactivation); returns how many were revoked."""
    now = clock.now()
    revoked = [t for t in user_tokens(user) if t.revoked_at is None]
    for token in revoked:
        token.revoked_at = now
    db.session.flush()
    if revoked:
        record_change(actor, "api_token.revoked_all", "users", user.id, {"tokens": [t.name for t in revoked]})
    return len(revoked)


@signals.account_closed.connect
def _revoke_when_deactivated(user: User, actor: User | None = None, **_extra) -> None:
    """A deactivated account's tokens stop at once, and stay revoked if the account comes back."""
    revoke_all_tokens(actor, user)


def authenticate(header: str | None) -> User | None:
    """The active user a bearer token belongs to, or None. Touches last_used_at (the caller commits)."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now = clock.now()
    if row is None or not row.is_usable(now.date()):
        return None
    user = row.user
    if not user.is_active or not user.organisation.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        row.last_used_at = now
        db.session.flush()
    return user


def describe_objects(object_type: str, ids: list[str]) -> dict[str, str] | None:
    """Names of personal API tokens for the audit log (`signals.describe_objects`): its name, never its value."""
    if object_type != "api_tokens":
        return None
    numbers = [int(i) for i in ids if str(i).isdigit()]
    rows = db.session.execute(sa.select(ApiToken.id, ApiToken.name, ApiToken.prefix).where(ApiToken.id.in_(numbers)))
    return {str(i): f"API token ‘{name}’ ({prefix}…)" for i, name, prefix in rows}
