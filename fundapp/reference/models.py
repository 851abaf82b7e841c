"""Reference data: the fund's settings, thematic areas, GCM objectives, guiding principles, markers,
organisations (UN entities among them), countries with M49 regions, currencies. All editable data."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.money import Money, Rate

thematic_area_objectives = sa.Table(
    "thematic_area_objectives",
    db.metadata,
    sa.Column("thematic_area_id", sa.ForeignKey("thematic_areas.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("objective_id", sa.ForeignKey("gcm_objectives.id", ondelete="CASCADE"), primary_key=True),
)


class FundSettings(db.Model):
    """One row: the fund this installation runs. Another fund loads its own reference file."""

    __tablename__ = "fund_settings"
    __table_args__ = (
        sa.CheckConstraint("administrative_agent_fee_rate >= 0", name="fee_rate_not_negative"),
        sa.CheckConstraint("indirect_support_cost_rate >= 0", name="isc_rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    currency: Mapped[str] = mapped_column(sa.String(3))
    established_on: Mapped[date | None]
    capitalization_target_usd: Mapped[Money]
    administrative_agent: Mapped[str] = mapped_column(sa.String(200))
    administrative_agent_fee_rate: Mapped[Rate]
    indirect_support_cost_rate: Mapped[Rate]
    chair: Mapped[str | None] = mapped_column(sa.String(300))
    decision_rule: Mapped[str] = mapped_column(sa.String(20), default="consensus")
    #: Month-day by which certified final expenditures are due, e.g. '04-30'.
    year_end_expenditure_deadline: Mapped[str] = mapped_column(sa.String(5), default="04-30")


class ThematicArea(db.Model):
    __tablename__ = "thematic_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    objectives: Mapped[list["GcmObjective"]] = relationship(
        secondary=thematic_area_objectives, order_by="GcmObjective.number", back_populates="thematic_areas"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GcmObjective(db.Model):
    __tablename__ = "gcm_objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))

    thematic_areas: Mapped[list[ThematicArea]] = relationship(
        secondary=thematic_area_objectives, order_by=ThematicArea.position, back_populates="objectives"
    )

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class GuidingPrinciple(db.Model):
    __tablename__ = "guiding_principles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)


class MarkerLevel(db.Model):
    """The shared marker scale (0 to 3 in the UN gender-equality-marker convention)."""

    __tablename__ = "marker_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    score: Mapped[int] = mapped_column(unique=True)
    label: Mapped[str] = mapped_column(sa.String(120))


class Marker(db.Model):
    __tablename__ = "markers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    principle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guiding_principles.id"))
    #: Programmes scoring below this are flagged (the programmes issue uses it).
    minimum_score: Mapped[int] = mapped_column(default=2, server_default="2")

    principle: Mapped[GuidingPrinciple | None] = relationship()


class Region(db.Model):
    """UN M49 regions at three levels: region, sub-region, intermediate region."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[str] = mapped_column(sa.String(20))


class Country(db.Model):
    __tablename__ = "countries"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)  # ISO 3166-1 alpha-3
    alpha2: Mapped[str] = mapped_column(sa.String(2), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    sub_region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    intermediate_region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))

    region: Mapped[Region | None] = relationship(foreign_keys=[region_code])
    sub_region: Mapped[Region | None] = relationship(foreign_keys=[sub_region_code])

    def __str__(self) -> str:
        return self.name


class Currency(db.Model):
    __tablename__ = "currencies"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)  # ISO 4217
    name: Mapped[str] = mapped_column(sa.String(120))
    numeric: Mapped[str | None] = mapped_column(sa.String(3))


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

    country: Mapped[Country | None] = relationship()

    def __str__(self) -> str:
        return self.name
