"""Joint programmes after funding: the full record, the budget by UN category, tranches and expenditure reports.

A `JointProgramme` completes the committee's `JointProgrammeDocument` 1:1: its primary key *is* the
document's id, so the ledger's ``programme_id`` keeps meaning the same thing (the document id) and every
ledger query keyed on it still holds. Money itself lives only in the ledger; these tables hold the plan
(budget, tranches) and the records that explain the postings (tranche release, expenditure report).
"""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.auth.models import Organisation
from fundapp.committee.models import JointProgrammeDocument, programme_reference
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.money import FixedDecimal, Money, Rate
from fundapp.notifications.discussions import DiscussionMessage
from fundapp.programmes.workflow import APPROVED, DRAFT, PIPELINE, RETURNED
from fundapp.results.rollup import Direction, IndicatorUnit

#: The occasion of the alignment assessment made when the programme is approved (the others are report years).
APPROVAL_OCCASION = "approval"


class BudgetCategory(enum.StrEnum):
    """The seven UN harmonised budget categories (UNDG, 2012)."""

    staff = "staff"
    supplies = "supplies"
    equipment = "equipment"
    contractual = "contractual"
    travel = "travel"
    transfers = "transfers"
    operating = "operating"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    BudgetCategory.staff: _l("Staff and other personnel"),
    BudgetCategory.supplies: _l("Supplies, commodities, materials"),
    BudgetCategory.equipment: _l("Equipment, vehicles and furniture, including depreciation"),
    BudgetCategory.contractual: _l("Contractual services"),
    BudgetCategory.travel: _l("Travel"),
    BudgetCategory.transfers: _l("Transfers and grants to counterparts"),
    BudgetCategory.operating: _l("General operating and other direct costs"),
}


class JointProgramme(db.Model):
    """The joint programme: the committee's programme document completed with what implementation needs."""

    __tablename__ = "joint_programmes"

    id: Mapped[int] = mapped_column(
        sa.ForeignKey("joint_programme_documents.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    title: Mapped[str] = mapped_column(sa.String(250))
    status: Mapped[str] = mapped_column(sa.String(30), default=APPROVED, index=True)
    national_partners: Mapped[str] = mapped_column(sa.Text, default="")
    approved_on: Mapped[date]
    final_report_on: Mapped[date | None]
    final_report_summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    document: Mapped[JointProgrammeDocument] = relationship(lazy="joined", innerjoin=True)
    budget_items: Mapped[list["BudgetItem"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="BudgetItem.id"
    )
    tranches: Mapped[list["Tranche"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="(Tranche.planned_on, Tranche.id)"
    )

    @property
    def reference(self) -> str:
        """JP-0007: the programme's one reference everywhere (committee.models.programme_reference)."""
        return programme_reference(self.id)

    @property
    def note_reference(self) -> str:
        """The concept note the programme came from (CN-0037), shown beside its reference."""
        return self.document.concept_note.reference

    @property
    def is_pipeline(self) -> bool:
        """Ready for implementation, not funded yet."""
        return self.status == PIPELINE

    @property
    def participating_ids(self) -> set[int]:
        """Organizations with a budget in the programme, plus the note's participants."""
        ids = {line.organisation_id for line in self.document.budget_lines}
        ids |= {p.organisation_id for p in self.document.concept_note.participants}
        return ids

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class BudgetItem(db.Model):
    """Direct costs of one participating organization in one UN budget category."""

    __tablename__ = "programme_budget_items"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "organisation_id", "category", name="uq_programme_budget_item"),
        sa.CheckConstraint("amount >= 0", name="budget_item_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    category: Mapped[BudgetCategory] = mapped_column(
        sa.Enum(BudgetCategory, native_enum=False, length=20, validate_strings=True)
    )
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")

    programme: Mapped[JointProgramme] = relationship(back_populates="budget_items")


class Tranche(db.Model):
    """A planned transfer to one participating organization, with the conditions its release needs."""

    __tablename__ = "programme_tranches"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="tranche_amount_positive"),
        sa.CheckConstraint("min_spent_percent IS NULL OR min_spent_percent >= 0", name="tranche_min_spent_sign"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    planned_on: Mapped[date]
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")
    #: Condition: the programme's latest progress report due before release is approved.
    needs_report_approved: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Condition: at least this percentage of what the organization received (net of refunds) is spent.
    min_spent_percent: Mapped[Decimal | None] = mapped_column(FixedDecimal(5, 2))
    released_on: Mapped[date | None]
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ledger_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    #: Set when the chair released a blocked tranche: why, and which conditions were unmet.
    override_justification: Mapped[str] = mapped_column(sa.Text, default="")
    unmet_at_release: Mapped[str] = mapped_column(sa.Text, default="")

    programme: Mapped[JointProgramme] = relationship(back_populates="tranches")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def is_released(self) -> bool:
        return self.released_on is not None


class ExpenditureKind(enum.StrEnum):
    interim = "interim"
    final = "final"

    @property
    def label(self) -> str:
        return _("Certified final") if self is ExpenditureKind.final else _("Interim")


class ExpenditureReport(db.Model):
    """Expenses an organization reports for a programme and calendar year; a final one certifies the year."""

    __tablename__ = "programme_expenditure_reports"
    __table_args__ = (
        sa.CheckConstraint("amount >= 0", name="expenditure_amount_not_negative"),
        sa.Index("ix_programme_expenditure_org_year", "programme_id", "organisation_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    year: Mapped[int]
    kind: Mapped[ExpenditureKind] = mapped_column(
        sa.Enum(ExpenditureKind, native_enum=False, length=10, validate_strings=True)
    )
    #: What this report adds to the ledger (for a final report: certified total less the interim figures).
    amount: Mapped[Money]
    #: A final report's certified expenditure for the whole year.
    certified_total: Mapped[Money | None]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")
    reported_on: Mapped[date]
    ledger_entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entries.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


# Programme results framework and progress reports ---------------------------------------------------


class ProgrammeOutcome(db.Model):
    """An outcome of a programme's own results framework."""

    __tablename__ = "programme_outcomes"
    __table_args__ = (sa.UniqueConstraint("programme_id", "code", name="uq_programme_outcome_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[str] = mapped_column(sa.String(600))

    outputs: Mapped[list["ProgrammeOutput"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="ProgrammeOutput.code"
    )
    indicators: Mapped[list["ProgrammeIndicator"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan", order_by="ProgrammeIndicator.code"
    )


class ProgrammeOutput(db.Model):
    """An output contributing to a programme outcome."""

    __tablename__ = "programme_outputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_outcomes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    statement: Mapped[str] = mapped_column(sa.String(600))

    outcome: Mapped[ProgrammeOutcome] = relationship(back_populates="outputs")


class ProgrammeIndicator(db.Model):
    """An indicator of a programme outcome (or of one of its outputs), optionally linked to a fund indicator."""

    __tablename__ = "programme_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_outcomes.id", ondelete="CASCADE"), index=True)
    output_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme_outputs.id", ondelete="SET NULL"))
    fund_indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fund_indicators.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(600))
    unit: Mapped[IndicatorUnit] = mapped_column(
        sa.Enum(IndicatorUnit, native_enum=False, length=20, validate_strings=True)
    )
    #: The way the indicator should move (see results.rollup.measure_progress).
    direction: Mapped[Direction] = mapped_column(
        sa.Enum(Direction, native_enum=False, length=10, validate_strings=True),
        default=Direction.increase,
        server_default=Direction.increase.value,
    )
    baseline_value: Mapped[Rate]
    baseline_year: Mapped[int]
    target_value: Mapped[Rate]
    by_sex: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    by_age_group: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    by_migratory_status: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    outcome: Mapped[ProgrammeOutcome] = relationship(back_populates="indicators")
    output: Mapped[ProgrammeOutput | None] = relationship()

    @property
    def disaggregations(self) -> list[str]:
        return [
            d
            for d, on in (
                ("sex", self.by_sex),
                ("age_group", self.by_age_group),
                ("migratory_status", self.by_migratory_status),
            )
            if on
        ]


class ProgressReport(db.Model):
    """A programme's progress report for a period ('2021-H1' semi-annual, '2021' annual)."""

    __tablename__ = "programme_progress_reports"
    __table_args__ = (sa.UniqueConstraint("programme_id", "period", name="uq_progress_report_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(10))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(20), default=DRAFT, index=True)
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    challenges: Mapped[str] = mapped_column(sa.Text, default="")
    review_comment: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_on: Mapped[date | None]
    approved_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    programme: Mapped[JointProgramme] = relationship()
    values: Mapped[list["ReportValue"]] = relationship(back_populates="report", cascade="all, delete-orphan")

    @property
    def is_returned(self) -> bool:
        """Returned by the secretariat for correction (its comment is shown to the focal points)."""
        return self.status == RETURNED


class ReportValue(db.Model):
    """The actual value of one indicator in a report, with its disaggregation (JSON: dimension → category → value)."""

    __tablename__ = "programme_report_values"
    __table_args__ = (sa.UniqueConstraint("report_id", "indicator_id", name="uq_report_value_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        sa.ForeignKey("programme_progress_reports.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("programme_indicators.id", ondelete="CASCADE"), index=True)
    actual: Mapped[Rate]
    disaggregation: Mapped[str] = mapped_column(sa.Text, default="{}")

    report: Mapped[ProgressReport] = relationship(back_populates="values")


class AlignmentAssessment(db.Model):
    """The secretariat's guiding-principle assessment of a programme at approval or at an annual report.

    ``marker_scores`` (marker code → 0–3) and ``values`` (alignment indicator code → measured value) are JSON
    texts; the scores are computed by results/alignment.py and kept with the assessment they came from.
    """

    __tablename__ = "programme_alignment_assessments"
    __table_args__ = (sa.UniqueConstraint("programme_id", "occasion", name="uq_alignment_occasion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
    #: 'approval', or the year of the annual report ('2021').
    occasion: Mapped[str] = mapped_column(sa.String(10))
    assessed_on: Mapped[date]
    marker_scores: Mapped[str] = mapped_column(sa.Text, default="{}")
    values: Mapped[str] = mapped_column(sa.Text, default="{}")
    principle_scores: Mapped[str] = mapped_column(sa.Text, default="{}")
    overall: Mapped[Decimal] = mapped_column(FixedDecimal(5, 2))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    @property
    def sort_key(self) -> tuple[int, str]:
        return (0, "") if self.occasion == APPROVAL_OCCASION else (1, self.occasion)


class ProgrammeMessage(DiscussionMessage, db.Model):
    """A message of the programme's discussion thread between its participating organizations and the Fund
    Management Unit (notifications.discussions has the columns and rules every thread shares)."""

    __tablename__ = "programme_messages"

    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("joint_programmes.id", ondelete="CASCADE"), index=True)
