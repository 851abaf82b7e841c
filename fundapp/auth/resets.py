"""Password reset by email: a link that works once, for PASSWORD_RESET_VALID_MINUTES.

Asking gives the same answer whether or not the address has an account (the view also answers after
the same time, PASSWORD_RESET_ANSWER_SECONDS). The token is stored as its SHA-256. Using the link ends
every session of the user and voids their other links; it does not remove a second factor, so the next
sign-in still asks for it. At most MAX_LINKS_PER_HOUR emails per account and hour, so nobody can flood
someone's mailbox through the form.
"""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fundapp.auth import mail, passwords, sessions
from fundapp.auth.models import PasswordReset, User
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.i18n import _, force_locale, recipient_locale

MAX_LINKS_PER_HOUR = 3


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str, address: str | None) -> None:
    """Email a reset link when an active account uses this address; otherwise do nothing, silently."""
    email = (email or "").strip().lower()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active or not user.organisation.is_active:
        return
    now = clock.now()
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.created_at > now - timedelta(hours=1))
    )
    if recent >= MAX_LINKS_PER_HOUR:
        record_change(None, "auth.password_reset_suppressed", "users", user.id, {"remote_addr": address})
        return
    token = secrets.token_urlsafe(32)
    minutes = current_app.config["PASSWORD_RESET_VALID_MINUTES"]
    reset = PasswordReset(
        user_id=user.id,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        requested_from=(address or "")[:64] or None,
    )
    db.session.add(reset)
    db.session.flush()
    record_change(None, "auth.password_reset_requested", "users", user.id, {"remote_addr": address})
    link = mail.public_url("auth.reset_password", token=token)
    with force_locale(recipient_locale(user)):
        mail.send(
            user.email,
            _("Reset your password"),
            _(
                "Hello %(name)s,\n\n"
                "Someone (from the address %(address)s) asked to reset the password of your account.\n"
                "To choose a new password, open this link within %(minutes)s minutes. It works once:\n%(link)s\n\n"
                "If it was not you, ignore this email: your password stays as it is.",
                name=user.name,
                address=address or _("unknown"),
                minutes=minutes,
                link=link,
            ),
        )


def reset_for_token(token: str) -> PasswordReset | None:
    """The usable reset this link names; None when unknown, used, void or expired."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalar(sa.select(PasswordReset).where(PasswordReset.token_hash == _hash(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= clock.now():
        return None
    if not reset.user.is_active or not reset.user.organisation.is_active:
        return None
    return reset


def void_links(user: User) -> None:
    """Every unused link of the user stops working (a reset or a password change)."""
    db.session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session="fetch")  # rows loaded in this session see it too
    )


def reset_password(token: str, password: str, address: str | None) -> User:
    """Set the new password; every session of the user ends (a thief's included)."""
    reset = reset_for_token(token)
    if reset is None:
        raise DomainError(_("This link has expired or was already used. Ask for a new one."))
    user = reset.user
    passwords.check_password_strength(password, [user.email, user.name, user.organisation.name], field="password")
    user.password_hash = passwords.hash_password(password)
    void_links(user)
    ended = sessions.end_all_sessions(user, "password_reset")
    db.session.flush()
    record_change(user, "auth.password_reset", "users", user.id, {"remote_addr": address, "sessions_ended": ended})
    return user
