"""Two-factor sign-in: TOTP (RFC 6238, an authenticator app) and single-use recovery codes.

Set-up shows a QR code drawn on the server (segno, an SVG data: URI: no network, no JavaScript) and
the secret in letters; it takes effect when the person types a code from the app. A code is accepted
for the 30-second step before, the current one and the one after, and never twice (`totp_last_step`).
Recovery codes are 16 random characters (about 80 bits), shown once, stored as SHA-256, each good once.

Which roles must have a second factor is configuration: TWO_FACTOR_REQUIRED_ROLES.
"""

import hashlib
import hmac
import secrets
from datetime import UTC

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from fundapp.auth.models import RecoveryCode, User
from fundapp.core import clock
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, NotAllowed
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.core.permissions import Role

STEP_SECONDS = 30
RECOVERY_CODES = 10
#: No 0/o, 1/l/i: a code is read off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 16


class WrongCode(DomainError):
    field = "code"


def required_for(user: User) -> bool:
    """Whether the user's roles oblige them to sign in with a second factor."""
    required = {Role(name) for name in current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ())}
    return bool(user.roles & required)


def _step_now() -> int:
    return int(clock.now().replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The step (before, now, after) whose code this is, if it is later than `after`."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = _step_now()
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# Set-up ------------------------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret being set up (made on first asking, kept until confirmed or replaced)."""
    if user.totp_pending_secret is None:
        user.totp_pending_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_pending_secret


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("TWO_FACTOR_ISSUER", "fundapp")
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as a QR code, an SVG data: URI for an <img> (the CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def spaced(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_page(user: User, secret: str) -> dict[str, str]:
    """What a set-up page shows: the QR code, the secret in letters, and the otpauth:// URI."""
    uri = provisioning_uri(user, secret)
    return {"qr": qr_data_uri(uri), "secret": spaced(secret), "uri": uri}


def confirm_setup(user: User, code: str) -> list[str]:
    """The code from the app matches the pending secret: it becomes the user's second factor.

    Returns new recovery codes (the old ones, if any, stop working).
    """
    secret = user.totp_pending_secret
    step = _matching_step(secret, _normalise(code), None) if secret else None
    if step is None:
        raise WrongCode(_("That code does not match. Check the app's clock and type the newest code."))
    replacing = user.totp_secret is not None
    user.totp_secret, user.totp_pending_secret = secret, None
    user.totp_enabled_at = clock.now()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    record_change(user, "auth.two_factor_replaced" if replacing else "auth.two_factor_enabled", "users", user.id)
    return codes


def disable(user: User) -> None:
    """The user turns their second factor off (refused when their role requires one)."""
    if required_for(user):
        raise NotAllowed(_("Your role requires two-factor sign-in. You can set up a new authenticator instead."))
    _clear(user)
    record_change(user, "auth.two_factor_disabled", "users", user.id)


def reset(actor: User | None, user: User) -> None:
    """An administrator removes a user's second factor (a lost phone and lost codes)."""
    if not user.has_two_factor and user.totp_pending_secret is None:
        raise DomainError(_("%(email)s has no two-factor sign-in to reset.", email=user.email))
    _clear(user)
    record_change(actor, "auth.two_factor_reset", "users", user.id, {"email": user.email})


def _clear(user: User) -> None:
    user.totp_secret = user.totp_pending_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


# Recovery codes ----------------------------------------------------------------------------------


def hash_code(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _position in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_code(raw)))
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    if not user.has_two_factor:
        raise DomainError(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    record_change(user, "auth.recovery_codes_renewed", "users", user.id)
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# Checking a code at sign-in ----------------------------------------------------------------------


def _claim_step(user: User, step: int) -> bool:
    """Record the step as used, unless a concurrent request used it (or a later one) first."""
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def check_code(user: User, code: str) -> str | None:
    """Accept a code from the app or an unused recovery code; "totp", "recovery" or None.

    A recovery code is spent by the first request that marks it used (the UPDATE's condition), so two
    requests racing with the same code cannot both sign in.
    """
    code = _normalise(code)
    if not user.has_two_factor or not code:
        return None
    step = _matching_step(user.totp_secret, code, user.totp_last_step)
    if step is not None and _claim_step(user, step):
        return "totp"
    if len(code) != _RECOVERY_LENGTH:
        return None
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == hash_code(code), RecoveryCode.used_at.is_(None)
        )
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return None
    record_change(user, "auth.recovery_code_used", "users", user.id)
    return "recovery"
