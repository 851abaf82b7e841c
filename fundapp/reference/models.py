"""Reference data: the fund's settings, thematic areas, GCM objectives, guiding principles, markers,
organisations (UN entities among them), countries with M49 regions, currencies. All editable data."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.core.extensions import db
from fundapp.core.money import Money, Rate
from fundapp.reference.names import country_name, iso_name, translated

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
    #: OECD DAC 5-digit purpose code of the area's work (IATI sector vocabulary 1), beside the fund's own codes.
    dac_sector: Mapped[str | None] = mapped_column(sa.String(5))

    objectives: Mapped[list["GcmObjective"]] = relationship(
        secondary=thematic_area_objectives, order_by="GcmObjective.number", back_populates="thematic_areas"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def local_name(self) -> str:
        """The name in the reader's language (names.py), English when there is no translation."""
        return translated("thematic_areas", self.code, self.name)

    @property
    def label(self) -> str:
        """'TA1 name' in the reader's language (str() stays English, for stored and exported text)."""
        return f"{self.code} {self.local_name}"


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

    @property
    def local_title(self) -> str:
        """The Compact's title of the objective in the reader's language."""
        return translated("gcm_objectives", self.number, self.title)

    local_name = local_title

    @property
    def label(self) -> str:
        """'N. title' in the reader's language."""
        return f"{self.number}. {self.local_title}"


class GuidingPrinciple(db.Model):
    __tablename__ = "guiding_principles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)

    @property
    def local_name(self) -> str:
        return translated("guiding_principles", self.code, self.name)


class MarkerLevel(db.Model):
    """The shared marker scale (0 to 3 in the UN gender-equality-marker convention)."""

    __tablename__ = "marker_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    score: Mapped[int] = mapped_column(unique=True)
    label: Mapped[str] = mapped_column(sa.String(120))

    @property
    def local_label(self) -> str:
        return translated("marker_levels", self.score, self.label)


class Marker(db.Model):
    __tablename__ = "markers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    principle_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guiding_principles.id"))
    #: Programmes scoring below this are flagged (the programmes issue uses it).
    minimum_score: Mapped[int] = mapped_column(default=2, server_default="2")

    principle: Mapped[GuidingPrinciple | None] = relationship()

    @property
    def local_name(self) -> str:
        return translated("markers", self.code, self.name)


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

    @property
    def local_name(self) -> str:
        """The ISO 3166 name in the reader's language."""
        return country_name(self.code, self.name)


class Currency(db.Model):
    __tablename__ = "currencies"

    code: Mapped[str] = mapped_column(sa.String(3), primary_key=True)  # ISO 4217
    name: Mapped[str] = mapped_column(sa.String(120))
    numeric: Mapped[str | None] = mapped_column(sa.String(3))

    @property
    def local_name(self) -> str:
        """The ISO 4217 name in the reader's language."""
        return iso_name("iso4217", self.name)
