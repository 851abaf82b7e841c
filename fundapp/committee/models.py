"""Committee seats, scoring criteria and the committee's decision settings."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.auth.models import User
from fundapp.committee.rules import MajorityBase
from fundapp.core.db import utcnow
from fundapp.extensions import db
from fundapp.reference.models import Country, Organisation


class Constituency(enum.StrEnum):
    chair = "chair"
    un_network = "un_network"
    donor = "donor"
    country_of_origin = "country_of_origin"
    country_of_transit = "country_of_transit"
    country_of_destination = "country_of_destination"
    civil_society = "civil_society"
    migrant_organization = "migrant_organization"
    administrative_agent = "administrative_agent"
    secretariat = "secretariat"

    @property
    def label(self) -> str:
        return CONSTITUENCY_LABELS[self]

    @property
    def is_country_seat(self) -> bool:
        return self in COUNTRY_CONSTITUENCIES

    @property
    def observes(self) -> bool:
        """The administrative agent and the secretariat attend without a vote."""
        return self in OBSERVER_CONSTITUENCIES


CONSTITUENCY_LABELS = {
    Constituency.chair: "Chair",
    Constituency.un_network: "UN Network member",
    Constituency.donor: "Donor",
    Constituency.country_of_origin: "Country of origin",
    Constituency.country_of_transit: "Country of transit",
    Constituency.country_of_destination: "Country of destination",
    Constituency.civil_society: "Stakeholder — civil society",
    Constituency.migrant_organization: "Stakeholder — migrant organization",
    Constituency.administrative_agent: "Administrative agent",
    Constituency.secretariat: "Secretariat",
}
COUNTRY_CONSTITUENCIES = frozenset(
    {Constituency.country_of_origin, Constituency.country_of_transit, Constituency.country_of_destination}
)
OBSERVER_CONSTITUENCIES = frozenset({Constituency.administrative_agent, Constituency.secretariat})
_COUNTRY_VALUES = ", ".join(f"'{c.value}'" for c in sorted(COUNTRY_CONSTITUENCIES))


class CommitteeSeat(db.Model):
    """A seat on the steering committee held by one user for a term.

    Ending a term keeps the row (minutes and votes cite it); the same person may hold a new seat later.
    """

    __tablename__ = "committee_seats"
    __table_args__ = (
        sa.CheckConstraint("term_end_on IS NULL OR term_end_on >= term_start_on", name="term_dates_ordered"),
        sa.CheckConstraint(
            f"constituency NOT IN ({_COUNTRY_VALUES}) OR country_code IS NOT NULL", name="country_seat_has_country"
        ),
        sa.CheckConstraint("constituency <> 'chair' OR is_voting", name="chair_votes"),
        # At most one active seat per user and one active chair (partial unique indexes, both engines).
        sa.Index(
            "uq_committee_seats_active_user",
            "user_id",
            unique=True,
            sqlite_where=sa.text("is_active"),
            postgresql_where=sa.text("is_active"),
        ),
        sa.Index(
            "uq_committee_seats_active_chair",
            "constituency",
            unique=True,
            sqlite_where=sa.text("is_active AND constituency = 'chair'"),
            postgresql_where=sa.text("is_active AND constituency = 'chair'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    constituency: Mapped[Constituency] = mapped_column(
        sa.Enum(Constituency, native_enum=False, length=30, validate_strings=True), index=True
    )
    #: The member who holds the seat.
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The organisation the member represents (usually, not necessarily, the user's own).
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    #: Country seats only: the country of origin, transit or destination.
    country_code: Mapped[str | None] = mapped_column(sa.ForeignKey("countries.code"))
    term_start_on: Mapped[date]
    #: Open-ended while null; set when the term ends.
    term_end_on: Mapped[date | None]
    is_voting: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    country: Mapped[Country | None] = relationship()

    @property
    def label(self) -> str:
        """How minutes and vote reasons name the seat: the country or organisation, e.g. 'Norway'."""
        if self.country is not None:
            return self.country.name
        return self.organisation.name

    def __str__(self) -> str:
        return f"{self.constituency.label}: {self.user.name} ({self.organisation.code})"


class ScoringCriterion(db.Model):
    """One criterion of a scoring set: the fund's default set (call_id null) or a call's own set."""

    __tablename__ = "scoring_criteria"
    __table_args__ = (
        sa.CheckConstraint("weight >= 1 AND weight <= 100", name="weight_range"),
        sa.UniqueConstraint("call_id", "code", name="uq_scoring_criteria_call_code"),
        sa.Index(
            "uq_scoring_criteria_default_code",
            "code",
            unique=True,
            sqlite_where=sa.text("call_id IS NULL"),
            postgresql_where=sa.text("call_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The call this set belongs to; null for the fund's default set. (The FK to calls comes with them.)
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: Percentage points; the weights of one set sum to 100.
    weight: Mapped[int]
    position: Mapped[int] = mapped_column(default=0)


class CommitteeSettings(db.Model):
    """The committee's quorum and majority settings (one row; defaults apply while it is absent).

    The decision rule itself (consensus or majority) is FundSettings.decision_rule.
    """

    __tablename__ = "committee_settings"
    __table_args__ = (
        sa.CheckConstraint(
            "quorum_numerator >= 0 AND quorum_denominator > 0 AND quorum_numerator <= quorum_denominator",
            name="quorum_fraction",
        ),
        sa.CheckConstraint(
            "majority_numerator > 0 AND majority_denominator > 0 AND majority_numerator <= majority_denominator",
            name="majority_fraction",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Quorum: the chair present, and present voting seats above (or at least) this fraction of voting seats.
    quorum_requires_chair: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    quorum_numerator: Mapped[int] = mapped_column(default=1, server_default="1")
    quorum_denominator: Mapped[int] = mapped_column(default=2, server_default="2")
    #: True: strictly more than the fraction (a majority); false: at least the fraction.
    quorum_strict: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    #: Majority rule: approvals against the base, above (strict) or at least the fraction.
    majority_numerator: Mapped[int] = mapped_column(default=1, server_default="1")
    majority_denominator: Mapped[int] = mapped_column(default=2, server_default="2")
    majority_strict: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    majority_base: Mapped[MajorityBase] = mapped_column(
        sa.Enum(MajorityBase, native_enum=False, length=20, validate_strings=True),
        default=MajorityBase.votes_cast,
        server_default=MajorityBase.votes_cast.value,
    )
