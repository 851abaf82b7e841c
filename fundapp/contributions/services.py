"""Donors, agreements, exchange rates, deposits, imports, and the figures each page shows.

Every money figure here is an SQL aggregate over the ledger (see ledger.py) or over deposits; services
flush, write an audit row and never commit. The query services at the end of each section build what a
page shows (lists paginated in SQL come back as a Pagination), so views build no query.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy.orm import contains_eager, joinedload

from fundapp.auth.models import Organisation, OrganisationType, User, UserRole
from fundapp.contributions import ledger
from fundapp.contributions.ledger import ZERO, usd
from fundapp.contributions.models import (
    AccountingPeriod,
    Agreement,
    AgreementStatus,
    Deposit,
    Donor,
    DonorType,
    EntryKind,
    ExchangeRate,
    ExpectedPayment,
    LedgerEntry,
)
from fundapp.core import cache, clock, search, signals
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError, ValidationFailed
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _n, language
from fundapp.core.locks import lock_keys, lock_row
from fundapp.core.money import CENTS, MAX_MONEY, MoneyInputError, parse_decimal, parse_money, split_by_weights, to_money
from fundapp.core.permissions import Role
from fundapp.reference.models import Country, Currency, ThematicArea
from fundapp.reference.services import get_fund

RATE_PLACES = Decimal("0.000001")
#: A rate column holds 16 digits, six of them decimals.
MAX_RATE = Decimal("9999999999.999999")


class MissingRate(DomainError):
    """No UN operational rate of exchange for a currency and month."""


class Overpayment(DomainError):
    """A deposit would take an agreement past its commitment without explicit confirmation."""


class ImportFailed(ValidationFailed):
    """A CSV file had bad rows; nothing was imported. `rows` holds (line number, reason).

    The messages belong to the `file` field: next to it on a form, flashed one a line without one.
    """

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self.rows = rows
        summary = _n(
            "Nothing was imported: %(num)d row(s) need correcting.",
            "Nothing was imported: %(num)d row(s) need correcting.",
            len(rows),
        )
        lines = (_("Line %(line)s: %(reason)s", line=line, reason=reason) for line, reason in rows)
        super().__init__({"file": [summary, *lines]})


# Conversion --------------------------------------------------------------------------------------


def month_label(month: date) -> str:
    return ledger.month_label(month)


def to_usd(amount: Decimal, rate: Decimal) -> Decimal:
    """Amount in a currency quoted at `rate` units per US dollar, in USD rounded half up to cents."""
    return (Decimal(amount) / Decimal(rate)).quantize(CENTS, rounding=ROUND_HALF_UP)


def fee_on(amount_usd: Decimal, fee_rate: Decimal) -> Decimal:
    """The administrative agent fee on a deposit, rounded half up to cents."""
    return (Decimal(amount_usd) * Decimal(fee_rate)).quantize(CENTS, rounding=ROUND_HALF_UP)


def rate_for(currency: str, on: date) -> Decimal:
    """The rate in force for `on`'s month; US dollars are 1. Raises MissingRate naming currency and month."""
    if currency == "USD":
        return Decimal(1)
    month = on.replace(day=1)
    rate = db.session.scalar(
        sa.select(ExchangeRate.rate).where(ExchangeRate.currency == currency, ExchangeRate.month == month)
    )
    if rate is None:
        raise MissingRate(
            _(
                "There is no UN operational rate of exchange for %(currency)s in %(month)s. "
                "Add it under Exchange rates first.",
                currency=currency,
                month=month_label(month),
            ),
            field="deposited_on",
        )
    return rate


def set_rate(actor: User | None, currency: str, month: date, rate: Decimal | str) -> ExchangeRate:
    """Add or correct the rate for a currency and month. Deposits keep the rate they were recorded with."""
    currency = (currency or "").strip().upper()
    if currency == "USD":
        raise DomainError(_("US dollar amounts need no rate."), field="currency")
    if db.session.get(Currency, currency) is None:
        raise DomainError(
            _("%(currency)s is not an ISO 4217 currency code.", currency=currency)
            if currency
            else _("The currency is not an ISO 4217 currency code."),
            field="currency",
        )
    try:
        value = parse_rate(rate)
    except MoneyInputError as exc:
        raise DomainError(str(exc), field="rate") from exc
    if value <= 0:
        raise DomainError(_("The rate must be more than zero."), field="rate")
    month = month.replace(day=1)
    check_rate_month(month)
    row = db.session.scalar(
        sa.select(ExchangeRate).where(ExchangeRate.currency == currency, ExchangeRate.month == month)
    )
    old = None
    if row is None:
        row = ExchangeRate(currency=currency, month=month, rate=value)
        db.session.add(row)
    else:
        old = row.rate
        row.rate = value
    db.session.flush()
    if old != value:
        record_change(
            actor,
            "exchange_rate.set",
            "exchange_rates",
            row.id,
            {"currency": currency, "month": month.isoformat(), "from": old, "to": value},
        )
    return row


def parse_rate(value: Decimal | str) -> Decimal:
    """A rate as typed or imported: exact, at most six decimals (core.money's rule), or MoneyInputError."""
    return parse_decimal(value, places=6, maximum=MAX_RATE, what="rate")


def check_rate_month(month: date) -> None:
    """A closed month's rate cannot change: its deposits' USD values and the figures closed with it rest on it.

    Holds the accounting periods' key shared (like a posting), so a month cannot close under the change.
    """
    lock_keys(ledger.PERIODS_KEY, shared=True)
    state = ledger.books()
    if state.is_closed(month):
        raise DomainError(
            _(
                "%(month)s is closed: its rates cannot change any more. Rates of open months (from %(first)s) can.",
                month=month_label(month),
                first=month_label(state.first_open),
            ),
            field="month",
        )


def _read_csv(content: str | bytes, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed([(1, _("the file is not UTF-8 text"))]) from exc
    reader = csv.DictReader(io.StringIO(content))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportFailed([(1, _("missing column(s): %(columns)s", columns=", ".join(missing)))])
    reader.fieldnames = headers
    rows = [
        (reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}) for row in reader if any(row.values())
    ]
    if not rows:
        raise ImportFailed([(1, _("the file has no rows"))])
    return rows


def import_rates(actor: User | None, content: str | bytes) -> int:
    """CSV `currency,month,rate` (month as YYYY-MM): all rows or none."""
    rows = _read_csv(content, ("currency", "month", "rate"))
    lock_keys(ledger.PERIODS_KEY, shared=True)
    closed = ledger.books()
    errors: list[tuple[int, str]] = []
    parsed = []
    for line, row in rows:
        try:
            month = date.fromisoformat(row["month"][:7] + "-01")
        except ValueError:
            errors.append((line, _("bad month %(value)s (use YYYY-MM)", value=repr(row["month"]))))
            continue
        try:
            rate = parse_rate(row["rate"])
            if rate <= 0:
                raise MoneyInputError(_("the rate must be above zero"))
        except MoneyInputError as exc:
            errors.append(
                (
                    line,
                    _(
                        "bad rate %(value)s (a number above zero): %(problem)s",
                        value=repr(row["rate"]),
                        problem=f"{str(exc)[0].lower()}{str(exc)[1:]}",
                    ),
                )
            )
            continue
        currency = row["currency"].upper()
        if currency == "USD" or db.session.get(Currency, currency) is None:
            errors.append((line, _("unknown currency %(value)s", value=repr(row["currency"]))))
            continue
        if closed.is_closed(month):
            errors.append((line, _("%(month)s is closed: its rates cannot change", month=month_label(month))))
            continue
        parsed.append((currency, month, rate))
    if errors:
        raise ImportFailed(errors)
    for currency, month, rate in parsed:
        set_rate(actor, currency, month, rate)
    return len(parsed)


@dataclass
class RatesPage:
    """One page of rates, newest month first, and every currency that has a rate (the filter's options)."""

    rates: Pagination
    currencies: list[str]


def rates_page(currency: str = "", page: int | None = None, per_page: int = 50) -> RatesPage:
    """The exchange rates page, optionally for one currency (three queries)."""
    query = sa.select(ExchangeRate)
    if currency:
        query = query.where(ExchangeRate.currency == currency)
    rates = db.paginate(
        query.order_by(ExchangeRate.month.desc(), ExchangeRate.currency), page=page, per_page=per_page, error_out=False
    )
    currencies = list(db.session.scalars(sa.select(ExchangeRate.currency).distinct().order_by(ExchangeRate.currency)))
    return RatesPage(rates, currencies)


# Donors and agreements ----------------------------------------------------------------------------


def create_donor(
    actor: User | None, organisation: Organisation, donor_type: DonorType | str, country_code: str | None
) -> Donor:
    """Register an organisation of type donor as a contributor; its users become the donor's users."""
    if organisation is None or organisation.type is not OrganisationType.donor:
        raise DomainError(_("Only an organisation of type donor can be a contributor."), field="organisation_id")
    if db.session.scalar(sa.select(Donor.id).where(Donor.organisation_id == organisation.id)):
        raise DomainError(f"{organisation.name} is already a contributor.", field="organisation_id")
    if country_code and db.session.get(Country, country_code) is None:
        raise DomainError(_("Unknown country."), field="country_code")
    donor = Donor(
        organisation_id=organisation.id,
        organisation=organisation,
        donor_type=DonorType(donor_type),
        country_code=country_code or organisation.country_code,
    )
    db.session.add(donor)
    db.session.flush()
    record_change(actor, "donor.created", "donors", donor.id, {"organisation": organisation.code})
    return donor


def donor_for_user(user: User) -> Donor | None:
    """The contributor a donor user belongs to (through their organisation)."""
    return db.session.scalar(sa.select(Donor).where(Donor.organisation_id == user.organisation_id))


def donor_organisation_choices() -> list[tuple[int, str]]:
    """(id, "name (code)") of the active donor organisations that are not contributors yet: the donor form."""
    taken = sa.select(Donor.organisation_id)
    organisations = db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.type == OrganisationType.donor, Organisation.is_active, Organisation.id.not_in(taken))
        .order_by(Organisation.name)
    )
    return [(o.id, f"{o.name} ({o.code})") for o in organisations]


def un_entity_choices() -> list[tuple[int, str]]:
    """(id, name) of the active participating UN organizations: who reported interest, on the posting form."""
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.type == OrganisationType.un_entity, Organisation.is_active)
        .order_by(Organisation.name)
    )
    return [(o.id, o.name) for o in rows]


def parse_schedule(text: str) -> list[tuple[date, Decimal]]:
    """Lines of `YYYY-MM-DD amount`; raises DomainError(field='schedule') naming the bad line."""
    schedule = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.replace(",", "").split()
        try:
            if len(parts) != 2:
                raise ValueError
            due = date.fromisoformat(parts[0])
            amount = to_money(parts[1])
            if amount <= 0:
                raise ValueError
        except ValueError as exc:
            raise DomainError(
                _(
                    "Line %(line)s of the schedule should read 'YYYY-MM-DD amount', e.g. '2020-06-30 500000'.",
                    line=number,
                ),
                field="schedule",
            ) from exc
        schedule.append((due, amount))
    return schedule


def create_agreement(
    actor: User | None,
    donor: Donor,
    reference: str,
    signed_on: date,
    committed_amount: Decimal,
    currency: str,
    thematic_area_id: int | None = None,
    schedule: list[tuple[date, Decimal]] | None = None,
    notes: str = "",
) -> Agreement:
    """Record a signed Standard Administrative Arrangement."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("A reference is required."), field="reference")
    if db.session.scalar(sa.select(Agreement.id).where(sa.func.lower(Agreement.reference) == reference.lower())):
        raise DomainError(
            _("An agreement with the reference %(reference)s already exists.", reference=reference), field="reference"
        )
    currency = (currency or "").strip().upper()
    if db.session.get(Currency, currency) is None:
        raise DomainError(
            _("%(currency)s is not an ISO 4217 currency code.", currency=currency)
            if currency
            else _("The currency is not an ISO 4217 currency code."),
            field="currency",
        )
    amount = to_money(committed_amount)
    if amount <= 0 or amount > MAX_MONEY:
        raise DomainError(_("The committed amount must be more than zero."), field="committed_amount")
    if thematic_area_id is not None and db.session.get(ThematicArea, thematic_area_id) is None:
        raise DomainError(_("Unknown thematic area."), field="thematic_area_id")
    schedule = schedule or []
    scheduled = sum((a for _d, a in schedule), ZERO)
    if scheduled > amount:
        raise DomainError(
            _(
                "The schedule adds up to %(currency)s %(scheduled)s, more than the %(currency)s %(committed)s "
                "committed.",
                currency=currency,
                scheduled=usd(scheduled),
                committed=usd(amount),
            ),
            field="schedule",
        )
    agreement = Agreement(
        donor_id=donor.id,
        reference=reference,
        signed_on=signed_on,
        committed_amount=amount,
        currency=currency,
        thematic_area_id=thematic_area_id,
        notes=(notes or "").strip() or None,
        schedule=[ExpectedPayment(due_on=d, amount=a) for d, a in sorted(schedule)],
    )
    db.session.add(agreement)
    db.session.flush()
    record_change(
        actor,
        "agreement.created",
        "agreements",
        agreement.id,
        {"reference": reference, "amount": f"{amount:.2f}", "currency": currency, "earmark": thematic_area_id},
    )
    return agreement


def _reversed_deposit_ids(as_of: date | None = None) -> sa.Select:
    query = sa.select(LedgerEntry.deposit_id).where(
        LedgerEntry.kind == EntryKind.reversal, LedgerEntry.category == EntryKind.deposit
    )
    return query.where(LedgerEntry.entry_on <= as_of) if as_of else query


def live_deposits(as_of: date | None = None) -> sa.ColumnElement[bool]:
    """Deposits that have not been reversed (by `as_of`, when given: a reversal dated later does not count yet)."""
    return Deposit.id.not_in(_reversed_deposit_ids(as_of))


def reversed_deposits(deposit_ids: list[int]) -> set[int]:
    """Which of these deposits are reversed in the ledger (one query; none for an empty list)."""
    if not deposit_ids:
        return set()
    return set(db.session.scalars(_reversed_deposit_ids().where(LedgerEntry.deposit_id.in_(deposit_ids))))


def paid_by_agreement(
    agreement_ids: list[int] | None = None, as_of: date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """agreement id -> (paid in the agreement's currency, paid in USD), reversed deposits excluded; one query.

    With `as_of`, only deposits dated up to that day, less those reversed by then: what was paid at the time.
    """
    query = (
        sa.select(Deposit.agreement_id, sa.func.sum(Deposit.amount), sa.func.sum(Deposit.amount_usd))
        .where(live_deposits(as_of))
        .group_by(Deposit.agreement_id)
    )
    if agreement_ids is not None:
        query = query.where(Deposit.agreement_id.in_(agreement_ids))
    if as_of is not None:
        query = query.where(Deposit.deposited_on <= as_of)
    return {aid: (to_money(a or 0), to_money(u or 0)) for aid, a, u in db.session.execute(query)}


def paid_to_date(agreement: Agreement) -> tuple[Decimal, Decimal]:
    """(paid in the agreement's currency, paid in USD) of one agreement, reversed deposits excluded; one query."""
    return paid_by_agreement([agreement.id]).get(agreement.id, (ZERO, ZERO))


def agreement_status(committed: Decimal, paid: Decimal) -> AgreementStatus:
    if paid <= 0:
        return AgreementStatus.signed
    return AgreementStatus.fully_paid if paid >= committed else AgreementStatus.partially_paid


@dataclass
class AgreementRow:
    agreement: Agreement
    paid: Decimal
    paid_usd: Decimal
    commitment_usd: Decimal

    @property
    def status(self) -> AgreementStatus:
        return agreement_status(self.agreement.committed_amount, self.paid)

    @property
    def outstanding(self) -> Decimal:
        return max(self.agreement.committed_amount - self.paid, ZERO)


def rates_in_force(as_of: date | None = None) -> dict[str, Decimal]:
    """The UN operational rate in force per currency on `as_of` (one query): the rate of its month, or of the
    latest month before it that has one. Without a date, the most recent rate of each currency.

    It values the unpaid part of commitments, so a report as of a date uses the rates of that date and a
    rate entered later for a later month never changes it.
    """
    months = sa.select(ExchangeRate.currency, sa.func.max(ExchangeRate.month).label("month"))
    if as_of is not None:
        months = months.where(ExchangeRate.month <= as_of.replace(day=1))
    latest = months.group_by(ExchangeRate.currency).subquery()
    rows = db.session.execute(
        sa.select(ExchangeRate.currency, ExchangeRate.rate).join(
            latest, sa.and_(ExchangeRate.currency == latest.c.currency, ExchangeRate.month == latest.c.month)
        )
    )
    return {"USD": Decimal(1), **dict(rows.all())}


def latest_rates() -> dict[str, Decimal]:
    """The most recent rate per currency (one query): values the unpaid part of today's commitments."""
    return rates_in_force(None)


def agreement_rows(donor_id: int | None = None, as_of: date | None = None) -> list[AgreementRow]:
    """Agreements with paid amounts and their commitment in USD, in three queries.

    A commitment in USD is what was paid (at the rates of the deposits) plus the unpaid balance at the rate
    in force (the most recent one today). With `as_of`, as things stood at the end of that day: agreements
    signed by then, deposits dated by then and not reversed by then, the unpaid balance at the rate in
    force on that day. Nothing dated or entered later changes it.
    """
    query = sa.select(Agreement).options(joinedload(Agreement.thematic_area), joinedload(Agreement.donor))
    if donor_id is not None:
        query = query.where(Agreement.donor_id == donor_id)
    if as_of is not None:
        query = query.where(Agreement.signed_on <= as_of)
    agreements = list(db.session.scalars(query.order_by(Agreement.signed_on, Agreement.id)).unique())
    return rows_for_agreements(agreements, as_of, every=donor_id is None)


def rows_for_agreements(
    agreements: list[Agreement], as_of: date | None = None, every: bool = False
) -> list[AgreementRow]:
    """The rows (paid, paid in USD, commitment in USD) of these agreements, in two queries (see agreement_rows).

    `every`: the list is every agreement, so the paid amounts are read without an id filter.
    """
    if not agreements and not every:
        return []
    paid = paid_by_agreement(None if every else [a.id for a in agreements], as_of)
    rates = rates_in_force(as_of)
    rows = []
    for agreement in agreements:
        paid_orig, paid_usd = paid.get(agreement.id, (ZERO, ZERO))
        outstanding = max(agreement.committed_amount - paid_orig, ZERO)
        rate = rates.get(agreement.currency)
        outstanding_usd = to_usd(outstanding, rate) if outstanding and rate else ZERO
        rows.append(AgreementRow(agreement, paid_orig, paid_usd, paid_usd + outstanding_usd))
    return rows


def _paid_subquery(as_of: date | None = None) -> sa.Subquery:
    """agreement_id, paid (agreement's currency), paid_usd: the live deposits of each agreement, as a subquery."""
    query = (
        sa.select(
            Deposit.agreement_id,
            sa.func.sum(Deposit.amount).label("paid"),
            sa.func.sum(Deposit.amount_usd).label("paid_usd"),
        )
        .where(live_deposits(as_of))
        .group_by(Deposit.agreement_id)
    )
    if as_of is not None:
        query = query.where(Deposit.deposited_on <= as_of)
    return query.subquery()


def agreements_query(
    donor_id: int | None = None, status: str | None = None, donor_ids: sa.Select | None = None
) -> sa.Select:
    """Agreements, oldest first, filtered in SQL: by donor, by the donors of a select (what a user may see), and
    by status, derived in SQL from the live deposits as agreement_status derives it in Python."""
    paid = _paid_subquery()
    amount = sa.func.coalesce(paid.c.paid, 0)
    query = (
        sa.select(Agreement)
        .outerjoin(paid, paid.c.agreement_id == Agreement.id)
        .options(joinedload(Agreement.thematic_area), joinedload(Agreement.donor))
        .order_by(Agreement.signed_on, Agreement.id)
    )
    if donor_id is not None:
        query = query.where(Agreement.donor_id == donor_id)
    if donor_ids is not None:
        query = query.where(Agreement.donor_id.in_(donor_ids))
    if status == AgreementStatus.signed:
        query = query.where(amount <= 0)
    elif status == AgreementStatus.fully_paid:
        query = query.where(amount > 0, amount >= Agreement.committed_amount)
    elif status == AgreementStatus.partially_paid:
        query = query.where(amount > 0, amount < Agreement.committed_amount)
    return query


def agreements_page(query: sa.Select, page: int, per_page: int, max_per_page: int | None = 100) -> Pagination:
    """One page of agreements_query, its items turned into AgreementRows (four queries whatever the total)."""
    pagination = db.paginate(query, page=page, per_page=per_page, max_per_page=max_per_page, error_out=False)
    pagination.items = rows_for_agreements(list(pagination.items))
    return pagination


@dataclass
class DonorSummary:
    """A donor on the donors page: its agreements with what was paid, and its deposits in USD."""

    donor: Donor
    agreements: list[AgreementRow]
    deposits_usd: Decimal


#: Donors on a page of the donors page.
DONORS_PER_PAGE = 10


def donor_list(page: int = 1, per_page: int | None = None) -> Pagination:
    """One page of donors by name (paginated in SQL), each with its agreements and deposits, in six queries
    whatever the number of donors: the items are DonorSummary."""
    pagination = db.paginate(
        sa.select(Donor)
        .join(Donor.organisation)
        .options(contains_eager(Donor.organisation))
        .order_by(Organisation.name, Donor.id),
        page=page,
        per_page=per_page or DONORS_PER_PAGE,
        max_per_page=100,
        error_out=False,
    )
    donor_ids = [d.id for d in pagination.items]
    agreements = (
        list(
            db.session.scalars(
                sa.select(Agreement)
                .options(joinedload(Agreement.thematic_area))
                .where(Agreement.donor_id.in_(donor_ids))
                .order_by(Agreement.signed_on, Agreement.id)
            )
        )
        if donor_ids
        else []
    )
    by_donor: dict[int, list[AgreementRow]] = defaultdict(list)
    for row in rows_for_agreements(agreements):
        by_donor[row.agreement.donor_id].append(row)
    totals = deposits_by_donor(donor_ids=donor_ids) if donor_ids else {}
    pagination.items = [
        DonorSummary(d, by_donor[d.id], totals[d.id][EntryKind.deposit] if d.id in totals else ZERO)
        for d in pagination.items
    ]
    return pagination


@dataclass
class AgreementDetail:
    """An agreement's page: its deposits (oldest first), which are reversed, what was paid, and its schedule
    with what is still owed on each line (overdue lines flagged)."""

    agreement: Agreement
    deposits: list[Deposit]
    reversed_ids: set[int]
    paid: Decimal
    paid_usd: Decimal
    schedule: list["Instalment"] = field(default_factory=list)

    @property
    def status(self) -> AgreementStatus:
        return agreement_status(self.agreement.committed_amount, self.paid)


def agreement_detail(agreement: Agreement, on: date | None = None) -> AgreementDetail:
    deposits = list(
        db.session.scalars(
            sa.select(Deposit).where(Deposit.agreement_id == agreement.id).order_by(Deposit.deposited_on, Deposit.id)
        )
    )
    paid, paid_usd = paid_to_date(agreement)
    schedule = schedule_status(agreement.schedule, paid, on or clock.today())
    return AgreementDetail(agreement, deposits, reversed_deposits([d.id for d in deposits]), paid, paid_usd, schedule)


# Deposits ----------------------------------------------------------------------------------------


def record_deposit(
    actor: User | None,
    agreement: Agreement,
    amount: Decimal | str,
    deposited_on: date,
    confirm_overpayment: bool = False,
    note: str = "",
    reference: str = "",
) -> Deposit:
    """Record cash received against an agreement and post it, with the administrative agent fee, to the ledger.

    The rate is the UN operational rate for the deposit's month; the USD value and the fee are rounded
    half up to cents. Paying more than committed needs `confirm_overpayment` and flags the deposit. The
    agreement is locked first, so two deposits at once cannot both pass the commitment unconfirmed.
    """
    try:
        amount = parse_money(amount)
    except MoneyInputError as exc:
        raise DomainError(str(exc), field="amount") from exc
    if amount <= 0:
        raise DomainError(_("The amount must be more than zero."), field="amount")
    agreement = lock_row(Agreement, agreement.id) or agreement
    ledger.check_postable(deposited_on, field="deposited_on", what="A deposit")
    if deposited_on < agreement.signed_on:
        raise DomainError(
            _("The deposit date is before the agreement was signed (%(day)s).", day=agreement.signed_on.isoformat()),
            field="deposited_on",
        )
    rate = rate_for(agreement.currency, deposited_on)
    paid, _usd = paid_to_date(agreement)
    over = paid + amount > agreement.committed_amount
    if over and not confirm_overpayment:
        raise Overpayment(
            _(
                "This deposit takes %(agreement)s to %(currency)s %(total)s, more than the %(currency)s "
                "%(committed)s committed. Tick the confirmation to record it anyway.",
                agreement=agreement.reference,
                currency=agreement.currency,
                total=usd(paid + amount),
                committed=usd(agreement.committed_amount),
            ),
            field="confirm_overpayment",
        )
    fund = get_fund()
    amount_usd = to_usd(amount, rate)
    fee = fee_on(amount_usd, fund.administrative_agent_fee_rate if fund else ZERO)
    deposit = Deposit(
        agreement_id=agreement.id,
        donor_id=agreement.donor_id,
        deposited_on=deposited_on,
        amount=amount,
        currency=agreement.currency,
        rate=rate,
        amount_usd=amount_usd,
        fee_usd=fee,
        is_overpayment=over,
        reference=(reference or "").strip()[:60] or None,
        note=(note or "").strip() or None,
        recorded_by_id=actor.id if actor else None,
        agreement=agreement,
    )
    db.session.add(deposit)
    db.session.flush()
    ledger.post_deposit(actor, deposit)
    record_change(
        actor,
        "deposit.recorded",
        "deposits",
        deposit.id,
        {
            "agreement": agreement.reference,
            "deposited_on": deposited_on.isoformat(),
            "amount": f"{amount:.2f}",
            "currency": agreement.currency,
            "rate": f"{rate}",
            "amount_usd": f"{amount_usd:.2f}",
            "fee_usd": f"{fee:.2f}",
            "overpayment": over,
            "reference": deposit.reference,
        },
    )
    return deposit


def deposit_ledger_entry(deposit: Deposit) -> LedgerEntry | None:
    return db.session.scalar(
        sa.select(LedgerEntry).where(LedgerEntry.deposit_id == deposit.id, LedgerEntry.kind == EntryKind.deposit)
    )


@dataclass
class DepositDetail:
    """A deposit's page: the deposit and its ledger rows (deposit, fee, their reversals) in posting order."""

    deposit: Deposit
    entries: list[LedgerEntry]

    @property
    def is_reversed(self) -> bool:
        return any(e.kind is EntryKind.reversal for e in self.entries)


def deposit_detail(deposit: Deposit) -> DepositDetail:
    entries = db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.deposit_id == deposit.id).order_by(LedgerEntry.id)
    )
    return DepositDetail(deposit, list(entries))


def reverse_deposit(actor: User | None, deposit: Deposit, reason: str, on: date | None = None) -> list[LedgerEntry]:
    """Reverse a mistaken deposit (and its fee) in the ledger; the deposit row stays as the record."""
    entry = deposit_ledger_entry(deposit)
    if entry is None:  # pragma: no cover - every deposit is posted with its entry
        raise DomainError(_("This deposit has no ledger entry."))
    return ledger.reverse_entry(actor, entry, reason, on)


_YES = ("yes", "y", "true", "1")


@dataclass
class _ImportContext:
    """What every row of a deposits file is checked against, read once (a fixed number of queries)."""

    agreements: dict[str, Agreement]
    running: dict[int, Decimal]
    rates: set[tuple[str, date]]
    books: ledger.Books
    #: (agreement id, date, amount, reference) of the deposits already recorded and not reversed.
    recorded: set[tuple[int, date, Decimal, str]]
    #: The same, for the rows of this file accepted so far.
    seen: set[tuple[int, date, Decimal, str]] = field(default_factory=set)


def _import_context(rows: list[tuple[int, dict[str, str]]]) -> _ImportContext:
    references = {row["agreement"].lower() for _line, row in rows}
    found = db.session.scalars(sa.select(Agreement).where(sa.func.lower(Agreement.reference).in_(references)))
    # Lock every agreement of the file now, in id order: no concurrent deposit can pass a commitment or
    # record the same payment while the file is checked and recorded.
    agreements = {a.reference.lower(): lock_row(Agreement, a.id) or a for a in sorted(found, key=lambda a: a.id)}
    ids = [a.id for a in agreements.values()]
    paid = paid_by_agreement(ids)
    recorded = db.session.execute(
        sa.select(Deposit.agreement_id, Deposit.deposited_on, Deposit.amount, Deposit.reference).where(
            Deposit.agreement_id.in_(ids), live_deposits()
        )
    )
    return _ImportContext(
        agreements=agreements,
        running={a.id: paid.get(a.id, (ZERO, ZERO))[0] for a in agreements.values()},
        rates={(r.currency, r.month) for r in db.session.scalars(sa.select(ExchangeRate))},
        books=ledger.books(),
        recorded={(a, d, m, r or "") for a, d, m, r in recorded},
    )


def _date_problems(on: date, agreement: Agreement, context: _ImportContext) -> list[str]:
    problems = []
    month = on.replace(day=1)
    if agreement.currency != "USD" and (agreement.currency, month) not in context.rates:
        problems.append(
            _("no exchange rate for %(currency)s in %(month)s", currency=agreement.currency, month=month_label(month))
        )
    if on < agreement.signed_on:
        problems.append(_("date is before %(agreement)s was signed", agreement=agreement.reference))
    if on > clock.today():
        problems.append(_("date is in the future"))
    elif context.books.start and on < context.books.start:
        problems.append(_("date is before the fund's books start (%(day)s)", day=ledger.day_label(context.books.start)))
    elif context.books.is_closed(on):
        problems.append(_("%(month)s is closed (record it in an open month)", month=month_label(on)))
    return problems


def _amount_problem(raw: str, exc: MoneyInputError) -> str:
    if not any(c.isdigit() for c in raw):
        return _("amount %(value)s is not a number", value=repr(raw))
    return _(
        "amount %(value)s: %(problem)s", value=repr(raw), problem=f"{str(exc)[0].lower()}{str(exc)[1:].rstrip('.')}"
    )


def _check_import_row(row: dict[str, str], context: _ImportContext) -> tuple[list[str], tuple | None]:
    """The problems of one row, and (agreement, amount, date, reference, note) when it has none."""
    problems = []
    agreement = context.agreements.get(row["agreement"].lower())
    if agreement is None:
        problems.append(_("unknown agreement %(value)s", value=repr(row["agreement"])))
    try:
        on = date.fromisoformat(row["date"])
    except ValueError:
        on = None
        problems.append(_("bad date %(value)s (use YYYY-MM-DD)", value=repr(row["date"])))
    try:
        amount = parse_money(row["amount"], negative=True)
        if amount <= 0:
            problems.append(_("amount %(value)s is not above zero", value=row["amount"]))
    except MoneyInputError as exc:
        amount = None
        problems.append(_amount_problem(row["amount"], exc))
    reference = row.get("reference", "")[:60]
    if agreement and on:
        problems += _date_problems(on, agreement, context)
    if agreement and on and amount and amount > 0:
        key = (agreement.id, on, amount, reference)
        if (key in context.recorded or key in context.seen) and row.get("confirm_duplicate", "").lower() not in _YES:
            same = f"{agreement.reference}, {on.isoformat()}, {usd(amount)}{', ' + reference if reference else ''}"
            problems.append(
                _(
                    "the same deposit (%(deposit)s) is already recorded; put 'yes' in confirm_duplicate to record "
                    "it again",
                    deposit=same,
                )
                if key in context.recorded
                else _(
                    "the same deposit (%(deposit)s) appears twice in this file; put 'yes' in confirm_duplicate to "
                    "record it again",
                    deposit=same,
                )
            )
        context.seen.add(key)
        context.running[agreement.id] += amount
        if (
            context.running[agreement.id] > agreement.committed_amount
            and row.get("confirm_overpayment", "").lower() not in _YES
        ):
            problems.append(
                _(
                    "takes %(agreement)s past its commitment; put 'yes' in confirm_overpayment to accept",
                    agreement=agreement.reference,
                )
            )
    if problems:
        return problems, None
    return [], (agreement, amount, on, reference, row.get("note", ""))


def import_deposits(actor: User | None, content: str | bytes) -> list[Deposit]:
    """CSV `agreement,date,amount[,reference][,confirm_overpayment][,confirm_duplicate][,note]`: every row is
    checked before any is recorded.

    A file with any bad row imports nothing; ImportFailed lists each bad row's line number and reason. A row
    repeating a deposit already recorded (or another row of the file) — same agreement, date, amount and
    reference — is refused unless its confirm_duplicate column says yes: importing a file twice records
    nothing twice.
    """
    rows = _read_csv(content, ("agreement", "date", "amount"))
    context = _import_context(rows)
    errors: list[tuple[int, str]] = []
    parsed = []
    for line, row in rows:
        problems, accepted = _check_import_row(row, context)
        if problems:
            errors.append((line, "; ".join(problems)))
        else:
            parsed.append(accepted)
    if errors:
        raise ImportFailed(errors)
    deposits = [
        record_deposit(actor, agreement, amount, on, confirm_overpayment=True, note=note, reference=reference)
        for agreement, amount, on, reference, note in parsed
    ]
    record_change(actor, "deposit.imported", "deposits", None, {"rows": len(deposits)})
    return deposits


# Donor figures: share, attribution, report ----------------------------------------------------------


def deposits_by_donor(
    as_of: date | None = None, since: date | None = None, donor_ids: list[int] | None = None
) -> dict[int, dict[EntryKind, Decimal]]:
    """donor id -> {deposit, fee} totals from the ledger (reversals netted), of every donor or of these; one query."""
    query = (
        sa.select(LedgerEntry.donor_id, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .where(LedgerEntry.donor_id.is_not(None), LedgerEntry.category.in_([EntryKind.deposit, EntryKind.fee]))
        .group_by(LedgerEntry.donor_id, LedgerEntry.category)
    )
    if donor_ids is not None:
        query = query.where(LedgerEntry.donor_id.in_(donor_ids))
    if as_of:
        query = query.where(LedgerEntry.entry_on <= as_of)
    if since:
        query = query.where(LedgerEntry.entry_on >= since)
    totals: dict[int, dict[EntryKind, Decimal]] = defaultdict(lambda: {EntryKind.deposit: ZERO, EntryKind.fee: ZERO})
    for donor_id, category, total in db.session.execute(query):
        totals[donor_id][category] = to_money(total or 0)
    return totals


@dataclass
class AttributionRow:
    pool: str
    area_code: str | None
    programme_id: int
    pool_allocated: Decimal
    share: Decimal  # fraction of the pool the donor's net deposits make up
    attributed: Decimal


def programme_label(programme_id: int) -> str:
    """How a programme is named in attribution tables: its reference and title (Programme N before it has one).

    The programmes domain answers the programme_labels signal; this layer cannot read its tables.
    """
    for answer in signals.answers(signals.programme_labels, programme_id):
        if answer:
            return answer
    return _("Programme %(id)s", id=programme_id)


def attribution_by_donor(as_of: date | None = None) -> dict[int, list[AttributionRow]]:
    """How every donor's money was used, in two queries: donor id -> its attribution rows.

    Earmarked money: each donor's share of an earmarked pool's net deposits, applied to the net
    allocations (allocations less refunds) drawn from that pool, programme by programme. Unearmarked
    money: the same pro rata over the unearmarked pool. Each programme's net allocation from a pool is
    split among the pool's donors by the largest remainder (core.money.split_by_weights), so the donors'
    shares of every programme, and so of every pool, add up to its total to the cent.
    """
    dep_query = (
        sa.select(
            LedgerEntry.thematic_area_id,
            LedgerEntry.donor_id,
            LedgerEntry.category,
            sa.func.sum(LedgerEntry.amount_usd),
        )
        .where(LedgerEntry.category.in_([EntryKind.deposit, EntryKind.fee]), LedgerEntry.donor_id.is_not(None))
        .group_by(LedgerEntry.thematic_area_id, LedgerEntry.donor_id, LedgerEntry.category)
        .order_by(LedgerEntry.thematic_area_id, LedgerEntry.donor_id)
    )
    alloc_query = (
        sa.select(
            LedgerEntry.thematic_area_id,
            ThematicArea.code,
            LedgerEntry.programme_id,
            LedgerEntry.category,
            sa.func.sum(LedgerEntry.amount_usd),
        )
        .outerjoin(ThematicArea, ThematicArea.id == LedgerEntry.thematic_area_id)
        .where(
            LedgerEntry.category.in_([EntryKind.allocation, EntryKind.refund]), LedgerEntry.programme_id.is_not(None)
        )
        .group_by(LedgerEntry.thematic_area_id, ThematicArea.code, LedgerEntry.programme_id, LedgerEntry.category)
    )
    if as_of:
        dep_query = dep_query.where(LedgerEntry.entry_on <= as_of)
        alloc_query = alloc_query.where(LedgerEntry.entry_on <= as_of)
    #: pool -> donor -> the donor's net deposits in the pool (donors in id order: ties of the split go first to
    #: the lower id, the same on every run).
    donor_parts: dict[int | None, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for area_id, donor_id, category, total in db.session.execute(dep_query):
        donor_parts[area_id][donor_id] += to_money(total or 0) * (1 if category is EntryKind.deposit else -1)
    allocated: dict[tuple[int | None, str | None, int], Decimal] = defaultdict(lambda: ZERO)
    for area_id, code, programme_id, category, total in db.session.execute(alloc_query):
        allocated[(area_id, code, programme_id)] += to_money(total or 0) * (
            1 if category is EntryKind.allocation else -1
        )
    rows: dict[int, list[AttributionRow]] = defaultdict(list)
    # Earmarked pools first (by area code), then the unearmarked pool; programmes in id order.
    ordered = sorted(allocated.items(), key=lambda kv: (kv[0][1] is None, kv[0][1] or "", kv[0][2]))
    for (area_id, code, programme_id), amount in ordered:
        parts = {d: v for d, v in donor_parts[area_id].items() if v > 0}
        pool_total = sum(parts.values(), ZERO)
        if amount <= 0 or pool_total <= 0:
            continue
        for donor_id, attributed in split_by_weights(amount, parts).items():
            rows[donor_id].append(
                AttributionRow(
                    pool=_("%(code)s earmarked", code=code) if code else _("Unearmarked"),
                    area_code=code,
                    programme_id=programme_id,
                    pool_allocated=amount,
                    share=parts[donor_id] / pool_total,
                    attributed=attributed,
                )
            )
    return rows


def attribution(donor_id: int, as_of: date | None = None) -> list[AttributionRow]:
    """How one donor's money was used (see _attribution_of), kept per process until the records change
    (core.cache: one query for the version; rows in the language they were asked in)."""
    return cache.cached(("attribution", donor_id, as_of, language()), lambda: _attribution_of(donor_id, as_of))


def _attribution_of(donor_id: int, as_of: date | None = None) -> list[AttributionRow]:
    """How one donor's money was used: its rows of attribution_by_donor, to the cent, in two queries.

    The same largest-remainder split, worked out for this donor only and in whole cents: in a pool of net
    deposits w_i (cents, W in all), a programme's A cents give donor d floor(A·w_d / W), plus one cent when
    d's remainder (A·w_d mod W) is among the `left` largest, `left` being the sum of the remainders over W
    (ties to the lower donor id, as split_by_weights keeps the pool's order). Only the pools the donor has
    money in are read, and no Fraction is built: at a hundred times the fund, a donor's page would otherwise
    split every programme among every donor (millions of fractions) to show one donor's rows.
    """
    dep_query = (
        sa.select(
            LedgerEntry.thematic_area_id,
            LedgerEntry.donor_id,
            LedgerEntry.category,
            sa.func.sum(LedgerEntry.amount_usd),
        )
        .where(LedgerEntry.category.in_([EntryKind.deposit, EntryKind.fee]), LedgerEntry.donor_id.is_not(None))
        .group_by(LedgerEntry.thematic_area_id, LedgerEntry.donor_id, LedgerEntry.category)
    )
    if as_of:
        dep_query = dep_query.where(LedgerEntry.entry_on <= as_of)
    #: pool -> donor -> net deposits in cents.
    cents: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for area_id, donor, category, total in db.session.execute(dep_query):
        cents[area_id][donor] += int(to_money(total or 0) * 100) * (1 if category is EntryKind.deposit else -1)
    #: pool -> (the donor's weight, the pool's distinct weights, how many donors have each, how many of those
    #: come before the donor (lower id), the pool's total). Donors of equal weight have equal remainders, so
    #: each weight is worked out once, however many donors share it.
    pools = {}
    for area_id, parts in cents.items():
        if parts.get(donor_id, 0) > 0:
            groups: dict[int, list[int]] = {}
            for d, w in parts.items():
                if w > 0:
                    group = groups.setdefault(w, [0, 0])
                    group[0] += 1
                    group[1] += d < donor_id
            pools[area_id] = (
                parts[donor_id],
                list(groups),
                [n for n, _before in groups.values()],
                [before for _n, before in groups.values()],
                sum(w * n for w, (n, _before) in groups.items()),
            )
    if not pools:
        return []
    area_ids = [a for a in pools if a is not None]
    in_pool = sa.or_(
        LedgerEntry.thematic_area_id.in_(area_ids) if area_ids else sa.false(),
        LedgerEntry.thematic_area_id.is_(None) if None in pools else sa.false(),
    )
    alloc_query = (
        sa.select(
            LedgerEntry.thematic_area_id,
            ThematicArea.code,
            LedgerEntry.programme_id,
            sa.func.sum(
                sa.case(
                    (LedgerEntry.category == EntryKind.allocation, LedgerEntry.amount_usd),
                    else_=-LedgerEntry.amount_usd,
                )
            ),
        )
        .outerjoin(ThematicArea, ThematicArea.id == LedgerEntry.thematic_area_id)
        .where(
            LedgerEntry.category.in_([EntryKind.allocation, EntryKind.refund]),
            LedgerEntry.programme_id.is_not(None),
            in_pool,
        )
        .group_by(LedgerEntry.thematic_area_id, ThematicArea.code, LedgerEntry.programme_id)
    )
    if as_of:
        alloc_query = alloc_query.where(LedgerEntry.entry_on <= as_of)
    rows = []
    #: Each pool's name and the donor's share of it, worked out once per pool rather than once per programme.
    names: dict[int | None, str | None] = dict.fromkeys(pools)
    shares = {area_id: Decimal(mine) / 100 / (Decimal(whole) / 100) for area_id, (mine, *_g, whole) in pools.items()}
    # Earmarked pools first (by area code), then the unearmarked pool; programmes in id order.
    for area_id, code, programme_id, total in sorted(
        db.session.execute(alloc_query), key=lambda r: (r[1] is None, r[1] or "", r[2])
    ):
        amount = int(to_money(total or 0) * 100)
        if amount <= 0:
            continue
        if names[area_id] is None:
            names[area_id] = _("%(code)s earmarked", code=code) if code else _("Unearmarked")
        mine, weights, counts, before, whole = pools[area_id]
        remainders = [amount * w % whole for w in weights]
        left = sum(r * n for r, n in zip(remainders, counts, strict=True)) // whole
        own = amount * mine % whole
        ahead = sum(n for r, n in zip(remainders, counts, strict=True) if r > own) + sum(
            b for r, b in zip(remainders, before, strict=True) if r == own
        )
        share_cents = amount * mine // whole + (1 if ahead < left else 0)
        rows.append(
            AttributionRow(
                pool=names[area_id],
                area_code=code,
                programme_id=programme_id,
                pool_allocated=to_money(Decimal(amount) / 100),
                share=shares[area_id],
                attributed=to_money(Decimal(share_cents) / 100),
            )
        )
    return rows


@dataclass
class DonorFigures:
    """What a donor sees about itself: totals, share of the fund, agreements, attribution."""

    donor: Donor
    as_of: date | None
    deposits_usd: Decimal
    fees_usd: Decimal
    all_deposits_usd: Decimal
    agreements: list[AgreementRow]
    attribution: list[AttributionRow]
    by_currency: dict[str, Decimal] = field(default_factory=dict)

    @property
    def net_usd(self) -> Decimal:
        return self.deposits_usd - self.fees_usd

    @property
    def share_percent(self) -> Decimal | None:
        if not self.all_deposits_usd:
            return None
        return (self.deposits_usd * 100 / self.all_deposits_usd).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def commitments_usd(self) -> Decimal:
        return sum((r.commitment_usd for r in self.agreements), ZERO)

    @property
    def attributed_usd(self) -> Decimal:
        return sum((r.attributed for r in self.attribution), ZERO)


def donor_and_fund_deposits(donor_id: int, as_of: date | None = None) -> tuple[Decimal, Decimal, Decimal]:
    """(the donor's deposits, its fees, every donor's deposits) in USD from the ledger (reversals netted), in one
    query: conditional sums over the covering index, no total per donor built to read one of them."""

    def total(*conditions: sa.ColumnElement[bool]) -> sa.ColumnElement:
        return sa.func.sum(sa.case((sa.and_(*conditions), LedgerEntry.amount_usd), else_=sa.null()))

    deposit, fee = LedgerEntry.category == EntryKind.deposit, LedgerEntry.category == EntryKind.fee
    mine = LedgerEntry.donor_id == donor_id
    query = sa.select(total(mine, deposit), total(mine, fee), total(deposit)).where(
        LedgerEntry.donor_id.is_not(None), LedgerEntry.category.in_([EntryKind.deposit, EntryKind.fee])
    )
    if as_of:
        query = query.where(LedgerEntry.entry_on <= as_of)
    deposits, fees, every = db.session.execute(query).one()
    return to_money(deposits or 0), to_money(fees or 0), to_money(every or 0)


def donor_figures(donor: Donor, as_of: date | None = None) -> DonorFigures:
    """Everything the donor portal's summary shows, in a fixed number of queries."""
    deposits, fees, every = donor_and_fund_deposits(donor.id, as_of)
    return DonorFigures(
        donor=donor,
        as_of=as_of,
        deposits_usd=deposits,
        fees_usd=fees,
        all_deposits_usd=every,
        agreements=agreement_rows(donor.id, as_of),
        attribution=attribution(donor.id, as_of),
    )


class ListPagination(Pagination):
    """One page of a list computed in Python (a donor's attribution rows), with the pager's attributes."""

    def _query_items(self) -> list[Any]:
        start = (self.page - 1) * self.per_page
        return list(self._query_args["rows"][start : start + self.per_page])

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


class CountedPagination(SelectPagination):
    """db.paginate's pagination of a ranked select, its total counted by a light select (the rows the ranking
    lists, without the aggregates it orders them by, so the count reads no ledger), and its items the selected
    rows (an entity and the figures beside it) when `rows` is set, rather than the first entity alone."""

    def _query_items(self) -> list[Any]:
        if not self._query_args["rows"]:
            return super()._query_items()
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(select).unique().all())

    def _query_count(self) -> int:
        return self._query_args["session"].scalar(self._query_args["count_select"]) or 0


def paginate_ranked(
    query: sa.Select, count: sa.Select, page: int, per_page: int, max_per_page: int = 100, rows: bool = False
) -> Pagination:
    """One page of `query` (paginated in SQL) whose total is `count`, a select of the same number of rows."""
    return CountedPagination(
        select=query,
        count_select=count,
        rows=rows,
        session=db.session(),
        page=page,
        per_page=per_page,
        max_per_page=max_per_page,
        error_out=False,
    )


def donors_with_agreements() -> sa.ColumnElement[bool]:
    """Donors that have signed an agreement: the contributors the capitalization and public pages rank."""
    return sa.exists().where(Agreement.donor_id == Donor.id)


def count_donors_with_agreements() -> sa.Select:
    return sa.select(sa.func.count()).select_from(Donor).where(donors_with_agreements())


#: Attribution rows on a page of a donor's page, portal and report.
ATTRIBUTION_PER_PAGE = 10


def attribution_page(rows: list[AttributionRow], page: int | None) -> Pagination:
    """One page of a donor's attribution rows (the total stays the figures' attributed_usd, over every row)."""
    return ListPagination(page=page or 1, per_page=ATTRIBUTION_PER_PAGE, error_out=False, rows=rows)


@dataclass
class DonorPage:
    """A donor's page and the donor portal: its figures, one page of its deposits (newest first) and one page
    of its attribution rows."""

    figures: DonorFigures
    deposits: Pagination
    reversed_ids: set[int]
    uses: Pagination


def donor_page(donor: Donor, page: int | None = None, per_page: int = 25, uses_page: int | None = None) -> DonorPage:
    """Figures and deposits in a fixed number of queries, whatever the number of deposits."""
    deposits = db.paginate(
        sa.select(Deposit)
        .options(joinedload(Deposit.agreement))
        .where(Deposit.donor_id == donor.id)
        .order_by(Deposit.deposited_on.desc(), Deposit.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    figures = donor_figures(donor)
    return DonorPage(
        figures,
        deposits,
        reversed_deposits([d.id for d in deposits.items]),
        attribution_page(figures.attribution, uses_page),
    )


def report_start() -> date:
    """Where a contribution report's period starts unless asked: the month the fund was established."""
    fund = get_fund()
    return (fund.established_on if fund and fund.established_on else date(2019, 1, 1)).replace(day=1)


@dataclass
class ContributionReport:
    donor: Donor
    date_from: date
    date_to: date
    deposits: list[Deposit]
    reversed_ids: set[int]
    #: Ledger totals within the period (reversals netted).
    period_deposits_usd: Decimal
    period_fees_usd: Decimal
    by_currency: list[tuple[str, Decimal, Decimal]]
    figures: DonorFigures
    by_year: list[tuple[int, Decimal]]

    @property
    def period_net_usd(self) -> Decimal:
        return self.period_deposits_usd - self.period_fees_usd

    def attribution_by_area(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for row in self.figures.attribution:
            totals[row.pool] += row.attributed
        return sorted(totals.items())


def contribution_report(donor: Donor, date_from: date, date_to: date) -> ContributionReport:
    """A donor's contributions in a period, with cumulative share and attribution at the period's end."""
    deposits = list(
        db.session.scalars(
            sa.select(Deposit)
            .options(joinedload(Deposit.agreement).joinedload(Agreement.thematic_area))
            .where(Deposit.donor_id == donor.id, Deposit.deposited_on.between(date_from, date_to))
            .order_by(Deposit.deposited_on, Deposit.id)
        )
    )
    reversed_ids = set(
        db.session.scalars(
            _reversed_deposit_ids().where(LedgerEntry.donor_id == donor.id, LedgerEntry.entry_on <= date_to)
        )
    )
    period = deposits_by_donor(as_of=date_to, since=date_from, donor_ids=[donor.id]).get(
        donor.id, {EntryKind.deposit: ZERO, EntryKind.fee: ZERO}
    )
    currencies: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for deposit in deposits:
        if deposit.id in reversed_ids:
            continue
        currencies[deposit.currency][0] += deposit.amount
        currencies[deposit.currency][1] += deposit.amount_usd
    years_query = (
        sa.select(sa.extract("year", LedgerEntry.entry_on), sa.func.sum(LedgerEntry.amount_usd))
        .where(
            LedgerEntry.donor_id == donor.id,
            LedgerEntry.category == EntryKind.deposit,
            LedgerEntry.entry_on <= date_to,
        )
        .group_by(sa.extract("year", LedgerEntry.entry_on))
        .order_by(sa.extract("year", LedgerEntry.entry_on))
    )
    by_year = [(int(y), to_money(t or 0)) for y, t in db.session.execute(years_query)]
    return ContributionReport(
        donor=donor,
        date_from=date_from,
        date_to=date_to,
        deposits=deposits,
        reversed_ids=reversed_ids,
        period_deposits_usd=period[EntryKind.deposit],
        period_fees_usd=period[EntryKind.fee],
        by_currency=[(c, v[0], v[1]) for c, v in sorted(currencies.items())],
        figures=donor_figures(donor, date_to),
        by_year=by_year,
    )


# Capitalization and the public summary ------------------------------------------------------------


@dataclass
class Capitalization:
    target_usd: Decimal
    commitments_usd: Decimal
    deposits_usd: Decimal
    by_donor: list[tuple[str, Decimal, Decimal]]  # (donor, commitments, deposits)
    #: (year, month, donor name, USD) of deposits, for the chart.
    monthly: list[tuple[int, int, str, Decimal]]

    def percent(self, value: Decimal) -> Decimal:
        if not self.target_usd:
            return ZERO
        return (value * 100 / self.target_usd).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def capitalization(as_of: date | None = None) -> Capitalization:
    """Commitments and deposits against the target, per donor and month; as of a day when given (the
    commitments then at the rates in force that day, see agreement_rows)."""
    fund = get_fund()
    rows = agreement_rows(as_of=as_of)
    deposits = deposits_by_donor(as_of)
    names: dict[int, str] = {}
    commitments: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        names[row.agreement.donor_id] = row.agreement.donor.name
        commitments[row.agreement.donor_id] += row.commitment_usd
    year = sa.extract("year", LedgerEntry.entry_on)
    month = sa.extract("month", LedgerEntry.entry_on)
    monthly_query = (
        sa.select(year, month, Organisation.name, sa.func.sum(LedgerEntry.amount_usd))
        .join(Donor, Donor.id == LedgerEntry.donor_id)
        .join(Organisation, Organisation.id == Donor.organisation_id)
        .where(LedgerEntry.category == EntryKind.deposit)
        .group_by(year, month, Organisation.name)
        .order_by(year, month)
    )
    if as_of is not None:
        monthly_query = monthly_query.where(LedgerEntry.entry_on <= as_of)
    monthly = [(int(y), int(m), n, to_money(t or 0)) for y, m, n, t in db.session.execute(monthly_query)]
    by_donor = sorted(
        ((names.get(d, str(d)), commitments[d], deposits.get(d, {}).get(EntryKind.deposit, ZERO)) for d in names),
        key=lambda r: (-r[2], r[0]),
    )
    return Capitalization(
        target_usd=fund.capitalization_target_usd if fund else ZERO,
        commitments_usd=sum(commitments.values(), ZERO),
        deposits_usd=sum((t[EntryKind.deposit] for t in deposits.values()), ZERO),
        by_donor=by_donor,
        monthly=monthly,
    )


#: Donors on a page of the capitalization page, and donors the chart names (the others are one band).
CAPITALIZATION_PER_PAGE = 25
CHART_DONORS = 11


@dataclass
class CapitalizationPage:
    """The capitalization page: totals (SQL aggregates over every agreement and deposit), one page of donors
    by deposits (paginated in SQL; items are (donor, commitments, deposits)), and the chart's monthly deposits
    of the largest donors, the others together."""

    target_usd: Decimal
    commitments_usd: Decimal
    deposits_usd: Decimal
    donors: Pagination
    monthly: list[tuple[int, int, str, Decimal]]
    chart_donors: int = CHART_DONORS

    def percent(self, value: Decimal) -> Decimal:
        if not self.target_usd:
            return ZERO
        return (value * 100 / self.target_usd).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def commitments_usd_total(as_of: date | None = None) -> Decimal:
    """Every agreement's commitment in USD, added up (capitalization's total), in three queries: what was paid,
    in USD, is one SQL sum; only the agreements not fully paid are read, to value their balance at the rate in
    force (rounded per agreement, as agreement_rows does)."""
    paid = _paid_subquery(as_of)
    signed = Agreement.signed_on <= as_of if as_of is not None else sa.true()
    paid_usd = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(paid.c.paid_usd), 0))
        .select_from(Agreement)
        .join(paid, paid.c.agreement_id == Agreement.id)
        .where(signed)
    )
    amount = sa.func.coalesce(paid.c.paid, 0)
    unpaid = db.session.execute(
        sa.select(Agreement.currency, Agreement.committed_amount, amount)
        .outerjoin(paid, paid.c.agreement_id == Agreement.id)
        .where(signed, amount < Agreement.committed_amount)
    ).all()
    rates = rates_in_force(as_of) if unpaid else {}
    total = to_money(paid_usd or 0)
    for currency, committed, paid_amount in unpaid:
        rate = rates.get(currency)
        outstanding = committed - to_money(paid_amount or 0)
        if rate and outstanding > 0:
            total += to_usd(outstanding, rate)
    return total


def _deposits_by_donor_subquery() -> sa.Subquery:
    return (
        sa.select(LedgerEntry.donor_id, sa.func.sum(LedgerEntry.amount_usd).label("total"))
        .where(LedgerEntry.category == EntryKind.deposit, LedgerEntry.donor_id.is_not(None))
        .group_by(LedgerEntry.donor_id)
        .subquery()
    )


def capitalization_page(page: int = 1, per_page: int | None = None) -> CapitalizationPage:
    """The capitalization page in a fixed number of queries whatever the number of donors (see CapitalizationPage).

    The donors are those with an agreement, largest deposits first, as capitalization() orders them.
    """
    fund = get_fund()
    deposited = _deposits_by_donor_subquery()
    amount = sa.func.coalesce(deposited.c.total, 0)
    ranked = (
        sa.select(Donor, deposited.c.total)
        .join(Donor.organisation)
        .outerjoin(deposited, deposited.c.donor_id == Donor.id)
        .options(contains_eager(Donor.organisation))
        .where(donors_with_agreements())
        .order_by(amount.desc(), Organisation.name, Donor.id)
    )
    donors = paginate_ranked(
        ranked, count_donors_with_agreements(), page, per_page or CAPITALIZATION_PER_PAGE, rows=True
    )
    ids = [d.id for d, _total in donors.items]
    commitments: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if ids:
        agreements = list(db.session.scalars(sa.select(Agreement).where(Agreement.donor_id.in_(ids))))
        for row in rows_for_agreements(agreements):
            commitments[row.agreement.donor_id] += row.commitment_usd
    donors.items = [(d, commitments[d.id], to_money(total or 0)) for d, total in donors.items]
    # The fund's totals and the chart's months are the same for every reader: kept while the records hold
    # (core.cache; the chart names "Other donors" in the reader's language).
    commitments_usd, deposits_usd = cache.cached("capitalization.totals", _capitalization_totals)
    return CapitalizationPage(
        target_usd=fund.capitalization_target_usd if fund else ZERO,
        commitments_usd=commitments_usd,
        deposits_usd=deposits_usd,
        donors=donors,
        monthly=cache.cached(
            ("capitalization.monthly", language()), lambda: _monthly_of_largest(ranked, CHART_DONORS, donors)
        ),
    )


def _capitalization_totals() -> tuple[Decimal, Decimal]:
    """(every commitment in USD, every donor's deposits in USD): the capitalization page's totals."""
    deposits_usd = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount_usd), 0)).where(
            LedgerEntry.category == EntryKind.deposit, LedgerEntry.donor_id.is_not(None)
        )
    )
    return commitments_usd_total(), to_money(deposits_usd or 0)


def _monthly_of_largest(
    ranked: sa.Select, count: int, donors: Pagination | None = None
) -> list[tuple[int, int, str, Decimal]]:
    """(year, month, donor, USD) of deposits: the `count` largest donors by name, every other donor together.
    The first page of the ranking (`donors`, items (donor, …)) already holds them when it is long enough."""
    if donors is not None and donors.page == 1 and donors.per_page >= count:
        largest = {d.id: d.name for d, *_figures in donors.items[:count]}
    else:
        largest = {d.id: d.name for d in db.session.scalars(ranked.limit(count))}
    year = sa.extract("year", LedgerEntry.entry_on)
    month = sa.extract("month", LedgerEntry.entry_on)
    if not largest:
        return []
    who = sa.case((LedgerEntry.donor_id.in_(list(largest)), LedgerEntry.donor_id), else_=0)
    rows = db.session.execute(
        sa.select(year, month, who, sa.func.sum(LedgerEntry.amount_usd))
        .where(LedgerEntry.category == EntryKind.deposit, LedgerEntry.donor_id.is_not(None))
        .group_by(year, month, who)
        .order_by(year, month)
    )
    others = _("Other donors")
    return [(int(y), int(m), largest.get(d, others), to_money(t or 0)) for y, m, d, t in rows]


def public_contributions() -> dict[str, Any]:
    """The contributions part of GET /api/v1/summary: totals only, per donor at most."""
    status = ledger.funding_status()
    cap = capitalization()
    pools = ledger.pool_balances()
    return {
        "donors": {
            "count": db.session.scalar(sa.select(sa.func.count()).select_from(Donor)),
            "deposits_by_donor": [
                {"name": name, "deposits_usd": f"{deposits:.2f}"} for name, _c, deposits in cap.by_donor
            ],
        },
        "contributions": {
            "commitments_usd": f"{cap.commitments_usd:.2f}",
            "deposits_usd": f"{status.contributions:.2f}",
            "fees_usd": f"{status.fee:.2f}",
            "available_usd": f"{sum((p.available for p in pools), ZERO):.2f}",
        },
    }


# Instalments, search and names: what the role inboxes, the overdue notices, the search box and the audit log ask


@dataclass(frozen=True)
class Instalment:
    """A line of an agreement's schedule of expected payments and what is still owed on it.

    Deposits (not reversed, in the agreement's currency) settle the schedule's lines in date order, so a line is
    owed for what the deposits so far leave of it; owed after its due date, it is overdue.
    """

    payment: ExpectedPayment
    outstanding: Decimal
    overdue: bool

    @property
    def agreement(self) -> Agreement:
        return self.payment.agreement

    @property
    def settled(self) -> bool:
        return self.outstanding <= 0


def schedule_status(schedule: list[ExpectedPayment], paid: Decimal, on: date) -> list[Instalment]:
    """Each line of one agreement's schedule with what `paid` leaves owed on it (the agreement page)."""
    lines, before = [], ZERO
    for payment in sorted(schedule, key=lambda p: (p.due_on, p.id)):
        owed = min(max(before + payment.amount - paid, ZERO), payment.amount)
        lines.append(Instalment(payment, owed, owed > 0 and payment.due_on < on))
        before += payment.amount
    return lines


def instalments_owed(
    on: date, within_days: int = 0, donor_id: int | None = None, overdue_only: bool = False
) -> list[Instalment]:
    """Schedule lines still owed and due by `on` + `within_days` (`overdue_only`: due before `on`), the oldest
    first, each with its agreement and donor. One query: a running total of each agreement's schedule against
    its deposits, computed in SQL (the same rule as `schedule_status`)."""
    query = _owed_query(on, within_days, donor_id, overdue_only)
    return [Instalment(payment, to_money(amount), payment.due_on < on) for payment, amount in db.session.execute(query)]


@dataclass(frozen=True)
class InstalmentsOwed:
    """The first items of instalments_owed(), their number and how many are overdue."""

    total: int
    overdue: int
    items: list[Instalment]


def instalments_owed_page(
    on: date, limit: int, within_days: int = 0, donor_id: int | None = None, overdue_only: bool = False
) -> InstalmentsOwed:
    """instalments_owed(), its first `limit` lines only, with the number and the overdue of all (one query)."""
    query = _owed_query(on, within_days, donor_id, overdue_only).add_columns(
        sa.func.count().over().label("total"),
        sa.func.sum(sa.case((ExpectedPayment.due_on < on, 1), else_=0)).over().label("late"),
    )
    rows = db.session.execute(query.limit(limit)).all()
    if not rows:
        return InstalmentsOwed(0, 0, [])
    items = [Instalment(row[0], to_money(row.owed), row[0].due_on < on) for row in rows]
    return InstalmentsOwed(rows[0].total, int(rows[0].late or 0), items)


def _owed_query(on: date, within_days: int, donor_id: int | None, overdue_only: bool) -> sa.Select:
    # The running totals read only the lines that may be listed: those due by the horizon (a line's total sums
    # the lines due before it, never after) of the donor's agreements when one donor's are asked for.
    due = ExpectedPayment.due_on < on if overdue_only else ExpectedPayment.due_on <= on + timedelta(days=within_days)
    paid = sa.select(Deposit.agreement_id, sa.func.sum(Deposit.amount).label("paid")).where(live_deposits())
    scheduled = sa.select(
        ExpectedPayment.id,
        ExpectedPayment.amount,
        sa.func.sum(ExpectedPayment.amount)
        .over(partition_by=ExpectedPayment.agreement_id, order_by=(ExpectedPayment.due_on, ExpectedPayment.id))
        .label("through"),
    ).where(due)
    if donor_id is not None:
        agreements = sa.select(Agreement.id).where(Agreement.donor_id == donor_id)
        paid = paid.where(Deposit.agreement_id.in_(agreements))
        scheduled = scheduled.where(ExpectedPayment.agreement_id.in_(agreements))
    paid = paid.group_by(Deposit.agreement_id).subquery()
    lines = (
        scheduled.add_columns(sa.func.coalesce(paid.c.paid, 0).label("paid"))
        .outerjoin(paid, paid.c.agreement_id == ExpectedPayment.agreement_id)
        .subquery()
    )
    left = lines.c.through - lines.c.paid
    owed = sa.case((left < lines.c.amount, left), else_=lines.c.amount).label("owed")
    return (
        sa.select(ExpectedPayment, owed)
        .join(lines, lines.c.id == ExpectedPayment.id)
        .where(lines.c.through > lines.c.paid)
        .options(joinedload(ExpectedPayment.agreement).joinedload(Agreement.donor))
        .order_by(ExpectedPayment.due_on, ExpectedPayment.id)
    )


def donor_users(donor_ids: list[int]) -> dict[int, list[User]]:
    """donor id → its active donor users (one query): who hears about the donor's instalments."""
    result: dict[int, list[User]] = {donor_id: [] for donor_id in donor_ids}
    if donor_ids:
        rows = db.session.execute(
            sa.select(Donor.id, User)
            .join(User, User.organisation_id == Donor.organisation_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(Donor.id.in_(donor_ids), UserRole.role == Role.donor, User.is_active)
            .order_by(User.id)
        )
        for donor_id, user in rows:
            result[donor_id].append(user)
    return result


def visible_donors(user: User) -> sa.ColumnElement[bool]:
    """SQL twin of `permissions.can_view_donor`: every donor for the secretariat, a donor user's own."""
    if user.has_role(Role.secretariat):
        return sa.true()
    if user.has_role(Role.donor):
        return Donor.organisation_id == user.organisation_id
    return sa.false()


def search_donors(user: User, query: str) -> sa.Select | None:
    """The search box over the donors the user may open: every word in the donor's name or code."""
    words = search.terms(query)
    if not words:
        return None
    text = Organisation.name + " " + Organisation.code
    return (
        sa.select(*search.hits("donor", Donor.id, search.rank(None, Organisation.name, query), Organisation.name))
        .join(Organisation, Organisation.id == Donor.organisation_id)
        .where(visible_donors(user), search.contains_all(text, words))
    )


def donors_by_id(ids: list[int]) -> dict[int, Donor]:
    if not ids:
        return {}
    return {d.id: d for d in db.session.scalars(sa.select(Donor).where(Donor.id.in_(ids)))}


def describe_objects(object_type: str, ids: list[str]) -> dict[str, str] | None:
    """Names of donors, agreements, deposits, rates, ledger entries and accounting periods for the audit log
    (`signals.describe_objects`), one query per type."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if object_type == "donors":
        rows = db.session.execute(
            sa.select(Donor.id, Organisation.name)
            .join(Organisation, Organisation.id == Donor.organisation_id)
            .where(Donor.id.in_(numbers))
        )
        return {str(i): _("donor %(name)s", name=name) for i, name in rows}
    if object_type == "agreements":
        rows = db.session.execute(sa.select(Agreement.id, Agreement.reference).where(Agreement.id.in_(numbers)))
        return {str(i): _("agreement %(reference)s", reference=reference) for i, reference in rows}
    if object_type == "deposits":
        rows = db.session.execute(
            sa.select(Deposit.id, Deposit.currency, Deposit.amount, Deposit.deposited_on, Agreement.reference)
            .join(Agreement, Agreement.id == Deposit.agreement_id)
            .where(Deposit.id.in_(numbers))
        )
        return {
            str(i): _(
                "deposit of %(currency)s %(amount)s on %(agreement)s (%(day)s)",
                currency=currency,
                amount=usd(amount),
                agreement=reference,
                day=ledger.shown("date", on),
            )
            for i, currency, amount, on, reference in rows
        }
    if object_type == "exchange_rates":
        rows = db.session.execute(
            sa.select(ExchangeRate.id, ExchangeRate.currency, ExchangeRate.month).where(ExchangeRate.id.in_(numbers))
        )
        return {
            str(i): _("%(currency)s rate of %(month)s", currency=currency, month=month_label(month))
            for i, currency, month in rows
        }
    if object_type == "ledger_entries":
        rows = db.session.execute(
            sa.select(LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount_usd).where(LedgerEntry.id.in_(numbers))
        )
        return {
            str(i): _(
                "ledger entry #%(id)s (%(kind)s, US$ %(amount)s)",
                id=i,
                kind=str(kind.label).lower(),
                amount=usd(amount),
            )
            for i, kind, amount in rows
        }
    if object_type == "accounting_period":
        rows = db.session.execute(
            sa.select(AccountingPeriod.id, AccountingPeriod.month).where(AccountingPeriod.id.in_(numbers))
        )
        return {str(i): _("the books of %(month)s", month=month_label(month)) for i, month in rows}
    return None
