"""Calls for concept notes, concept notes with their participating organizations, budgets, principles and
markers, frozen versions, screening records and attachments."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.auth.models import Organisation
from fundapp.concept_notes.workflow import DRAFT
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _
from fundapp.core.models import AppendOnly
from fundapp.core.money import FixedDecimal, Money
from fundapp.notifications.discussions import DiscussionMessage
from fundapp.reference.models import Country, GcmObjective, GuidingPrinciple, Marker, ThematicArea

call_thematic_areas = sa.Table(
    "call_thematic_areas",
    db.metadata,
    sa.Column("call_id", sa.ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("thematic_area_id", sa.ForeignKey("thematic_areas.id"), primary_key=True),
)

concept_note_objectives = sa.Table(
    "concept_note_objectives",
    db.metadata,
    sa.Column("concept_note_id", sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("objective_id", sa.ForeignKey("gcm_objectives.id"), primary_key=True),
)

concept_note_countries = sa.Table(
    "concept_note_countries",
    db.metadata,
    sa.Column("concept_note_id", sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("country_code", sa.ForeignKey("countries.code"), primary_key=True, index=True),
)


def N_(text: str) -> str:  # noqa: N802 (pybabel extracts the N_ keyword)
    """Marks text for the catalogue (pybabel's N_ keyword) and leaves it in English: the frozen versions keep
    these words as their keys, so they are translated where they are shown, with _(text)."""
    return text


class Scope(enum.StrEnum):
    national = "national"
    multi_country = "multi_country"
    regional = "regional"
    global_ = "global"

    @property
    def label(self) -> str:
        return _(SCOPE_LABELS[self])


SCOPE_LABELS = {
    Scope.national: N_("National"),
    Scope.multi_country: N_("Multi-country"),
    Scope.regional: N_("Regional"),
    Scope.global_: N_("Global"),
}

#: (attribute, label, help) of the narrative sections, in the order of the form and the PDF.
NARRATIVES = [
    (
        "context",
        N_("Context and problem"),
        N_("The migration situation the programme responds to and the problem it solves."),
    ),
    (
        "theory_of_change",
        N_("Theory of change"),
        N_("If … then … because …: how the activities lead to the change sought."),
    ),
    ("expected_results", N_("Expected results"), N_("Outcomes and main outputs, with how they will be measured.")),
    ("target_groups", N_("Target groups"), N_("Who benefits, directly and indirectly, and how many people.")),
    (
        "stakeholder_participation",
        N_("Migrant and stakeholder participation (whole-of-society)"),
        N_("How migrants, diaspora, civil society, the private sector and others take part."),
    ),
    (
        "government_engagement",
        N_("Government partners (whole-of-government)"),
        N_("Which ministries and authorities take part, and their role."),
    ),
    ("sustainability", N_("Sustainability"), N_("What continues after the programme and who carries it on.")),
]


#: The note's long free texts (its narratives and government partners): what a list or an export of many notes
#: never shows, so their queries leave them unread (`sqlalchemy.orm.defer`).
LONG_TEXTS = ("government_partners", *(attr for attr, _label, _help in NARRATIVES))


def note_reference(note_id: int) -> str:
    """A concept note's reference, CN-0037."""
    return f"CN-{note_id:04d}"


class Call(db.Model):
    """A call for concept notes and the eligibility settings in force for it."""

    __tablename__ = "calls"
    __table_args__ = (
        sa.CheckConstraint("min_organisations >= 1", name="min_organisations_positive"),
        sa.CheckConstraint("budget_ceiling > 0", name="budget_ceiling_positive"),
        sa.CheckConstraint("envelope >= 0", name="envelope_not_negative"),
        sa.CheckConstraint(
            "min_duration_months >= 1 AND max_duration_months >= min_duration_months", name="duration_range"
        ),
        sa.CheckConstraint("is_rolling OR closes_on IS NOT NULL", name="closes_unless_rolling"),
        sa.CheckConstraint("closes_on IS NULL OR closes_on >= opens_on", name="closes_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    opens_on: Mapped[date]
    #: Null for a rolling call (open until the secretariat sets a closing date).
    closes_on: Mapped[date | None]
    is_rolling: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Indicative envelope for the call, in USD.
    envelope: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")
    min_organisations: Mapped[int] = mapped_column(default=2, server_default="2")
    #: Ceiling of a note's total budget, indirect support costs included.
    budget_ceiling: Mapped[Money]
    min_duration_months: Mapped[int] = mapped_column(default=12, server_default="12")
    max_duration_months: Mapped[int] = mapped_column(default=36, server_default="36")
    #: A national programme needs a government endorsement letter.
    endorsement_required: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    thematic_areas: Mapped[list[ThematicArea]] = relationship(
        secondary=call_thematic_areas, order_by=ThematicArea.position
    )

    def is_open(self, on: date) -> bool:
        return self.opens_on <= on and (self.closes_on is None or on <= self.closes_on)

    def __str__(self) -> str:
        return self.title


class ConceptNote(db.Model):
    """A concept note owned by its lead participating UN organization; every focal point of it may edit."""

    __tablename__ = "concept_notes"
    __table_args__ = (
        sa.CheckConstraint("duration_months IS NULL OR duration_months > 0", name="duration_positive"),
        # Only the sign: SQLite stores the exact decimal as scaled integer cents, so "<= 100" would mean 1.00 there;
        # the upper bound is the service's rule.
        sa.CheckConstraint("gender_budget_share IS NULL OR gender_budget_share >= 0", name="gender_share_not_negative"),
        sa.CheckConstraint("version_count >= 0", name="version_count_not_negative"),
        sa.Index("ix_concept_notes_status_call", "status", "call_id"),
        # An organization's notes by status (its inbox) and the latest edited first (its home page).
        sa.Index("ix_concept_notes_organisation_status", "organisation_id", "status"),
        sa.Index("ix_concept_notes_organisation_updated", "organisation_id", "updated_at"),
        # Covering indexes of the submitted notes (version_count > 0): the list's count and budget total, and the
        # search box's scan of titles, read them instead of the notes' long rows.
        sa.Index("ix_concept_notes_submitted_budget", "version_count", "budget_total"),
        sa.Index("ix_concept_notes_submitted_title", "version_count", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id"), index=True)
    #: The lead participating UN organization: its focal points own the note.
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(250), default="")
    status: Mapped[str] = mapped_column(sa.String(40), default=DRAFT, index=True)
    thematic_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("thematic_areas.id"), index=True)
    scope: Mapped[Scope | None] = mapped_column(sa.Enum(Scope, native_enum=False, length=20, validate_strings=True))
    government_partners: Mapped[str] = mapped_column(sa.Text, default="")
    duration_months: Mapped[int | None]
    #: Share of the budget for gender equality and women's empowerment, in percent.
    gender_budget_share: Mapped[Decimal | None] = mapped_column(FixedDecimal(5, 2))
    context: Mapped[str] = mapped_column(sa.Text, default="")
    theory_of_change: Mapped[str] = mapped_column(sa.Text, default="")
    expected_results: Mapped[str] = mapped_column(sa.Text, default="")
    target_groups: Mapped[str] = mapped_column(sa.Text, default="")
    stakeholder_participation: Mapped[str] = mapped_column(sa.Text, default="")
    government_engagement: Mapped[str] = mapped_column(sa.Text, default="")
    sustainability: Mapped[str] = mapped_column(sa.Text, default="")
    #: Totals over the budget lines, kept in step by the services so lists can sort and filter in SQL.
    direct_costs_total: Mapped[Money] = mapped_column(default=Decimal("0"))
    indirect_costs_total: Mapped[Money] = mapped_column(default=Decimal("0"))
    budget_total: Mapped[Money] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    first_submitted_on: Mapped[date | None]
    last_submitted_on: Mapped[date | None] = mapped_column(index=True)
    version_count: Mapped[int] = mapped_column(default=0, server_default="0")

    call: Mapped[Call] = relationship(lazy="joined", innerjoin=True)
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)
    thematic_area: Mapped[ThematicArea | None] = relationship(lazy="joined")
    objectives: Mapped[list[GcmObjective]] = relationship(
        secondary=concept_note_objectives, order_by=GcmObjective.number
    )
    countries: Mapped[list[Country]] = relationship(secondary=concept_note_countries, order_by=Country.name)
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="concept_note", cascade="all, delete-orphan", order_by="Participant.position"
    )
    principles: Mapped[list["PrincipleStatement"]] = relationship(cascade="all, delete-orphan")
    markers: Mapped[list["MarkerScore"]] = relationship(cascade="all, delete-orphan")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="concept_note", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def reference(self) -> str:
        return note_reference(self.id)

    @property
    def partners(self) -> list["Participant"]:
        return [p for p in self.participants if not p.is_lead]

    def __str__(self) -> str:
        return f"{self.reference} {self.title or '(untitled)'}"


class Participant(db.Model):
    """A participating UN organization of a note and its budget: direct costs plus indirect support costs."""

    __tablename__ = "concept_note_participants"
    __table_args__ = (
        sa.UniqueConstraint("concept_note_id", "organisation_id", name="uq_participant_note_org"),
        sa.CheckConstraint("direct_costs >= 0", name="direct_costs_not_negative"),
        sa.CheckConstraint("indirect_costs >= 0", name="indirect_costs_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    position: Mapped[int] = mapped_column(default=0)
    direct_costs: Mapped[Money] = mapped_column(default=Decimal("0"))
    #: Computed from the fund's indirect support cost rate when the budget is saved.
    indirect_costs: Mapped[Money] = mapped_column(default=Decimal("0"))
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")

    concept_note: Mapped[ConceptNote] = relationship(back_populates="participants")
    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)

    @property
    def total(self) -> Decimal:
        return self.direct_costs + self.indirect_costs


class PrincipleStatement(db.Model):
    """How the programme applies one of the guiding principles."""

    __tablename__ = "concept_note_principles"

    concept_note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), primary_key=True
    )
    principle_id: Mapped[int] = mapped_column(sa.ForeignKey("guiding_principles.id"), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")

    principle: Mapped[GuidingPrinciple] = relationship(lazy="joined")


class MarkerScore(db.Model):
    """The applicant's self-assessed score on one marker."""

    __tablename__ = "concept_note_markers"

    concept_note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), primary_key=True
    )
    marker_id: Mapped[int] = mapped_column(sa.ForeignKey("markers.id"), primary_key=True)
    score: Mapped[int]

    marker: Mapped[Marker] = relationship(lazy="joined")


class ConceptNoteVersion(AppendOnly, db.Model):
    """The note as it was submitted: a frozen JSON snapshot, one per submission."""

    __tablename__ = "concept_note_versions"
    __table_args__ = (sa.UniqueConstraint("concept_note_id", "number", name="uq_version_note_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    submitted_on: Mapped[date]
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Canonical JSON of the note's content (see services.snapshot).
    content: Mapped[str] = mapped_column(sa.Text)


class Screening(AppendOnly, db.Model):
    """The secretariat's eligibility screening of one submitted version, with its checklist."""

    __tablename__ = "concept_note_screenings"
    __table_args__ = (sa.CheckConstraint("decision IN ('eligible', 'ineligible', 'returned')", name="decision_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int]
    decision: Mapped[str] = mapped_column(sa.String(20))
    #: JSON: {"automatic": {rule: passed}, "manual": {check: ticked}}.
    checks: Mapped[str] = mapped_column(sa.Text)
    comments: Mapped[str] = mapped_column(sa.Text, default="")
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    screened_at: Mapped[datetime] = mapped_column(default=clock.now)


class AttachmentKind(enum.StrEnum):
    endorsement = "endorsement"
    supporting = "supporting"

    @property
    def label(self) -> str:
        return _(self.english)

    @property
    def english(self) -> str:
        """The label frozen into a version (stored data stays in English)."""
        return N_("Government endorsement letter") if self is AttachmentKind.endorsement else N_("Supporting document")


class Attachment(db.Model):
    """A file attached to a note; the bytes live in UPLOAD_FOLDER under stored_name."""

    __tablename__ = "concept_note_attachments"
    __table_args__ = (sa.CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttachmentKind] = mapped_column(
        sa.Enum(AttachmentKind, native_enum=False, length=20, validate_strings=True)
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)

    concept_note: Mapped[ConceptNote] = relationship(back_populates="attachments")


class NoteMessage(DiscussionMessage, db.Model):
    """A message of the note's discussion thread between its organizations and the Fund Management Unit
    (notifications.discussions has the columns and rules every thread shares)."""

    __tablename__ = "concept_note_messages"

    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
