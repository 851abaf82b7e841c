"""Set-ups the account tests share: invitation and reset links, second factors, sign-ins through the form."""

import hashlib
import re
import secrets
from datetime import UTC, timedelta

import pyotp
import sqlalchemy as sa

from fundapp.auth import invitations, two_factor
from fundapp.auth.models import Organisation, PasswordReset, User
from fundapp.core import clock

STRONG = "violet-harbour-tractor-57"
OTHER_STRONG = "copper-meadow-lantern-93"


def user_by_email(session, email: str) -> User:
    return session.scalar(sa.select(User).where(User.email == email))


def organisation(session, code: str) -> Organisation:
    return session.scalar(sa.select(Organisation).where(Organisation.code == code))


def invite(session, email: str = "new.person@example.org", roles=("applicant",), org: str = "UNHCR") -> str | None:
    """Invite someone as the demo admin; returns the link's token when mail is off (the link comes back),
    None when the email was queued (the test reads it from the SMTP server)."""
    admin = user_by_email(session, "admin@example.org")
    sent = invitations.invite(admin, email, "New Person", organisation(session, org), list(roles))
    return sent.link.rsplit("/", 1)[1] if sent.link else None


def reset_token(session, email: str, minutes: int = 60) -> str:
    """A usable password-reset link for the user, made directly (the email path is tested elsewhere)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        PasswordReset(
            user_id=user_by_email(session, email).id,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    session.flush()
    return token


def _epoch() -> float:
    return clock.now().replace(tzinfo=UTC).timestamp()


def code_now(totp: pyotp.TOTP) -> str:
    """What the authenticator app shows now (by the app's clock, frozen or not)."""
    return totp.at(_epoch())


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step: accepted, and never one already used."""
    return totp.at(_epoch() + 30)


def enable_two_factor(user: User) -> tuple[pyotp.TOTP, list[str]]:
    """Turn the user's second factor on as the profile would; returns the app (TOTP) and the recovery codes."""
    totp = pyotp.TOTP(two_factor.pending_secret(user))
    codes = two_factor.confirm_setup(user, code_now(totp))
    return totp, codes


def link_in(message) -> str:
    """The path of the first link to this site in an email (the test client takes paths)."""
    body = message.get_content()
    match = re.search(r"http://localhost(/\S+)", body)
    assert match, body
    return match.group(1)


def sign_in(client, email: str, password: str = "fundapp-demo", address: str = "127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})
