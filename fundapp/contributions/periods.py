"""Accounting periods: the months of the books, closed in order by the secretariat once reconciled.

- A month is open until it is closed. Months close in order, from the month the fund was established, and
  only once they have ended; closing stores the month's figures (`month_figures`) and sends
  `core.signals.period_closed` (the annual statement freezes when December closes).
- The ledger refuses any posting dated in a closed month (`ledger.check_postable`), and a rate of a closed
  month cannot change (`services.check_rate_month`); a correction goes into an open month as a reversal.
- An administrator may reopen the most recent closed month, with a reason (audited; the secretariat is told).
- Closing or reopening holds the periods' key exclusively (core.locks): it waits for postings in flight, and
  postings wait for it, so nothing slips into a month while it closes.

Query services for the pages: `periods_page()` (every month, each closed one checked against its stored
figures in one grouped query) and `month_page()` (the month's figures and what changed since the last close).
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from fundapp.auth import services as auth_services
from fundapp.auth.models import User
from fundapp.contributions import ledger
from fundapp.contributions.ledger import ZERO, day_label, month_end, month_label, next_month
from fundapp.contributions.models import AccountingPeriod, Deposit, EntryKind, ExchangeRate, LedgerEntry
from fundapp.contributions.workflow import PERIOD
from fundapp.core import clock, signals
from fundapp.core.errors import DomainError
from fundapp.core.extensions import db
from fundapp.core.locks import lock_keys
from fundapp.core.models import StateEvent
from fundapp.core.money import to_money
from fundapp.core.permissions import Role
from fundapp.notifications.services import notify

#: Months a page of the periods list shows (two years).
MONTHS_PER_PAGE = 24
#: Rows of each "changed since the last close" table; the count says how many more there are.
CHANGES_SHOWN = 100
#: The categories a month's figures list, in the statement's order.
CATEGORIES = [k for k in EntryKind if k is not EntryKind.reversal]


def parse_month(text: str) -> date | None:
    """'2021-07' as its first day, or None."""
    try:
        return date.fromisoformat(f"{text}-01") if len(text or "") == 7 else None
    except ValueError:
        return None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# Figures ------------------------------------------------------------------------------------------


@dataclass
class MonthFigures:
    """A month's movements by category (reversals netted) and the statement and pools at its end."""

    month: date
    entries: int
    movements: dict[EntryKind, Decimal]
    statement: ledger.Statement

    def as_json(self) -> dict[str, Any]:
        """What is stored when the month closes, and compared with what the ledger says later."""
        status = self.statement.status
        return {
            "month": self.month.isoformat(),
            "entries": self.entries,
            "movements": {k.value: _money(self.movements[k]) for k in CATEGORIES},
            "balance_with_agent": _money(status.balance_with_agent),
            "balance_with_organisations": _money(status.balance_with_organisations),
            "pools": {p.label: _money(p.available) for p in self.statement.pools},
        }


def month_figures(month: date) -> MonthFigures:
    """The month's figures, in five aggregate queries whatever the size of the ledger."""
    rows = db.session.execute(
        sa.select(LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd), sa.func.count(LedgerEntry.id))
        .where(LedgerEntry.entry_on.between(month, month_end(month)))
        .group_by(LedgerEntry.category)
    )
    movements = dict.fromkeys(CATEGORIES, ZERO)
    entries = 0
    for category, total, count in rows:
        movements[category] = to_money(total or 0)
        entries += count
    return MonthFigures(month, entries, movements, ledger.statement(month_end(month)))


def _movements_by_month() -> dict[date, dict[str, Any]]:
    """Every month's movements and number of entries, in one grouped query (the periods list)."""
    year = sa.extract("year", LedgerEntry.entry_on)
    month = sa.extract("month", LedgerEntry.entry_on)
    rows = db.session.execute(
        sa.select(year, month, LedgerEntry.category, sa.func.sum(LedgerEntry.amount_usd), sa.func.count()).group_by(
            year, month, LedgerEntry.category
        )
    )
    result: dict[date, dict[str, Any]] = {}
    for y, m, category, total, count in rows:
        figures = result.setdefault(date(int(y), int(m), 1), {"entries": 0, "movements": {}})
        figures["entries"] += count
        figures["movements"][category.value] = _money(to_money(total or 0))
    return result


def _same_movements(stored: dict[str, Any], current: dict[str, Any] | None) -> bool:
    """A closed month's stored movements equal what the ledger says now (absent categories are zero)."""
    now = (current or {}).get("movements", {})
    before = stored.get("movements", {})
    return all(Decimal(before.get(k.value, "0")) == Decimal(now.get(k.value, "0")) for k in CATEGORIES) and int(
        stored.get("entries", 0)
    ) == int((current or {}).get("entries", 0))


def unchanged_since_close(period: AccountingPeriod) -> bool:
    """The closed month's movements, entries and closing balances are still those stored when it closed."""
    stored = json.loads(period.figures or "{}")
    now = month_figures(period.month).as_json()
    return all(stored.get(k) == now[k] for k in ("entries", "movements", "balance_with_agent", "pools"))


# Closing and reopening ----------------------------------------------------------------------------


def _period(month: date) -> AccountingPeriod | None:
    return db.session.scalar(sa.select(AccountingPeriod).where(AccountingPeriod.month == month))


def next_to_close(state: ledger.Books) -> date | None:
    """The month that closes next (months close in order): after the last closed one, or the books' first."""
    return state.first_open.replace(day=1) if state.first_open else None


def months_to_close(today: date) -> tuple[list[date], int]:
    """The months that have ended and are still open, oldest first (they close in that order), and how many
    (one query). The secretariat's inbox lists them."""
    state = ledger.books()
    first = next_to_close(state)
    months: list[date] = []
    month = first
    while month is not None and month_end(month) < today:
        months.append(month)
        month = next_month(month)
    return months, len(months)


def close_blockers(month: date, state: ledger.Books, today: date) -> list[str]:
    """Why the month cannot be closed now (empty when it can)."""
    if state.is_closed(month):
        return [f"{month_label(month)} is already closed."]
    if state.start is not None and month < state.start:
        return [f"The fund's books start in {month_label(state.start)}."]
    blockers = []
    if month_end(month) >= today:
        blockers.append(f"{month_label(month)} has not ended: it can be closed from {day_label(next_month(month))}.")
    expected = next_to_close(state)
    if expected is not None and month != expected:
        blockers.append(f"Months close in order: close {month_label(expected)} first.")
    return blockers


def close_period(actor: User | None, month: date, today: date | None = None) -> AccountingPeriod:
    """Close a reconciled month: its figures are stored and no posting may be dated in it any more."""
    month = month.replace(day=1)
    lock_keys(ledger.PERIODS_KEY)  # exclusive: postings in flight finish first, new ones wait
    blockers = close_blockers(month, ledger.books(), today or clock.today())
    if blockers:
        raise DomainError(" ".join(blockers))
    period = _period(month)
    if period is None:
        period = AccountingPeriod(month=month)
        db.session.add(period)
        PERIOD.fire(period, "open", actor)
    figures = month_figures(month)
    period.figures = json.dumps(figures.as_json(), sort_keys=True, separators=(",", ":"))
    period.closed_at = clock.now()
    period.closed_by_id = getattr(actor, "id", None)
    PERIOD.fire(period, "close", actor, f"{figures.entries} ledger entries; figures stored")
    signals.period_closed.send(period, actor=actor)
    return period


def close_through(actor: User | None, last: date, today: date | None = None) -> int:
    """Close every month up to `last`, in order (the demo; a fund taking over its books). Returns how many."""
    count = 0
    while (month := next_to_close(ledger.books())) is not None and month <= last.replace(day=1):
        close_period(actor, month, today)
        count += 1
    return count


def reopen_period(actor: User | None, month: date, reason: str) -> AccountingPeriod:
    """Reopen the most recent closed month (an administrator, with a reason); the secretariat is told."""
    month = month.replace(day=1)
    lock_keys(ledger.PERIODS_KEY)
    period = _period(month)
    if period is None or not period.is_closed:
        raise DomainError(f"{month_label(month)} is not closed.")
    latest = ledger.books().closed_through
    if month != latest:
        raise DomainError(
            f"Only the most recent closed month, {month_label(latest)}, can be reopened: reopen it first.",
            field="reason",
        )
    PERIOD.fire(period, "reopen", actor, (reason or "").strip())
    notify(
        auth_services.users(auth_services.UserFilters(role=Role.secretariat.value, status="active")),
        f"{month_label(month)} was reopened",
        f"{getattr(actor, 'name', 'An administrator')} reopened {month_label(month)}: {reason.strip()}. "
        "Postings dated in it are accepted again until it is closed anew.",
        f"/contributions/periods/{month:%Y-%m}",
    )
    return period


# Pages --------------------------------------------------------------------------------------------


@dataclass
class MonthRow:
    """One month of the periods list."""

    month: date
    period: AccountingPeriod | None
    entries: int
    movements: dict[str, str]
    #: Closed months: do the stored figures still match the ledger? (None for open months.)
    unchanged: bool | None
    can_close: bool

    @property
    def is_closed(self) -> bool:
        return self.period is not None and self.period.is_closed

    def movement(self, kind: EntryKind) -> Decimal:
        return Decimal(self.movements.get(kind.value, "0"))


@dataclass
class PeriodsPage:
    rows: list[MonthRow]
    page: int
    pages: int
    books: ledger.Books
    next_month: date | None
    next_blockers: list[str] = field(default_factory=list)


def _months(state: ledger.Books, today: date) -> list[date]:
    """Every month from the books' start (or the first entry) to this one, newest first."""
    first = state.start or db.session.scalar(sa.select(sa.func.min(LedgerEntry.entry_on))) or today
    months, month = [], first.replace(day=1)
    while month <= today:
        months.append(month)
        month = next_month(month)
    return months[::-1]


def periods_page(page: int | None = None, today: date | None = None) -> PeriodsPage:
    """The list of months, newest first, paginated (by default at the page of the next month to close); four
    queries whatever the size of the ledger."""
    today = today or clock.today()
    state = ledger.books()
    months = _months(state, today)
    pages = max(1, -(-len(months) // MONTHS_PER_PAGE))
    upcoming = next_to_close(state)
    if page is None:
        page = months.index(upcoming) // MONTHS_PER_PAGE + 1 if upcoming in months else 1
    page = min(max(page, 1), pages)
    shown = months[(page - 1) * MONTHS_PER_PAGE : page * MONTHS_PER_PAGE]
    periods = {
        p.month: p
        for p in db.session.scalars(
            sa.select(AccountingPeriod)
            .options(joinedload(AccountingPeriod.closed_by))
            .where(AccountingPeriod.month.in_(shown))
        )
    }
    movements = _movements_by_month()
    rows = []
    for month in shown:
        current = movements.get(month, {"entries": 0, "movements": {}})
        period = periods.get(month)
        closed = period is not None and period.is_closed
        rows.append(
            MonthRow(
                month=month,
                period=period,
                entries=current["entries"],
                movements=current["movements"],
                unchanged=_same_movements(json.loads(period.figures or "{}"), current) if closed else None,
                can_close=month == upcoming and month_end(month) < today,
            )
        )
    blockers = close_blockers(upcoming, state, today) if upcoming else []
    return PeriodsPage(rows, page, pages, state, upcoming, blockers)


@dataclass
class Changes:
    """What the month's close has to review: what was recorded for it since it was last closed (everything dated
    in it, the first time), and its exchange rates entered or changed since then."""

    #: When the month was last closed (None: never closed, everything in it is new).
    since: datetime | None
    postings: list[LedgerEntry]
    postings_total: int
    deposits: list[Deposit]
    deposits_total: int
    rates: list[ExchangeRate]


def _changes(month: date, period: AccountingPeriod | None) -> Changes:
    since = period.closed_at if period is not None else None
    in_month = LedgerEntry.entry_on.between(month, month_end(month))
    recorded = [in_month, LedgerEntry.kind.not_in([EntryKind.deposit, EntryKind.fee])]
    deposits = [Deposit.deposited_on.between(month, month_end(month))]
    rates = [ExchangeRate.month == month]
    if since is not None:
        recorded.append(LedgerEntry.created_at > since)
        deposits.append(Deposit.created_at > since)
        rates.append(ExchangeRate.updated_at > since)
    return Changes(
        since=since,
        postings=list(
            db.session.scalars(
                sa.select(LedgerEntry)
                .options(joinedload(LedgerEntry.thematic_area), joinedload(LedgerEntry.organisation))
                .where(*recorded)
                .order_by(LedgerEntry.entry_on, LedgerEntry.id)
                .limit(CHANGES_SHOWN)
            )
        ),
        postings_total=db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)).where(*recorded)) or 0,
        deposits=list(
            db.session.scalars(
                sa.select(Deposit)
                .options(joinedload(Deposit.agreement))
                .where(*deposits)
                .order_by(Deposit.deposited_on, Deposit.id)
                .limit(CHANGES_SHOWN)
            )
        ),
        deposits_total=db.session.scalar(sa.select(sa.func.count(Deposit.id)).where(*deposits)) or 0,
        rates=list(
            db.session.scalars(
                sa.select(ExchangeRate)
                .where(*rates)
                .order_by(ExchangeRate.month.desc(), ExchangeRate.currency)
                .limit(CHANGES_SHOWN)
            )
        ),
    )


@dataclass
class MonthPage:
    month: date
    period: AccountingPeriod | None
    figures: MonthFigures
    #: The figures stored when the month was last closed (also once reopened); None if it never was.
    stored: dict[str, Any] | None
    #: Closed months: does the ledger still give the stored figures? (None for open months.)
    unchanged: bool | None
    changes: Changes
    close_blockers: list[str]
    can_reopen: bool
    #: The period's events (opened, closed, reopened with the reason) with who did each.
    timeline: list[tuple[StateEvent, User | None]]

    @property
    def is_closed(self) -> bool:
        return self.period is not None and self.period.is_closed

    def stored_movement(self, kind: EntryKind) -> Decimal | None:
        """The category's movement as stored when the month was last closed (None if it never was)."""
        if self.stored is None:
            return None
        return Decimal(self.stored.get("movements", {}).get(kind.value, "0"))


def month_page(month: date, today: date | None = None) -> MonthPage:
    """A month's page: its figures, what changed since the last close, and whether it can close or reopen."""
    state = ledger.books()
    period = _period(month)
    figures = month_figures(month)
    closed = period is not None and period.is_closed
    # A reopened month keeps the figures of its last close: the page shows them beside today's.
    stored = json.loads(period.figures) if period is not None and period.closed_at else None
    return MonthPage(
        month=month,
        period=period,
        figures=figures,
        stored=stored,
        unchanged=stored == figures.as_json() if closed else None,
        changes=_changes(month, period),
        close_blockers=close_blockers(month, state, today or clock.today()),
        can_reopen=closed and state.closed_through == month,
        timeline=_timeline(period) if period else [],
    )


def _timeline(period: AccountingPeriod) -> list[tuple[StateEvent, User | None]]:
    rows = db.session.execute(
        sa.select(StateEvent, User)
        .outerjoin(User, User.id == StateEvent.actor_id)
        .where(StateEvent.machine == PERIOD.name, StateEvent.object_id == period.id)
        .order_by(StateEvent.id)
    )
    return [(event, actor) for event, actor in rows]


__all__ = [
    "MonthFigures",
    "close_period",
    "close_through",
    "month_figures",
    "month_page",
    "periods_page",
    "reopen_period",
    "unchanged_since_close",
]
