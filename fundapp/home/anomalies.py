"""Audit anomalies: recent events of the audit log an administrator should look at twice.

Each kind is an audit action, optionally narrowed to rows whose JSON details contain a fragment (the details are
canonical JSON, so `"override":true` matches exactly). One grouped query over the window, whatever its size;
each kind links to the audit log filtered the same way.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from fundapp.core import clock, search
from fundapp.core.extensions import db
from fundapp.core.i18n import _l
from fundapp.core.models import AuditEntry

#: The window the administrator's inbox looks back over.
WINDOW_DAYS = 30


@dataclass(frozen=True)
class Kind:
    action: str
    #: A fragment of the canonical JSON details the row must contain ("" for any).
    contains: str
    label: str
    explanation: str


KINDS = (
    Kind(
        "auth.login_throttled",
        "",
        _l("sign-ins throttled"),
        _l("An account was locked for a while after repeated wrong passwords: someone may be guessing."),
    ),
    Kind(
        "auth.login_failed",
        "",
        _l("failed sign-ins"),
        _l("Wrong passwords or unknown addresses; many of them may mean password guessing."),
    ),
    Kind(
        "auth.code_failed",
        "",
        _l("wrong sign-in codes"),
        _l("The password was right but the two-factor code was not: a stolen password, or a lost phone."),
    ),
    Kind(
        "auth.login_refused_inactive",
        "",
        _l("sign-ins on deactivated accounts"),
        _l("Someone tried to sign in with an account that was deactivated."),
    ),
    Kind(
        "programmes.tranche_released",
        '"override":true',
        _l("blocked tranches released by the chair"),
        _l("Money transferred although the tranche's conditions were not met (the justification is in the details)."),
    ),
    Kind(
        "deposit.recorded",
        '"overpayment":true',
        _l("deposits past the commitment"),
        _l("Deposits accepted above what the agreement commits, with the secretariat's confirmation."),
    ),
    Kind(
        "ledger.reversal",
        "",
        _l("ledger reversals"),
        _l("Money events corrected by a reversing entry."),
    ),
)


@dataclass(frozen=True)
class Anomaly:
    action: str
    contains: str
    label: str
    explanation: str
    count: int
    last_at: datetime
    since: date


def _matches(kind: Kind) -> sa.ColumnElement[bool]:
    clause = AuditEntry.action == kind.action
    if kind.contains:
        clause = sa.and_(clause, AuditEntry.details.like(search.like_pattern(kind.contains), escape="\\"))
    return clause


def recent(on: date) -> list[Anomaly]:
    """The kinds seen in the last WINDOW_DAYS days up to `on`, the most frequent first (one query)."""
    since = on - timedelta(days=WINDOW_DAYS)
    which = sa.case(*((_matches(kind), index) for index, kind in enumerate(KINDS)), else_=None)
    # Grouped outside a subquery: PostgreSQL would not match the CASE's parameters in GROUP BY.
    rows_in_window = (
        sa.select(which.label("kind"), AuditEntry.created_at)
        .where(
            AuditEntry.created_at >= clock.start_of(since),
            AuditEntry.created_at < clock.start_of(on + timedelta(days=1)),
            AuditEntry.action.in_(sorted({kind.action for kind in KINDS})),
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(rows_in_window.c.kind, sa.func.count(), sa.func.max(rows_in_window.c.created_at)).group_by(
            rows_in_window.c.kind
        )
    ).all()
    found = [
        Anomaly(
            KINDS[index].action, KINDS[index].contains, KINDS[index].label, KINDS[index].explanation, count, last, since
        )
        for index, count, last in rows
        if index is not None
    ]
    return sorted(found, key=lambda a: (-a.count, a.label))
