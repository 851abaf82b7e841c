"""Organisations, their users and roles; what signing in needs: sessions, attempts, second factors,
invitations, password resets, and the per-address rate-limit counters."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import LANGUAGES, Labels, _l
from fundapp.core.permissions import Role

if TYPE_CHECKING:
    from fundapp.reference.models import Country


class OrganisationType(enum.StrEnum):
    un_entity = "un_entity"
    government = "government"
    donor = "donor"
    civil_society = "civil_society"
    secretariat = "secretariat"
    other = "other"

    @property
    def label(self) -> str:
        return ORGANISATION_TYPE_LABELS[self]


ORGANISATION_TYPE_LABELS = {
    OrganisationType.un_entity: "UN entity",
    OrganisationType.government: "Government",
    OrganisationType.donor: "Donor",
    OrganisationType.civil_society: "Civil society",
    OrganisationType.secretariat: "Secretariat",
    OrganisationType.other: "Other",
}


class Organisation(db.Model):
    """Every organisation the fund deals with; UN entities come from the reference file."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code (e.g. 'IOM', 'DEU'): unique, used by the loader and by imports.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    type: Mapped[OrganisationType] = mapped_column(
        sa.Enum(OrganisationType, native_enum=False, length=20, validate_strings=True), index=True
    )
    country_code: Mapped[str | None] = mapped_column(sa.ForeignKey("countries.code"))
    #: Member of the UN Network on Migration's executive committee (UN entities only).
    un_network_executive_committee: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: IATI organisation identifier (e.g. XM-DAC-41122 for UNICEF): the one the IATI Registry lists for it, from
    #: the reference file or typed by the secretariat. The IATI export puts it in every org element's @ref.
    iati_ref: Mapped[str | None] = mapped_column(sa.String(60))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    country: Mapped["Country | None"] = relationship()

    def __str__(self) -> str:
        return self.name


_LANGUAGE_CODES = ", ".join(f"'{code}'" for code in LANGUAGES)


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, validate_strings=True), primary_key=True
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(f"language IN ({_LANGUAGE_CODES})", name="language_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case so sign-in is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]
    #: Base32 TOTP secret of the authenticator app in use; None: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    #: A secret shown as a QR code and not confirmed yet (the one in use keeps working until it is).
    totp_pending_secret: Mapped[str | None] = mapped_column(sa.String(64))
    #: The 30-second step of the last code accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    #: The language of the interface, PDFs and emails (core.i18n.LANGUAGES); None: the browser's.
    language: Mapped[str | None] = mapped_column(sa.String(5))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    #: The key of the server-side session this request runs in (not a column: set when the session
    #: starts and by the user loader). Flask-Login keeps it in the signed cookie.
    session_key = None

    def get_id(self) -> str:
        """What Flask-Login stores in the cookie: the session's random key, never the user's id."""
        if not self.session_key:
            raise RuntimeError("Start a session (auth.sessions.start_session) before signing a user in.")
        return self.session_key

    @property
    def has_two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    @property
    def role_names(self) -> set[str]:
        return {r.value for r in self.roles}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_any_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class LoginAttempt(db.Model):
    """Every sign-in attempt, for throttling. Kept separate from the audit log so it can be pruned."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_email_at", "email", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    attempted_at: Mapped[datetime] = mapped_column(default=clock.now)
    succeeded: Mapped[bool]
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))


class UserSession(db.Model):
    """A signed-in browser. The cookie holds a random key; this row holds its SHA-256.

    The user loader reads the row on every request, so ending it (sign-out, password change or reset,
    deactivation, "sign out everywhere") takes effect at once, and a copied cookie opens nothing after.
    A row with a `pending` step is a sign-in waiting for its second factor: it signs nobody in.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (sa.Index("ix_user_sessions_user_active", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    #: None once signed in; "code" (waiting for the second factor) or "setup" (must set one up first).
    pending: Mapped[str | None] = mapped_column(sa.String(10))
    #: Wrong second-factor codes given in this sign-in.
    code_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    ended_at: Mapped[datetime | None]
    #: Why it ended: signed_out, ended_by_user, password_changed, password_reset, deactivated, expired, …
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))

    user: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class RecoveryCode(db.Model):
    """A single-use code for signing in without the authenticator app. Only its SHA-256 is stored:
    a code is 80 random bits, so a fast hash is enough (as for API tokens)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    used_at: Mapped[datetime | None]


#: An invitation's status (Invitation.status) as people read it.
INVITATION_STATUS_LABELS = Labels(
    {"pending": _l("Pending"), "expired": _l("Expired"), "accepted": _l("Accepted"), "revoked": _l("Revoked")}
)


class Invitation(db.Model):
    """An invitation to an organisation with some roles. The link's token is stored as its SHA-256;
    the account is created when the person sets a password through the link."""

    __tablename__ = "invitations"
    __table_args__ = (sa.CheckConstraint(f"language IN ({_LANGUAGE_CODES})", name="language_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    #: Role names, space-separated (the roles the account gets).
    role_names: Mapped[str] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: Every (re)send moves it: a link works INVITATION_VALID_HOURS after it was last sent.
    sent_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    times_sent: Mapped[int] = mapped_column(default=1, server_default="1")
    accepted_at: Mapped[datetime | None]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    #: The invitee's language (core.i18n.LANGUAGES): the email, the welcome page and the new account's
    #: profile use it. None on invitations made before languages existed: the fund's default.
    language: Mapped[str | None] = mapped_column(sa.String(5))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def roles(self) -> list[Role]:
        return [Role(name) for name in self.role_names.split()]

    @property
    def status(self) -> str:
        """pending, expired, accepted or revoked (as of now)."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= clock.now() else "pending"


class PasswordReset(db.Model):
    """A "forgot password" link: one use, PASSWORD_RESET_VALID_MINUTES; the token stored as its SHA-256."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    #: Set when the link was used, or when another link (or a password change) made it void.
    used_at: Mapped[datetime | None]
    requested_from: Mapped[str | None] = mapped_column(sa.String(64))

    user: Mapped[User] = relationship()


class RateLimitCounter(db.Model):
    """One fixed-window counter of the per-address limiter (auth.ratelimit's storage for Flask-Limiter).

    Written through the limiter's own short transactions, never the request's, so a request that rolls
    back does not give an attempt back.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int]
    #: End of the window, in milliseconds since the epoch (the limits package counts in epoch seconds).
    expires_at_ms: Mapped[int] = mapped_column(sa.BigInteger, index=True)
