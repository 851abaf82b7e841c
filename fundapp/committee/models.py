"""Committee seats, scoring criteria and the committee's decision settings."""

import enum
import json
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.auth.models import Organisation, User
from fundapp.committee import workflow
from fundapp.committee.rules import CriterionResult, MajorityBase, ScoreSummary, Vote
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _l
from fundapp.core.money import FixedDecimal, Money
from fundapp.reference.models import Country
from fundapp.reference.names import translated


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
    Constituency.chair: _l("Chair"),
    Constituency.un_network: _l("UN Network member"),
    Constituency.donor: _l("Donor"),
    Constituency.country_of_origin: _l("Country of origin"),
    Constituency.country_of_transit: _l("Country of transit"),
    Constituency.country_of_destination: _l("Country of destination"),
    Constituency.civil_society: _l("Stakeholder — civil society"),
    Constituency.migrant_organization: _l("Stakeholder — migrant organization"),
    Constituency.administrative_agent: _l("Administrative agent"),
    Constituency.secretariat: _l("Secretariat"),
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
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

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

    @property
    def local_name(self) -> str:
        """The name in the reader's language (the reference file's wording for the fund's criteria, by code)."""
        return translated("scoring_criteria", self.code, self.name)

    @property
    def local_description(self) -> str:
        if not self.description:
            return ""
        return translated("scoring_criteria", self.code, self.description, field="descriptions")


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


# Reviews, scores and conflicts of interest --------------------------------------------------------


class Review(db.Model):
    """The committee's blind review of one concept note: open while members score, closed by the chair.

    Nobody sees another member's scores while the review is open; closing it reveals the results.
    """

    __tablename__ = "committee_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), unique=True, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(default=clock.now)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The day the members' scores are due (set when the review opens; the members' inboxes sort by it).
    closes_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    concept_note = relationship("ConceptNote")

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class ScoreSheet(db.Model):
    """One member's scores of one note (one row per criterion in ScoreLine) and the member's comment."""

    __tablename__ = "committee_score_sheets"
    __table_args__ = (sa.UniqueConstraint("concept_note_id", "seat_id", name="uq_score_sheet_note_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_seats.id"), index=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    scored_at: Mapped[datetime] = mapped_column(default=clock.now)

    seat: Mapped[CommitteeSeat] = relationship()
    lines: Mapped[list["ScoreLine"]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", order_by="ScoreLine.id"
    )

    def as_dict(self) -> dict[str, int]:
        return {line.code: line.score for line in self.lines}


class ScoreLine(db.Model):
    """A member's score (1–5) on one criterion, by the criterion's code."""

    __tablename__ = "committee_score_lines"
    __table_args__ = (
        sa.UniqueConstraint("sheet_id", "code", name="uq_score_line_sheet_code"),
        sa.CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_score_sheets.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    score: Mapped[int]

    sheet: Mapped[ScoreSheet] = relationship(back_populates="lines")


class ReviewSummary(db.Model):
    """The scores of a note as they stood when the chair closed its review: frozen from then on.

    Written by services.close_review (and rewritten only when a member declares a conflict afterwards, which
    withdraws that member's scores), so that ranking and paginating the pipeline is an SQL query over
    weighted_total instead of a recomputation from every score sheet. `criteria` keeps the per-criterion
    results and `member_totals` each member's own total, as JSON (the weights in force at closing).
    """

    __tablename__ = "committee_review_summaries"
    __table_args__ = (
        sa.CheckConstraint("members >= 0", name="members_not_negative"),
        # Only the sign: SQLite stores the exact decimal as scaled integer hundredths, so "<= 100" would mean
        # 1.00 there; the upper bound is the scoring maths' (rules.summarise).
        sa.CheckConstraint("weighted_total IS NULL OR weighted_total >= 0", name="weighted_total_not_negative"),
        sa.CheckConstraint("(members = 0) = (weighted_total IS NULL)", name="total_iff_members"),
        sa.Index("ix_committee_review_summaries_ranking", "weighted_total", "concept_note_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_reviews.id", ondelete="CASCADE"), unique=True)
    concept_note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), unique=True, index=True
    )
    #: Members whose scores count (their sheet covers the criteria in force at closing).
    members: Mapped[int]
    #: 0–100, two decimals; null when no sheet counts.
    weighted_total: Mapped[Decimal | None] = mapped_column(FixedDecimal(5, 2))
    #: Max − min of the members' own totals.
    total_spread: Mapped[Decimal | None] = mapped_column(FixedDecimal(5, 2))
    #: JSON list: {code, weight, mean, minimum, maximum, spread, points} per criterion, in the set's order.
    criteria: Mapped[str] = mapped_column(sa.Text, default="[]", server_default="[]")
    #: JSON object: seat id → that member's weighted total.
    member_totals: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")
    computed_at: Mapped[datetime] = mapped_column(default=clock.now)

    def as_summary(self) -> ScoreSummary:
        """The rules' ScoreSummary, as the pages and the pack show it."""
        criteria = tuple(
            CriterionResult(
                code=c["code"],
                weight=c["weight"],
                mean=Decimal(c["mean"]),
                minimum=c["minimum"],
                maximum=c["maximum"],
                spread=c["spread"],
                points=Decimal(c["points"]),
            )
            for c in json.loads(self.criteria)
        )
        totals = {int(seat): Decimal(total) for seat, total in json.loads(self.member_totals).items()}
        return ScoreSummary(self.members, criteria, self.weighted_total, totals, self.total_spread)

    def set_from(self, summary: ScoreSummary) -> None:
        self.members = summary.members
        self.weighted_total = summary.weighted_total
        self.total_spread = summary.total_spread
        self.criteria = json.dumps(
            [
                {
                    "code": c.code,
                    "weight": c.weight,
                    "mean": str(c.mean),
                    "minimum": c.minimum,
                    "maximum": c.maximum,
                    "spread": c.spread,
                    "points": str(c.points),
                }
                for c in summary.criteria
            ]
        )
        self.member_totals = json.dumps({str(seat): str(total) for seat, total in summary.member_totals.items()})
        self.computed_at = clock.now()


class Recusal(db.Model):
    """A conflict of interest a member declared on a note (automatic recusals are derived, not stored)."""

    __tablename__ = "committee_recusals"
    __table_args__ = (sa.UniqueConstraint("concept_note_id", "seat_id", name="uq_recusal_note_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_seats.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    declared_at: Mapped[datetime] = mapped_column(default=clock.now)

    seat: Mapped[CommitteeSeat] = relationship()


# Meetings, agenda items, attendance and votes -----------------------------------------------------


class ItemKind(enum.StrEnum):
    endorsement = "endorsement"
    funding = "funding"
    other = "other"

    @property
    def label(self) -> str:
        return {"endorsement": _l("Concept note for endorsement"), "funding": _l("Joint programme for funding")}.get(
            self.value, _l("Other business")
        )


class Outcome(enum.StrEnum):
    endorse = "endorse"
    reject = "reject"
    defer = "defer"
    return_ = "return"
    approve_funding = "approve_funding"
    approve = "approve"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def is_approval(self) -> bool:
        """Endorse, approve funding, approve: the vote must have passed."""
        return self in APPROVALS


APPROVALS = frozenset({Outcome.endorse, Outcome.approve_funding, Outcome.approve})
OUTCOME_LABELS = {
    Outcome.endorse: _l("Endorsed into the pipeline"),
    Outcome.reject: _l("Rejected"),
    Outcome.defer: _l("Deferred"),
    Outcome.return_: _l("Returned for revision"),
    Outcome.approve_funding: _l("Funding approved"),
    Outcome.approve: _l("Approved"),
}


class Meeting(db.Model):
    """A steering committee meeting: planned by the secretariat, run by the chair (status via MEETING)."""

    __tablename__ = "committee_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    held_on: Mapped[date] = mapped_column(index=True)
    location: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=workflow.PLANNED, index=True)
    #: The quorum as the chair found it when the meeting was closed (for the minutes).
    quorum_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["Attendance"]] = relationship(back_populates="meeting", cascade="all, delete-orphan")

    @property
    def is_planned(self) -> bool:
        return self.status == workflow.PLANNED

    @property
    def is_in_session(self) -> bool:
        return self.status == workflow.IN_SESSION

    @property
    def is_closed(self) -> bool:
        return self.status == workflow.CLOSED


class Attendance(db.Model):
    """A seat marked present at a meeting (absent seats have no row)."""

    __tablename__ = "committee_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "seat_id", name="uq_attendance_meeting_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_meetings.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_seats.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    seat: Mapped[CommitteeSeat] = relationship()


class AgendaItem(db.Model):
    """One item of a meeting's agenda and, once decided, its decision (status via AGENDA_ITEM)."""

    __tablename__ = "committee_agenda_items"
    __table_args__ = (
        sa.CheckConstraint("kind = 'other' OR concept_note_id IS NOT NULL", name="note_items_have_note"),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ItemKind] = mapped_column(sa.Enum(ItemKind, native_enum=False, length=20, validate_strings=True))
    concept_note_id: Mapped[int | None] = mapped_column(sa.ForeignKey("concept_notes.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(250))
    status: Mapped[str] = mapped_column(sa.String(20), default=workflow.PENDING, index=True)
    outcome: Mapped[Outcome | None] = mapped_column(
        sa.Enum(Outcome, native_enum=False, length=20, validate_strings=True)
    )
    #: Funding decisions: the amount approved (allocated through the ledger with the decision).
    amount: Mapped[Money | None]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")
    #: The committee's rationale, for the minutes.
    rationale: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: What the chair chooses to share with the applicant (never scores or votes).
    shared_comment: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: The decision rule's finding (quorum and tally) when the decision was recorded.
    rule_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    concept_note = relationship("ConceptNote")
    votes: Mapped[list["VoteRecord"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="VoteRecord.id"
    )

    @property
    def is_pending(self) -> bool:
        return self.status == workflow.PENDING

    @property
    def is_decided(self) -> bool:
        return self.status == workflow.DECIDED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == workflow.WITHDRAWN

    @property
    def is_open(self) -> bool:
        """Pending on a meeting in session: members vote on it and the chair may decide it."""
        return self.is_pending and self.meeting.is_in_session


class VoteRecord(db.Model):
    """A member's vote on an agenda item (one per seat; changing it replaces the vote until the decision)."""

    __tablename__ = "committee_votes"
    __table_args__ = (sa.UniqueConstraint("item_id", "seat_id", name="uq_vote_item_seat"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_agenda_items.id", ondelete="CASCADE"), index=True)
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_seats.id"), index=True)
    vote: Mapped[Vote] = mapped_column(sa.Enum(Vote, native_enum=False, length=10, validate_strings=True))
    rationale: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    cast_at: Mapped[datetime] = mapped_column(default=clock.now)

    item: Mapped[AgendaItem] = relationship(back_populates="votes")
    seat: Mapped[CommitteeSeat] = relationship()


# The light joint programme document ---------------------------------------------------------------


def programme_reference(programme_id: int) -> str:
    """A joint programme's reference, JP-0007, from its document's id (the ledger's programme_id): the one name a
    programme goes by on every page, list, CSV, PDF, in the API and in IATI. The concept note it came from (its
    own reference, CN-0037) is shown beside it, never instead of it."""
    return f"JP-{programme_id:04d}"


def programme_label(programme_id: int, note_reference: str | None, title: str) -> str:
    """The programme as one line of text (CSV cells, PDF tables, attribution rows): 'JP-0007 (CN-0037) Title'."""
    note = f" ({note_reference})" if note_reference else ""
    return f"{programme_reference(programme_id)}{note} {title}".strip()


class JointProgrammeDocument(db.Model):
    """The light joint programme document an endorsed note needs before it is ready for implementation.

    A summary, start and end dates and a budget per participating organization; the programmes
    capability completes it. Its id is the ledger's programme_id for the allocation.
    """

    __tablename__ = "joint_programme_documents"
    __table_args__ = (sa.CheckConstraint("ends_on > starts_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), unique=True, index=True
    )
    summary: Mapped[str] = mapped_column(sa.Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    concept_note = relationship("ConceptNote")
    budget_lines: Mapped[list["ProgrammeBudgetLine"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="ProgrammeBudgetLine.id"
    )

    @property
    def total(self):
        return sum((line.amount for line in self.budget_lines), Decimal("0.00"))

    @property
    def reference(self) -> str:
        """The programme's reference (JP-0007): the document's id is the programme's."""
        return programme_reference(self.id)


class ProgrammeBudgetLine(db.Model):
    __tablename__ = "joint_programme_budget_lines"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "organisation_id", name="uq_programme_budget_org"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        sa.ForeignKey("joint_programme_documents.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD", server_default="USD")

    document: Mapped[JointProgrammeDocument] = relationship(back_populates="budget_lines")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


# Funding scenarios -------------------------------------------------------------------------------


class ScenarioRun(db.Model):
    """A person's last run of the funding scenarios (one per user: running again replaces it).

    Computed over what that person may see (notes whose scores they may not see are left out, and listed
    as such), with the minimum shares they asked for. `fingerprint` digests those inputs, so the page can
    tell when the pipeline, the pools or what the person may see have changed since.
    """

    __tablename__ = "committee_scenario_runs"
    __table_args__ = (
        sa.CheckConstraint("time_limit_seconds > 0", name="time_limit_positive"),
        sa.CheckConstraint("solve_ms >= 0", name="solve_ms_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    #: As typed and accepted, e.g. "TA1=10, TA2=15" (the form shows them again).
    min_area: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    min_region: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    time_limit_seconds: Mapped[int]
    #: The best-score mode's outcome: optimal (proven), feasible (best found within the limit) or error.
    status: Mapped[str] = mapped_column(sa.String(20))
    #: Why the best-score mode has no result (status error), else empty.
    message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    solve_ms: Mapped[int] = mapped_column(default=0, server_default="0")
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    #: Pipeline items in the run, and those left out because this person may not see their scores.
    items: Mapped[int] = mapped_column(default=0, server_default="0")
    hidden: Mapped[int] = mapped_column(default=0, server_default="0")
    rank_funded: Mapped[int] = mapped_column(default=0, server_default="0")
    rank_amount: Mapped[Money] = mapped_column(default=Decimal("0"), server_default="0")
    rank_score: Mapped[Decimal] = mapped_column(FixedDecimal(12, 2), default=Decimal("0"), server_default="0")
    best_funded: Mapped[int | None]
    best_amount: Mapped[Money | None]
    best_score: Mapped[Decimal | None] = mapped_column(FixedDecimal(12, 2))
    #: JSON: what is left in each pool after each mode, {"rank_order": {...}, "best_score": {...}}.
    remaining: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")

    lines: Mapped[list["ScenarioLine"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True, order_by="ScenarioLine.position"
    )

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"


class ScenarioLine(db.Model):
    """One pipeline item of a scenario run: in or out under each mode, and why.

    Items hidden from the person who ran it carry no rank, score or explanation.
    """

    __tablename__ = "committee_scenario_lines"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "position", name="uq_scenario_line_position"),
        sa.CheckConstraint("is_hidden OR rank IS NOT NULL", name="visible_lines_ranked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("committee_scenario_runs.id", ondelete="CASCADE"))
    #: Rank order first, then the hidden items by note id.
    position: Mapped[int]
    concept_note_id: Mapped[int] = mapped_column(sa.ForeignKey("concept_notes.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(300))
    area: Mapped[str] = mapped_column(sa.String(20))
    region: Mapped[str] = mapped_column(sa.String(100))
    score: Mapped[Decimal | None] = mapped_column(FixedDecimal(5, 2))
    amount: Mapped[Money]
    is_hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    rank_funded: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    rank_from_earmarked: Mapped[Money] = mapped_column(default=Decimal("0"), server_default="0")
    rank_from_unearmarked: Mapped[Money] = mapped_column(default=Decimal("0"), server_default="0")
    rank_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    best_funded: Mapped[bool | None]
    best_from_earmarked: Mapped[Money | None]
    best_from_unearmarked: Mapped[Money | None]
    best_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    run: Mapped[ScenarioRun] = relationship(back_populates="lines")
