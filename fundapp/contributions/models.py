"""Donors, agreements, exchange rates, deposits and the fund ledger.

The ledger (`LedgerEntry`) is the single source of every money figure: one append-only row per money
event, in USD, with the pool it affects. Deposits keep the original currency and rate beside it.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fundapp.auth.models import Organisation, User
from fundapp.core import clock
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.models import AppendOnly
from fundapp.core.money import Money, Rate
from fundapp.reference.models import Country, ThematicArea


class DonorType(enum.StrEnum):
    member_state = "member_state"
    private_sector = "private_sector"
    foundation = "foundation"
    multilateral = "multilateral"
    other = "other"

    @property
    def label(self) -> str:
        return DONOR_TYPE_LABELS[self]


DONOR_TYPE_LABELS = {
    DonorType.member_state: _l("Member State"),
    DonorType.private_sector: _l("Private sector"),
    DonorType.foundation: _l("Foundation"),
    DonorType.multilateral: _l("Multilateral"),
    DonorType.other: _l("Other"),
}


class Donor(db.Model):
    """A contributor: one organisation of type donor; that organisation's users are its donor users."""

    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    donor_type: Mapped[DonorType] = mapped_column(
        sa.Enum(DonorType, native_enum=False, length=20, validate_strings=True)
    )
    country_code: Mapped[str | None] = mapped_column(sa.ForeignKey("countries.code"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    country: Mapped[Country | None] = relationship()

    @property
    def name(self) -> str:
        return self.organisation.name

    def __str__(self) -> str:
        return self.organisation.name


class AgreementStatus(enum.StrEnum):
    """Derived from deposits, never stored."""

    signed = "signed"
    partially_paid = "partially_paid"
    fully_paid = "fully_paid"

    @property
    def label(self) -> str:
        return AGREEMENT_STATUS_LABELS[self]


AGREEMENT_STATUS_LABELS = {
    AgreementStatus.signed: _l("Signed"),
    AgreementStatus.partially_paid: _l("Partially paid"),
    AgreementStatus.fully_paid: _l("Fully paid"),
}


class Agreement(db.Model):
    """A Standard Administrative Arrangement: what a donor commits, in its own currency."""

    __tablename__ = "agreements"
    __table_args__ = (sa.CheckConstraint("committed_amount > 0", name="committed_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(60), unique=True)
    signed_on: Mapped[date]
    committed_amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.ForeignKey("currencies.code"))
    #: Null: unearmarked; otherwise the one thematic area the money is earmarked to.
    thematic_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("thematic_areas.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    donor: Mapped[Donor] = relationship()
    thematic_area: Mapped[ThematicArea | None] = relationship()
    schedule: Mapped[list["ExpectedPayment"]] = relationship(
        order_by="ExpectedPayment.due_on", cascade="all, delete-orphan", back_populates="agreement"
    )

    @property
    def earmark_label(self) -> str:
        return _("%(code)s (earmarked)", code=self.thematic_area.code) if self.thematic_area else _("Unearmarked")


class ExpectedPayment(db.Model):
    """One line of an agreement's optional schedule of expected payments."""

    __tablename__ = "expected_payments"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date]
    #: In the agreement's currency.
    amount: Mapped[Money]

    agreement: Mapped[Agreement] = relationship(back_populates="schedule")


class ExchangeRate(db.Model):
    """UN operational rate of exchange: units of `currency` for one US dollar, for a calendar month."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        sa.UniqueConstraint("currency", "month", name="uq_exchange_rates_currency_month"),
        sa.CheckConstraint("rate > 0", name="rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.ForeignKey("currencies.code"))
    #: First day of the month the rate is in force.
    month: Mapped[date]
    rate: Mapped[Rate]
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class Deposit(AppendOnly, db.Model):
    """Cash received against an agreement. A mistaken deposit is reversed in the ledger, never edited."""

    __tablename__ = "deposits"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("amount_usd > 0", name="amount_usd_positive"),
        sa.CheckConstraint("fee_usd >= 0", name="fee_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    donor_id: Mapped[int] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    deposited_on: Mapped[date] = mapped_column(index=True)
    #: In `currency` (the agreement's).
    amount: Mapped[Money]
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: Units of currency per US dollar in force for the deposit's month (1 for USD).
    rate: Mapped[Rate]
    amount_usd: Mapped[Money]
    fee_usd: Mapped[Money]
    #: Paid past the commitment, with the secretariat's explicit confirmation.
    is_overpayment: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The bank's reference of the payment (optional): with the agreement, date and amount, what tells a
    #: repeated import of the same payment from a new one.
    reference: Mapped[str | None] = mapped_column(sa.String(60))
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    agreement: Mapped[Agreement] = relationship()
    donor: Mapped[Donor] = relationship()

    @property
    def net_usd(self) -> Decimal:
        return self.amount_usd - self.fee_usd


class EntryKind(enum.StrEnum):
    deposit = "deposit"
    fee = "fee"
    interest = "interest"
    allocation = "allocation"
    transfer = "transfer"
    refund = "refund"
    expenditure = "expenditure"
    direct_cost = "direct_cost"
    bank_charge = "bank_charge"
    reversal = "reversal"

    @property
    def label(self) -> str:
        return ENTRY_KIND_LABELS[self]


ENTRY_KIND_LABELS = {
    EntryKind.deposit: _l("Deposit"),
    EntryKind.fee: _l("Administrative agent fee"),
    EntryKind.interest: _l("Interest"),
    EntryKind.allocation: _l("Allocation"),
    EntryKind.transfer: _l("Transfer"),
    EntryKind.refund: _l("Refund"),
    EntryKind.expenditure: _l("Expenditure"),
    EntryKind.direct_cost: _l("Direct cost"),
    EntryKind.bank_charge: _l("Bank charge"),
    EntryKind.reversal: _l("Reversal"),
}

_KIND_ENUM = sa.Enum(EntryKind, native_enum=False, length=20, validate_strings=True)


class LedgerEntry(AppendOnly, db.Model):
    """One money event of the fund, in USD. Append-only: a mistake is corrected by a reversal row.

    `category` is the figure the row counts towards: its own kind, or for a reversal the kind of the
    row it reverses, with the amount negated. So SUM(amount_usd) GROUP BY category is every total,
    reversals included, with no special cases.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        sa.CheckConstraint("category <> 'reversal'", name="category_not_reversal"),
        sa.CheckConstraint("(kind = 'reversal') = (reversal_of_id IS NOT NULL)", name="reversal_has_original"),
        sa.CheckConstraint("kind = 'reversal' OR kind = category", name="category_matches_kind"),
        sa.CheckConstraint("kind = 'reversal' OR amount_usd > 0", name="amount_positive"),
        # Covering the fund's aggregates (statement, pools, capitalization, donors' totals and attribution): each
        # sum reads this index alone, never the table's rows. Its first two columns serve what the former
        # (category, thematic_area_id) index served.
        sa.Index(
            "ix_ledger_entries_totals",
            "category",
            "thematic_area_id",
            "organisation_id",
            "donor_id",
            "programme_id",
            "entry_on",
            "amount_usd",
        ),
        # Which deposits are reversed (a NOT IN under every "paid" figure), without reading the deposits' rows.
        sa.Index("ix_ledger_entries_reversals", "kind", "category", "deposit_id"),
        # A page of programmes' money by category and organization, read from the index alone (and the funded
        # programmes: allocations grouped by programme).
        sa.Index(
            "ix_ledger_entries_programme_flows", "category", "programme_id", "organisation_id", "entry_on", "amount_usd"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EntryKind] = mapped_column(_KIND_ENUM)
    category: Mapped[EntryKind] = mapped_column(_KIND_ENUM)
    entry_on: Mapped[date] = mapped_column(index=True)
    #: USD, positive; a reversal carries the negated amount of its original.
    amount_usd: Mapped[Money]
    #: The pool: a thematic area's earmarked money, or null for the unearmarked pool.
    thematic_area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("thematic_areas.id"))
    donor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("donors.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    deposit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deposits.id"), index=True)
    #: The participating organization (transfers, refunds, expenditure, its interest).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    #: Plain integer until the programmes capability adds its table and the foreign key.
    programme_id: Mapped[int | None] = mapped_column(index=True)
    reversal_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ledger_entries.id"), unique=True)
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    thematic_area: Mapped[ThematicArea | None] = relationship()
    donor: Mapped[Donor | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class AccountingPeriod(db.Model):
    """A calendar month of the books. Months close in order after the secretariat has reconciled them; a
    posting dated in a closed month is refused (a correction goes into an open month as a reversal).

    A month without a row is open. The row is made when the month is first closed; its status moves
    through contributions.workflow.PERIOD (close by the secretariat, reopen by an administrator with a reason).
    """

    __tablename__ = "accounting_periods"
    __table_args__ = (sa.CheckConstraint("status IN ('open', 'closed')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The first day of the month.
    month: Mapped[date] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="open", server_default="open")
    #: When and by whom it was last closed (kept when it is reopened, so the next close shows what changed).
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The month's figures at its last close, canonical JSON (periods.month_figures): what must never change.
    figures: Mapped[str] = mapped_column(sa.Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    closed_by: Mapped[User | None] = relationship()

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"
