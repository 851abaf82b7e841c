"""Organisations, their users, the users' roles and sign-in attempts."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.core import clock
from fundapp.core.extensions import db
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
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    country: Mapped["Country | None"] = relationship()

    def __str__(self) -> str:
        return self.name


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, validate_strings=True), primary_key=True
    )


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case so sign-in is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_login_at: Mapped[datetime | None]
    #: Bumped on password change so other sessions of the user end (Flask-Login's alternative id).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

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
