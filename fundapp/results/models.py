"""The fund-level results framework (outcomes and indicators per thematic area) and the alignment indicators.

Programme results frameworks come with joint programmes; they link their indicators to FundIndicator rows.
"""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.money import Rate
from fundapp.reference.models import GuidingPrinciple, Marker, ThematicArea
from fundapp.results.alignment import MeasureKind
from fundapp.results.rollup import Direction, IndicatorUnit


class FundOutcome(db.Model):
    """An outcome of the fund's results framework under one thematic area, e.g. "1.1 Governments collect …"."""

    __tablename__ = "fund_outcomes"
    __table_args__ = (sa.UniqueConstraint("thematic_area_id", "code", name="uq_fund_outcomes_area_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thematic_area_id: Mapped[int] = mapped_column(sa.ForeignKey("thematic_areas.id"), index=True)
    #: Short code, unique within the area (e.g. '1.1'); reports and programme documents cite it.
    code: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[str] = mapped_column(sa.String(600))
    position: Mapped[int] = mapped_column(default=0)
    #: Retired outcomes stay (programme documents cite them) but are no longer offered.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    thematic_area: Mapped[ThematicArea] = relationship()
    indicators: Mapped[list["FundIndicator"]] = relationship(
        back_populates="outcome", order_by="(FundIndicator.position, FundIndicator.id)"
    )

    def __str__(self) -> str:
        return f"{self.code} {self.statement}"


class FundIndicator(db.Model):
    """An indicator of a fund-level outcome: what is measured, in which unit, from which baseline to which target."""

    __tablename__ = "fund_indicators"
    __table_args__ = (
        sa.UniqueConstraint("thematic_area_id", "code", name="uq_fund_indicators_area_code"),
        sa.CheckConstraint("target_year > baseline_year", name="target_after_baseline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("fund_outcomes.id"), index=True)
    #: The outcome's area, kept here so the database enforces codes unique per area.
    thematic_area_id: Mapped[int] = mapped_column(sa.ForeignKey("thematic_areas.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(600))
    unit: Mapped[IndicatorUnit] = mapped_column(
        sa.Enum(IndicatorUnit, native_enum=False, length=20, validate_strings=True)
    )
    #: The way the indicator should move; progress is measured from the baseline towards the target either way.
    direction: Mapped[Direction] = mapped_column(
        sa.Enum(Direction, native_enum=False, length=10, validate_strings=True),
        default=Direction.increase,
        server_default=Direction.increase.value,
    )
    baseline_value: Mapped[Rate]
    baseline_year: Mapped[int]
    target_value: Mapped[Rate]
    target_year: Mapped[int]
    means_of_verification: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    by_sex: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    by_age_group: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    by_migratory_status: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    outcome: Mapped[FundOutcome] = relationship(back_populates="indicators")

    @property
    def disaggregations(self) -> list[str]:
        """The dimensions reported separately, as rollup.DISAGGREGATIONS names them."""
        flags = (("sex", self.by_sex), ("age_group", self.by_age_group), ("migratory_status", self.by_migratory_status))
        return [name for name, on in flags if on]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AlignmentIndicator(db.Model):
    """How the fund measures a programme's alignment with one guiding principle (see results/alignment.py)."""

    __tablename__ = "alignment_indicators"
    __table_args__ = (
        sa.CheckConstraint("threshold_1 <= threshold_2 AND threshold_2 <= threshold_3", name="thresholds_rise"),
        sa.CheckConstraint("kind <> 'marker' OR marker_id IS NOT NULL", name="marker_kind_has_marker"),
        sa.CheckConstraint("kind = 'marker' OR marker_id IS NULL", name="marker_only_for_marker_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principle_id: Mapped[int] = mapped_column(sa.ForeignKey("guiding_principles.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    #: How it is measured and from which source, in words for applicants and reviewers.
    measurement: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    kind: Mapped[MeasureKind] = mapped_column(sa.Enum(MeasureKind, native_enum=False, length=20, validate_strings=True))
    #: Marker kind only: the marker whose score is the measured value.
    marker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("markers.id"))
    #: The measured value from which the indicator scores 1, 2 and 3.
    threshold_1: Mapped[Rate]
    threshold_2: Mapped[Rate]
    threshold_3: Mapped[Rate]
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    principle: Mapped[GuidingPrinciple] = relationship()
    marker: Mapped[Marker | None] = relationship()

    @property
    def thresholds(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.threshold_1, self.threshold_2, self.threshold_3)
