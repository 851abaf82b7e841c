"""The fund ledger: the posting API every money event goes through, and the SQL aggregates over it.

Posting API (issues 5 and 6 call these; each flushes, writes an audit row, never commits):

- ``allocate(actor, amount, area_id, programme_id, on, organisation_id=None, description="")``
  draws area X's earmarked pool first, then the unearmarked pool; refuses (`InsufficientFunds`)
  rather than make any pool negative. Returns the one or two allocation rows.
- ``post_transfer(actor, amount, programme_id, organisation_id, on, description="")``: money sent to a
  participating organization; refused beyond what was allocated to the programme.
- ``post_refund(actor, amount, programme_id, organisation_id, on, description="")``: money returned by a
  participating organization; credited to the pools the programme's allocations drew from (earmarked
  first), refused beyond the organisation's balance for the programme.
- ``post_expenditure(actor, amount, programme_id, organisation_id, on, description="")``: expenses reported
  by a participating organization; refused beyond its balance for the programme.
- ``post_interest / post_direct_cost / post_bank_charge(actor, amount, on, ...)``: fund income and costs,
  in the unearmarked pool; ``post_by_hand(actor, kind, ...)`` is the ledger page's form over those three.
- ``post_deposit(actor, deposit)``: a recorded deposit and its administrative agent fee
  (`contributions.services.record_deposit` converts the currency and calls it).
- ``reverse_entry(actor, entry, reason, on=None)``: the only correction. Posts a row of kind
  ``reversal`` with the negated amount and the original's category; reversing a deposit reverses its fee
  too. Refused if the reversal would make a pool or a programme balance negative.

Every posting is dated: ``check_postable(on)`` refuses a date after today, before the fund's books start
(the month it was established) or in a closed accounting period (contributions.periods closes months); a
correction of a closed month goes into an open month, as a reversal naming the original.

Lock, re-check, post (core.locks). Each posting that can lower a balance first locks what carries it, then
reads it: a pool (``pool_key``) for allocations, costs and reversals that take money out of a pool; a
programme (``programme_key``) for transfers, expenditure, refunds and reversals of programme money; the
entry itself for a reversal (so it is reversed once). Every posting also holds the accounting periods' key
shared, so closing a month (exclusive) waits for postings in flight and they wait for it. On SQLite the
request's write transaction already runs alone (core.db.writing).

Programme guards: receivers of ``core.signals.programme_posting`` check every posting that names a
programme (allocation, transfer, refund, expenditure and their reversals); the programmes capability uses it
to refuse any money event on a financially closed programme.

Aggregates: `pool_balances(as_of)`, `funding_status(as_of)`, `statement(as_of)` (both, for the pages),
`category_totals(as_of)` — each a fixed number of SQL aggregate queries, whatever the size of the ledger.

Queries of the ledger page: `LedgerFilter`, `ledger_page(filters, page)` and `ledger_csv_entries(filters)` (its
CSV, read in batches of `ledger_entry_batches(filters)`).
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from babel import dates as babel_dates
from flask import current_app, has_app_context
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from fundapp.auth.models import User
from fundapp.contributions.models import AccountingPeriod, Deposit, EntryKind, LedgerEntry
from fundapp.contributions.workflow import CLOSED
from fundapp.core import clock, signals
from fundapp.core.args import as_id
from fundapp.core.audit import record_change
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.i18n import DEFAULT_LANGUAGE, _, get_locale
from fundapp.core.locks import Key, lock_keys, lock_row
from fundapp.core.money import MoneyInputError, MoneyType, format_money, parse_money, to_money
from fundapp.reference.models import FundSettings, ThematicArea

ZERO = Decimal("0.00")
#: Held shared by every posting and exclusively by closing or reopening a month (core.locks).
PERIODS_KEY = Key("accounting-periods")

#: How each category moves the money available to allocate (pools). Transfers and expenditure move
#: money already allocated, so they leave the pools alone.
POOL_SIGN: dict[EntryKind, int] = {
    EntryKind.deposit: 1,
    EntryKind.fee: -1,
    EntryKind.interest: 1,
    EntryKind.allocation: -1,
    EntryKind.refund: 1,
    EntryKind.direct_cost: -1,
    EntryKind.bank_charge: -1,
    EntryKind.transfer: 0,
    EntryKind.expenditure: 0,
}

#: How each category moves the cash held by the administrative agent.
CASH_SIGN: dict[EntryKind, int] = {
    EntryKind.deposit: 1,
    EntryKind.interest: 1,
    EntryKind.refund: 1,
    EntryKind.fee: -1,
    EntryKind.transfer: -1,
    EntryKind.direct_cost: -1,
    EntryKind.bank_charge: -1,
    EntryKind.allocation: 0,
    EntryKind.expenditure: 0,
}

#: The postings the secretariat records by hand on the ledger page, and so may reverse there. A deposit is
#: reversed from its own page (with its fee); programme money moves through the committee and programmes.
HAND_POSTED: frozenset[EntryKind] = frozenset({EntryKind.interest, EntryKind.direct_cost, EntryKind.bank_charge})

#: What a posting may name besides its kind, amount and date (the LedgerEntry columns).
Link = int | str | EntryKind | None


class LedgerError(DomainError):
    """A posting was refused."""


class InsufficientFunds(LedgerError):
    """The posting would make a pool (or a programme's balance) negative."""


class PeriodClosed(LedgerError):
    """The posting's date is in a closed accounting period, before the books start, or after today."""


# Dates, locks and small helpers ---------------------------------------------------------------------


def pool_key(area_id: int | None) -> Key:
    """The lock on a pool's balance: a thematic area's earmarked pool, or 0 for the unearmarked pool."""
    return Key("pool", area_id or 0)


def programme_key(programme_id: int) -> Key:
    """The lock on a programme's money: its allocations, transfers, refunds and expenditure."""
    return Key("programme", programme_id)


def _local_date(day: date, skeleton: str, english: str) -> str:
    """`day` in the request's language: English keeps the fund's own pattern, others their locale's."""
    locale = get_locale() if has_app_context() else None
    if locale is None or locale.language == DEFAULT_LANGUAGE:
        return babel_dates.format_date(day, english, locale=DEFAULT_LANGUAGE)
    return babel_dates.format_skeleton(skeleton, datetime.combine(day, time()), locale=locale)


def month_label(day: date) -> str:
    """'May 2019' ('mai 2019', 'mayo de 2019'…): month names from Babel's locale data."""
    return _local_date(day, "yMMMM", "MMMM y")


def day_label(day: date) -> str:
    """'1 May 2019' in the request's language."""
    return _local_date(day, "yMMMMd", "d MMMM y")


def shown(filter_name: str, value: Any, *args: Any) -> str:
    """`value` as the pages' template filter `filter_name` (money, date, percent) shows it, in the request's
    language: messages and PDFs format figures exactly as the pages do."""
    if has_app_context() and filter_name in current_app.jinja_env.filters:
        return str(current_app.jinja_env.filters[filter_name](value, *args))
    if filter_name == "money":
        return format_money(value)
    return str(value)


def usd(amount: Decimal) -> str:
    """An amount in a message, formatted as the pages' `money` filter formats it (the locale's separators)."""
    return shown("money", amount)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


@dataclass(frozen=True)
class Books:
    """Where the books start (the month the fund was established) and the last closed month, if any."""

    start: date | None
    closed_through: date | None

    def is_closed(self, day: date) -> bool:
        return self.closed_through is not None and day <= month_end(self.closed_through)

    @property
    def first_open(self) -> date | None:
        """The first day that may still take postings (None: every month since the start is open)."""
        return next_month(self.closed_through) if self.closed_through else self.start


def books() -> Books:
    """The books' start and last closed month, in one query."""
    row = db.session.execute(
        sa.select(
            sa.select(FundSettings.established_on).limit(1).scalar_subquery(),
            sa.select(sa.func.max(AccountingPeriod.month)).where(AccountingPeriod.status == CLOSED).scalar_subquery(),
        )
    ).one()
    start = row[0].replace(day=1) if row[0] else None
    return Books(start, row[1])


def check_postable(on: date, field: str = "entry_on", what: str = "A posting") -> Books:
    """Refuse a date after today, before the books start, or in a closed month; hold the periods' key shared.

    Called by every posting (and by the services that record deposits and rates, with their own field), so
    the message lands next to the date the user typed.
    """
    lock_keys(PERIODS_KEY, shared=True)
    today = clock.today()
    if on > today:
        raise PeriodClosed(
            _("%(what)s cannot be dated in the future (after %(day)s).", what=what, day=day_label(today)), field=field
        )
    state = books()
    if state.start is not None and on < state.start:
        raise PeriodClosed(
            _(
                "%(what)s cannot be dated before the fund's books start (%(day)s).",
                what=what,
                day=day_label(state.start),
            ),
            field=field,
        )
    if state.is_closed(on):
        raise PeriodClosed(
            _(
                "%(month)s is closed: %(thing)s cannot be dated in it. Date it from %(day)s; to correct a closed "
                "month, reverse the entry in an open month.",
                month=month_label(on),
                thing=f"{what[0].lower()}{what[1:]}",
                day=day_label(state.first_open),
            ),
            field=field,
        )
    return state


def _positive(amount: Decimal | int | str) -> Decimal:
    try:
        value = parse_money(amount)
    except MoneyInputError as exc:
        raise LedgerError(str(exc), field="amount") from exc
    except TypeError as exc:
        raise LedgerError(_("The amount is not a number."), field="amount") from exc
    if value <= 0:
        raise LedgerError(_("The amount must be more than zero."), field="amount")
    return value


def _guard(programme_id: int | None) -> None:
    """Receivers of programme_posting (the programmes domain) raise LedgerError to refuse the posting."""
    if programme_id is not None:
        signals.programme_posting.send(programme_id)


def _post(actor: User | None, kind: EntryKind, amount: Decimal, on: date, **links: Link) -> LedgerEntry:
    _guard(links.get("programme_id"))
    entry = LedgerEntry(
        kind=kind,
        category=links.pop("category", kind),
        entry_on=on,
        amount_usd=amount,
        created_by_id=actor.id if actor else None,
        **links,
    )
    db.session.add(entry)
    db.session.flush()
    record_change(
        actor,
        f"ledger.{kind.value}",
        "ledger_entries",
        entry.id,
        {
            "amount_usd": f"{amount:.2f}",
            "kind": kind.value,
            "category": entry.category.value,
            "entry_on": on.isoformat(),
            "pool": entry.thematic_area_id,
            "programme_id": entry.programme_id,
            "reversal_of": entry.reversal_of_id,
        },
    )
    signals.ledger_changed.send(db.session)
    return entry


def pool_label(area: ThematicArea | None) -> str:
    return _("%(code)s earmarked", code=area.code) if area else _("Unearmarked")


# Aggregates ---------------------------------------------------------------------------------------


def _as_of(query: sa.Select, as_of: date | None) -> sa.Select:
    return query.where(LedgerEntry.entry_on <= as_of) if as_of else query


def category_totals(as_of: date | None = None, **filters: int) -> dict[EntryKind, Decimal]:
    """SUM(amount) per category (reversals netted), optionally filtered by equality on ledger columns."""
    query = sa.select(LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd)).group_by(LedgerEntry.category)
    for column, value in filters.items():
        query = query.where(getattr(LedgerEntry, column) == value)
    totals = {kind: ZERO for kind in EntryKind if kind is not EntryKind.reversal}
    for category, total in db.session.execute(_as_of(query, as_of)):
        totals[category] = to_money(total or 0)
    return totals


@dataclass
class Pool:
    """Money available to allocate in one pool, with the figures it is made of."""

    area_id: int | None
    label: str
    name: str
    totals: dict[EntryKind, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    @property
    def net_deposits(self) -> Decimal:
        return self.totals[EntryKind.deposit] - self.totals[EntryKind.fee]

    @property
    def available(self) -> Decimal:
        return sum((POOL_SIGN[k] * v for k, v in self.totals.items()), ZERO)


def pool_balances(as_of: date | None = None, areas: list[ThematicArea] | None = None) -> list[Pool]:
    """Every pool (unearmarked first, then each thematic area), in two queries."""
    if areas is None:
        areas = list(db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)))
    pools = {None: Pool(None, _("Unearmarked"), _("Unearmarked contributions"))}
    for area in areas:
        pools[area.id] = Pool(area.id, area.code, area.local_name)
    query = sa.select(LedgerEntry.thematic_area_id, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd)).group_by(
        LedgerEntry.thematic_area_id, LedgerEntry.category
    )
    for area_id, category, total in db.session.execute(_as_of(query, as_of)):
        pools[area_id].totals[category] = to_money(total or 0)
    return list(pools.values())


def available_in(area_id: int | None) -> Decimal:
    """Available balance of one pool (one query)."""
    query = (
        sa.select(LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .where(LedgerEntry.thematic_area_id.is_(None) if area_id is None else LedgerEntry.thematic_area_id == area_id)
        .group_by(LedgerEntry.category)
    )
    return sum((POOL_SIGN[c] * to_money(t or 0) for c, t in db.session.execute(query)), ZERO)


def cash_with_agent(as_of: date | None = None) -> Decimal:
    """Balance with the administrative agent as one signed SQL sum, independent of the statement's lines."""
    # Negation, not multiplication: a literal multiplier would be bound through the money type (cents on SQLite).
    signed = sa.case(
        *[
            (LedgerEntry.category == k, LedgerEntry.amount_usd if sign > 0 else -LedgerEntry.amount_usd)
            for k, sign in CASH_SIGN.items()
            if sign
        ],
        else_=sa.null(),
    )
    # The categories filter changes no sum (the others count as NULL) but lets it read the covering index.
    moving = LedgerEntry.category.in_([k for k, sign in CASH_SIGN.items() if sign])
    total = db.session.scalar(_as_of(sa.select(sa.type_coerce(sa.func.sum(signed), MoneyType())).where(moving), as_of))
    return to_money(total or 0)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class FundingStatus:
    """The GATEWAY funding status statement (all USD) as of a date."""

    as_of: date | None
    contributions: Decimal
    interest_fund: Decimal
    interest_organisations: Decimal
    transfers: Decimal
    refunds: Decimal
    fee: Decimal
    direct_costs: Decimal
    bank_charges: Decimal
    expenditure: Decimal
    allocations: Decimal
    #: Computed by its own signed SQL sum, so a test can prove sources − uses equals it.
    balance_with_agent: Decimal

    @property
    def total_sources(self) -> Decimal:
        return self.contributions + self.interest_fund + self.interest_organisations

    @property
    def total_uses(self) -> Decimal:
        return self.transfers - self.refunds + self.fee + self.direct_costs + self.bank_charges

    @property
    def balance_percent_of_deposits(self) -> Decimal | None:
        return _percent(self.balance_with_agent, self.contributions)

    @property
    def net_transfers(self) -> Decimal:
        return self.transfers - self.refunds

    @property
    def balance_with_organisations(self) -> Decimal:
        return self.net_transfers - self.expenditure

    @property
    def balance_percent_of_transfers(self) -> Decimal | None:
        return _percent(self.balance_with_organisations, self.net_transfers)

    @property
    def total_balance(self) -> Decimal:
        return self.balance_with_agent + self.balance_with_organisations

    def sections(self) -> list[tuple[str, list[tuple[str, Decimal | None, str]]]]:
        """(section, [(line, value, kind)]) in the GATEWAY order; kind is 'money', 'total' or 'percent'."""
        return [
            (
                _("Sources of funds"),
                [
                    (_("Contributions from donors"), self.contributions, "money"),
                    (_("Interest and investment income (fund)"), self.interest_fund, "money"),
                    (_("Interest from participating organizations"), self.interest_organisations, "money"),
                    (_("Total source of funds"), self.total_sources, "total"),
                ],
            ),
            (
                _("Use of funds"),
                [
                    (_("Transferred to participating organizations"), self.transfers, "money"),
                    (_("Refunds from participating organizations (negative)"), -self.refunds, "money"),
                    (_("Administrative Agent fee"), self.fee, "money"),
                    (_("Direct costs"), self.direct_costs, "money"),
                    (_("Bank charges"), self.bank_charges, "money"),
                    (_("Total use of funds"), self.total_uses, "total"),
                ],
            ),
            (
                _("Balances"),
                [
                    (_("Balance with Administrative Agent"), self.balance_with_agent, "total"),
                    (_("As %(percent)s of deposits", percent="%"), self.balance_percent_of_deposits, "percent"),
                    (_("Transfers to participating organizations"), self.net_transfers, "money"),
                    (_("Participating organizations' expenditure"), self.expenditure, "money"),
                    (_("Balance with participating organizations"), self.balance_with_organisations, "total"),
                    (_("As %(percent)s of transfers", percent="%"), self.balance_percent_of_transfers, "percent"),
                    (_("Total balance of funds"), self.total_balance, "total"),
                ],
            ),
        ]

    def as_json(self) -> dict[str, Any]:
        def m(v: Decimal) -> str:
            return f"{to_money(v):.2f}"

        def p(v: Decimal | None) -> str | None:
            return None if v is None else f"{v:.2f}"

        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "currency": "USD",
            "sources": {
                "contributions_from_donors": m(self.contributions),
                "interest_fund": m(self.interest_fund),
                "interest_participating_organizations": m(self.interest_organisations),
                "total": m(self.total_sources),
            },
            "uses": {
                "transferred_to_participating_organizations": m(self.transfers),
                "refunds_from_participating_organizations": m(-self.refunds),
                "administrative_agent_fee": m(self.fee),
                "direct_costs": m(self.direct_costs),
                "bank_charges": m(self.bank_charges),
                "total": m(self.total_uses),
            },
            "balances": {
                "balance_with_administrative_agent": m(self.balance_with_agent),
                "balance_with_administrative_agent_percent_of_deposits": p(self.balance_percent_of_deposits),
                "net_transfers_to_participating_organizations": m(self.net_transfers),
                "participating_organizations_expenditure": m(self.expenditure),
                "balance_with_participating_organizations": m(self.balance_with_organisations),
                "balance_with_participating_organizations_percent_of_transfers": p(self.balance_percent_of_transfers),
                "total_balance_of_funds": m(self.total_balance),
            },
        }


def funding_status(as_of: date | None = None) -> FundingStatus:
    """The statement in two aggregate queries."""
    # Grouped by category alone (the order of the ledger's covering index, so no sort), the money posted by an
    # organisation and the rest side by side.
    from_org = LedgerEntry.organisation_id.is_not(None)
    query = sa.select(
        LedgerEntry.category,
        sa.func.sum(sa.case((sa.not_(from_org), LedgerEntry.amount_usd), else_=sa.null())),
        sa.func.sum(sa.case((from_org, LedgerEntry.amount_usd), else_=sa.null())),
    ).group_by(LedgerEntry.category)
    totals: dict[tuple[EntryKind, bool], Decimal] = defaultdict(lambda: ZERO)
    for category, by_fund, by_organisations in db.session.execute(_as_of(query, as_of)):
        totals[(category, False)] += to_money(by_fund or 0)
        totals[(category, True)] += to_money(by_organisations or 0)

    def both(kind: EntryKind) -> Decimal:
        return totals[(kind, False)] + totals[(kind, True)]

    return FundingStatus(
        as_of=as_of,
        contributions=both(EntryKind.deposit),
        interest_fund=totals[(EntryKind.interest, False)],
        interest_organisations=totals[(EntryKind.interest, True)],
        transfers=both(EntryKind.transfer),
        refunds=both(EntryKind.refund),
        fee=both(EntryKind.fee),
        direct_costs=both(EntryKind.direct_cost),
        bank_charges=both(EntryKind.bank_charge),
        expenditure=both(EntryKind.expenditure),
        allocations=both(EntryKind.allocation),
        balance_with_agent=cash_with_agent(as_of),
    )


@dataclass
class Statement:
    """The funding status page: the statement and the pools, both as of the same date."""

    status: FundingStatus
    pools: list[Pool]


def statement(as_of: date | None = None) -> Statement:
    """The funding status statement and the pool balances as of a date (three aggregate queries)."""
    return Statement(funding_status(as_of), pool_balances(as_of))


def _programme_totals(programme_id: int, organisation_id: int | None = None) -> dict[EntryKind, Decimal]:
    filters = {"programme_id": programme_id}
    if organisation_id is not None:
        filters["organisation_id"] = organisation_id
    return category_totals(**filters)


def _organisation_balance(totals: dict[EntryKind, Decimal]) -> Decimal:
    return totals[EntryKind.transfer] - totals[EntryKind.refund] - totals[EntryKind.expenditure]


# Postings -----------------------------------------------------------------------------------------


def allocate(
    actor: User | None,
    amount: Decimal | str,
    area_id: int | None,
    programme_id: int,
    on: date,
    organisation_id: int | None = None,
    description: str = "",
) -> list[LedgerEntry]:
    """Allocate money to a programme in thematic area `area_id`: its earmarked pool first, then unearmarked.

    Refuses with InsufficientFunds (naming what is available) rather than make a pool negative.
    """
    amount = _positive(amount)
    check_postable(on)
    _guard(programme_id)
    lock_keys(pool_key(area_id), pool_key(None))
    earmarked = available_in(area_id) if area_id is not None else ZERO
    unearmarked = available_in(None)
    if earmarked + unearmarked < amount:
        raise InsufficientFunds(
            _(
                "Only US$ %(available)s is available for this thematic area (US$ %(earmarked)s earmarked, "
                "US$ %(unearmarked)s unearmarked); US$ %(amount)s requested.",
                available=usd(earmarked + unearmarked),
                earmarked=usd(earmarked),
                unearmarked=usd(unearmarked),
                amount=usd(amount),
            ),
            field="amount",
        )
    from_earmarked = min(earmarked, amount) if earmarked > 0 else ZERO
    entries = []
    links = {"programme_id": programme_id, "organisation_id": organisation_id, "description": description}
    if from_earmarked > 0:
        entries.append(_post(actor, EntryKind.allocation, from_earmarked, on, thematic_area_id=area_id, **links))
    if amount - from_earmarked > 0:
        entries.append(_post(actor, EntryKind.allocation, amount - from_earmarked, on, **links))
    return entries


def post_transfer(
    actor: User | None, amount: Decimal | str, programme_id: int, organisation_id: int, on: date, description: str = ""
) -> LedgerEntry:
    """Money sent to a participating organization for a programme; never more than was allocated to it."""
    amount = _positive(amount)
    check_postable(on)
    _guard(programme_id)
    lock_keys(programme_key(programme_id))
    totals = _programme_totals(programme_id)
    room = totals[EntryKind.allocation] - totals[EntryKind.transfer]
    if amount > room:
        raise InsufficientFunds(
            _("Only US$ %(amount)s of the programme's allocations is not yet transferred.", amount=usd(room)),
            field="amount",
        )
    return _post(
        actor,
        EntryKind.transfer,
        amount,
        on,
        programme_id=programme_id,
        organisation_id=organisation_id,
        description=description,
    )


def post_expenditure(
    actor: User | None, amount: Decimal | str, programme_id: int, organisation_id: int, on: date, description: str = ""
) -> LedgerEntry:
    """Expenses reported by a participating organization; not beyond what it holds for the programme."""
    amount = _positive(amount)
    check_postable(on)
    _guard(programme_id)
    lock_keys(programme_key(programme_id))
    balance = _organisation_balance(_programme_totals(programme_id, organisation_id))
    if amount > balance:
        raise InsufficientFunds(
            _("The organization holds only US$ %(amount)s for this programme.", amount=usd(balance)), field="amount"
        )
    return _post(
        actor,
        EntryKind.expenditure,
        amount,
        on,
        programme_id=programme_id,
        organisation_id=organisation_id,
        description=description,
    )


def post_refund(
    actor: User | None, amount: Decimal | str, programme_id: int, organisation_id: int, on: date, description: str = ""
) -> list[LedgerEntry]:
    """Money returned by a participating organization, credited back to the pools the programme drew on.

    Earmarked pools first (up to what the programme drew from each, net of earlier refunds), the rest
    to the unearmarked pool. Not beyond what the organization holds for the programme.
    """
    amount = _positive(amount)
    check_postable(on)
    _guard(programme_id)
    lock_keys(programme_key(programme_id))
    balance = _organisation_balance(_programme_totals(programme_id, organisation_id))
    if amount > balance:
        raise InsufficientFunds(
            _("The organization holds only US$ %(amount)s for this programme.", amount=usd(balance)), field="amount"
        )
    drawn: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    rows = db.session.execute(
        sa.select(LedgerEntry.thematic_area_id, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd))
        .where(
            LedgerEntry.programme_id == programme_id,
            LedgerEntry.category.in_([EntryKind.allocation, EntryKind.refund]),
        )
        .group_by(LedgerEntry.thematic_area_id, LedgerEntry.category)
    )
    for area_id, category, total in rows:
        drawn[area_id] += to_money(total or 0) * (1 if category is EntryKind.allocation else -1)
    entries = []
    remaining = amount
    links = {"programme_id": programme_id, "organisation_id": organisation_id, "description": description}
    for area_id in sorted(a for a in drawn if a is not None and drawn[a] > 0):
        part = min(drawn[area_id], remaining)
        if part > 0:
            entries.append(_post(actor, EntryKind.refund, part, on, thematic_area_id=area_id, **links))
            remaining -= part
    if remaining > 0:
        entries.append(_post(actor, EntryKind.refund, remaining, on, **links))
    return entries


def post_interest(
    actor: User | None, amount: Decimal | str, on: date, organisation_id: int | None = None, description: str = ""
) -> LedgerEntry:
    """Interest income: the fund's own (no organisation) or reported by a participating organization."""
    amount = _positive(amount)
    check_postable(on)
    return _post(
        actor,
        EntryKind.interest,
        amount,
        on,
        organisation_id=organisation_id,
        description=description,
    )


def _post_cost(actor: User | None, kind: EntryKind, amount: Decimal | str, on: date, description: str) -> LedgerEntry:
    amount = _positive(amount)
    check_postable(on)
    lock_keys(pool_key(None))
    available = available_in(None)
    if amount > available:
        raise InsufficientFunds(
            _(
                "The unearmarked pool holds only US$ %(available)s; a %(kind)s of US$ %(amount)s would make it "
                "negative.",
                available=usd(available),
                kind=str(kind.label).lower(),
                amount=usd(amount),
            ),
            field="amount",
        )
    return _post(actor, kind, amount, on, description=description)


def post_direct_cost(actor: User | None, amount: Decimal | str, on: date, description: str = "") -> LedgerEntry:
    """A direct cost of the fund (e.g. the secretariat's), charged to the unearmarked pool."""
    return _post_cost(actor, EntryKind.direct_cost, amount, on, description)


def post_bank_charge(actor: User | None, amount: Decimal | str, on: date, description: str = "") -> LedgerEntry:
    """A bank charge, charged to the unearmarked pool."""
    return _post_cost(actor, EntryKind.bank_charge, amount, on, description)


def post_by_hand(
    actor: User | None,
    kind: EntryKind | str,
    amount: Decimal | str,
    on: date,
    organisation_id: int | None = None,
    description: str = "",
) -> LedgerEntry:
    """The ledger page's form: interest income, a direct cost or a bank charge (HAND_POSTED kinds).

    Only interest names an organisation (the participating organization that reported it).
    """
    if kind not in HAND_POSTED:
        raise LedgerError(_("Only interest, direct costs and bank charges are posted by hand."), field="kind")
    kind = EntryKind(kind)
    if kind is EntryKind.interest:
        return post_interest(actor, amount, on, organisation_id, description)
    return _post_cost(actor, kind, amount, on, description)


def post_deposit(actor: User | None, deposit: Deposit) -> list[LedgerEntry]:
    """Post a recorded deposit (its USD value) and its administrative agent fee, in the agreement's pool."""
    check_postable(deposit.deposited_on, field="deposited_on", what=_("A deposit"))
    agreement = deposit.agreement
    links: dict[str, Link] = {
        "thematic_area_id": agreement.thematic_area_id,
        "donor_id": deposit.donor_id,
        "agreement_id": agreement.id,
        "deposit_id": deposit.id,
    }
    entries = [
        _post(
            actor,
            EntryKind.deposit,
            deposit.amount_usd,
            deposit.deposited_on,
            description=f"Deposit {agreement.reference}",
            **links,
        )
    ]
    if deposit.fee_usd > 0:
        entries.append(
            _post(
                actor,
                EntryKind.fee,
                deposit.fee_usd,
                deposit.deposited_on,
                description=f"Administrative agent fee {agreement.reference}",
                **links,
            )
        )
    return entries


def is_reversed(entry: LedgerEntry) -> bool:
    return db.session.scalar(sa.select(LedgerEntry.id).where(LedgerEntry.reversal_of_id == entry.id)) is not None


def reverse_entry(actor: User | None, entry: LedgerEntry, reason: str, on: date | None = None) -> list[LedgerEntry]:
    """Correct a posting by appending its negation; a deposit takes its fee with it.

    The reversal is dated `on` (by default the original's date while its month is open, else today), never
    before the original, and names it ("Reversal of #id: reason"). Refused for reversals themselves, for
    entries already reversed, for a fee on its own, in a closed month, and when the reversal would leave a
    pool or a programme balance negative.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Say why the entry is reversed."), field="reason")
    if entry.kind is EntryKind.reversal:
        raise LedgerError(_("A reversal cannot itself be reversed; record the posting again instead."))
    if entry.kind is EntryKind.fee and entry.deposit_id is not None:
        raise LedgerError(_("A deposit's fee is reversed together with the deposit."))
    if on is None:
        on = clock.today() if books().is_closed(entry.entry_on) else entry.entry_on
    check_postable(max(on, entry.entry_on), field="reason", what=_("A reversal"))
    _guard(entry.programme_id)
    # Lock the entry (reversed once), then what the reversal takes money from; re-read both.
    entry = lock_row(LedgerEntry, entry.id) or entry
    lock_keys(pool_key(entry.thematic_area_id), *([programme_key(entry.programme_id)] if entry.programme_id else []))
    if is_reversed(entry):
        raise LedgerError(_("Ledger entry %(id)s is already reversed.", id=entry.id))
    originals = [entry]
    if entry.kind is EntryKind.deposit and entry.deposit_id is not None:
        originals += list(
            db.session.scalars(
                sa.select(LedgerEntry).where(
                    LedgerEntry.deposit_id == entry.deposit_id, LedgerEntry.kind == EntryKind.fee
                )
            )
        )
    _check_reversal(entry, originals)
    return [
        _post(
            actor,
            EntryKind.reversal,
            -original.amount_usd,
            max(on, original.entry_on),
            category=original.category,
            reversal_of_id=original.id,
            thematic_area_id=original.thematic_area_id,
            donor_id=original.donor_id,
            agreement_id=original.agreement_id,
            deposit_id=original.deposit_id,
            organisation_id=original.organisation_id,
            programme_id=original.programme_id,
            description=f"Reversal of #{original.id}: {reason}"[:300],
        )
        for original in originals
    ]


def _check_reversal(entry: LedgerEntry, originals: list[LedgerEntry]) -> None:
    pool_delta = sum((-POOL_SIGN[o.category] * o.amount_usd for o in originals), ZERO)
    if pool_delta < 0:
        available = available_in(entry.thematic_area_id)
        if available + pool_delta < 0:
            raise InsufficientFunds(
                _(
                    "Reversing this would leave the %(pool)s pool negative (US$ %(available)s available, "
                    "US$ %(needed)s needed). Reverse the allocations that used it first.",
                    pool=pool_label(entry.thematic_area).lower(),
                    available=usd(available),
                    needed=usd(-pool_delta),
                )
            )
    if entry.programme_id is None:
        return
    if entry.category is EntryKind.allocation:
        totals = _programme_totals(entry.programme_id)
        if totals[EntryKind.allocation] - entry.amount_usd < totals[EntryKind.transfer]:
            raise InsufficientFunds(_("The programme has already received transfers against this allocation."))
    if entry.category is EntryKind.transfer:
        balance = _organisation_balance(_programme_totals(entry.programme_id, entry.organisation_id))
        if balance - entry.amount_usd < 0:
            raise InsufficientFunds(
                _("The organization has already spent or refunded this transfer; reverse those entries first.")
            )


# The ledger page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    """The ledger page's filters as its query string spells them; a value it does not know filters nothing.

    kind: an EntryKind value; pool: "unearmarked" or a thematic area's id.
    """

    kind: str = ""
    pool: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "LedgerFilter":
        return cls(kind=args.get("kind", ""), pool=args.get("pool", ""))

    def apply(self, query: sa.Select) -> sa.Select:
        if self.kind in EntryKind.__members__:
            query = query.where(LedgerEntry.kind == EntryKind(self.kind))
        if self.pool == "unearmarked":
            query = query.where(LedgerEntry.thematic_area_id.is_(None))
        elif as_id(self.pool) is not None:
            query = query.where(LedgerEntry.thematic_area_id == as_id(self.pool))
        return query


def _entries_query(filters: LedgerFilter) -> sa.Select:
    """Filtered entries, newest first, with what the page and the CSV show of each (one query)."""
    query = sa.select(LedgerEntry).options(
        joinedload(LedgerEntry.thematic_area), joinedload(LedgerEntry.donor), joinedload(LedgerEntry.organisation)
    )
    return filters.apply(query).order_by(LedgerEntry.entry_on.desc(), LedgerEntry.id.desc())


@dataclass
class LedgerPage:
    """One page of ledger entries, which of them are reversed, the pools, and the areas to filter by."""

    entries: Pagination
    reversed_ids: set[int]
    areas: list[ThematicArea]
    pools: list[Pool]


def ledger_page(filters: LedgerFilter, page: int | None = None, per_page: int = 50) -> LedgerPage:
    """The ledger page in a fixed number of queries, whatever the size of the ledger."""
    entries = db.paginate(_entries_query(filters), page=page, per_page=per_page, error_out=False)
    reversed_ids = set(
        db.session.scalars(
            sa.select(LedgerEntry.reversal_of_id).where(LedgerEntry.reversal_of_id.in_([e.id for e in entries.items]))
        )
    )
    areas = list(db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position)))
    return LedgerPage(entries, reversed_ids, areas, pool_balances(areas=areas))


def ledger_entries(filters: LedgerFilter) -> list[LedgerEntry]:
    """Every entry the filters select, newest first."""
    return list(db.session.scalars(_entries_query(filters)))


#: Entries read per batch of the ledger's CSV.
CSV_BATCH = 1000


def ledger_entry_batches(filters: LedgerFilter) -> Iterator[list[LedgerEntry]]:
    """Every entry the filters select, newest first, CSV_BATCH at a time (one cursor read in batches; pool,
    donor and organisation joined in): the ledger page's CSV, whose memory holds one batch whatever the size
    of the ledger."""
    yield from db.session.scalars(_entries_query(filters).execution_options(yield_per=CSV_BATCH)).partitions()


def ledger_csv_entries(filters: LedgerFilter) -> Iterator[LedgerEntry]:
    """The entries of ledger_entry_batches(), one after the other."""
    for batch in ledger_entry_batches(filters):
        yield from batch


__all__ = [
    "HAND_POSTED",
    "PERIODS_KEY",
    "Books",
    "FundingStatus",
    "InsufficientFunds",
    "LedgerError",
    "LedgerFilter",
    "LedgerPage",
    "PeriodClosed",
    "Pool",
    "Statement",
    "allocate",
    "available_in",
    "books",
    "category_totals",
    "check_postable",
    "day_label",
    "funding_status",
    "ledger_csv_entries",
    "ledger_entries",
    "ledger_entry_batches",
    "ledger_page",
    "month_end",
    "month_label",
    "next_month",
    "pool_balances",
    "pool_key",
    "post_bank_charge",
    "post_by_hand",
    "post_deposit",
    "post_direct_cost",
    "post_expenditure",
    "post_interest",
    "post_refund",
    "post_transfer",
    "programme_key",
    "reverse_entry",
    "shown",
    "statement",
    "usd",
]
