"""The ledger and the deposits held to their audit rows: contributions' answer to `flask audit verify`.

Every posting writes its audit row in the same transaction (ledger._post, services.record_deposit), with the
amount, the kind and the date. The audit chain is keyed, so those rows cannot be rewritten unseen; comparing
each ledger row and deposit with its audit row therefore catches a table edited behind the application's
back (an UPDATE run by someone who bypassed the triggers, a deleted row, a row inserted by hand). Rows posted
before the date was recorded in the audit row (issue 11) are compared on what their row holds.
"""

import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fundapp.contributions.models import Deposit, LedgerEntry
from fundapp.core.extensions import db
from fundapp.core.i18n import _, _l
from fundapp.core.models import AuditEntry
from fundapp.core.money import format_money

#: Rows compared per round trip.
BATCH = 1000


def reconcile_with_audit(_sender: Any = None, **_data: Any) -> str | None:
    """Receiver of core.signals.audit_reconcile: the first ledger row, then the first deposit, that differs
    from its audit record (a sentence naming it), or None when both tables match their audit rows."""
    return _first(LedgerEntry, "ledger_entries", ("ledger.",), _ledger_problem, _ledger_gone) or _first(
        Deposit, "deposits", ("deposit.recorded",), _deposit_problem, _deposit_gone
    )


def _ledger_gone(row_id: int) -> str:
    return _("ledger row %(id)s has an audit record but is no longer in the ledger (deleted from the table)", id=row_id)


def _deposit_gone(row_id: int) -> str:
    return _("deposit %(id)s has an audit record but is no longer among deposits (deleted from the table)", id=row_id)


def _first(
    model: Any,
    object_type: str,
    actions: tuple[str, ...],
    compare: Callable[[Any, Any], str | None],
    gone: Callable[[int], str],
) -> str | None:
    """Walk `model` in id order against its audit rows; also find audit rows whose record has disappeared.
    The problem with the lowest id is the one named."""
    mismatch_id, mismatch = None, None
    for rows in _batches(model):
        audits = _audit_rows(object_type, actions, [str(r.id) for r in rows])
        for row in rows:
            problem = compare(row, audits.get(str(row.id)))
            if problem:
                mismatch_id, mismatch = row.id, problem
                break
        if mismatch:
            break
    orphan = _orphan_id(model, object_type, actions)
    if orphan is not None and (mismatch_id is None or orphan < mismatch_id):
        return gone(orphan)
    return mismatch


def _batches(model: Any) -> Iterable[list[Any]]:
    """The table's rows in id order, as plain rows: what the table holds now, whatever the session loaded."""
    table = model.__table__
    last = 0
    while True:
        query = sa.select(*(getattr(model, c.key) for c in table.c)).where(model.id > last).order_by(model.id)
        rows = db.session.execute(query.limit(BATCH)).all()
        if not rows:
            return
        yield list(rows)
        last = rows[-1].id


def _audit_rows(object_type: str, actions: tuple[str, ...], ids: list[str]) -> dict[str, Any]:
    """object id -> its first audit row (id, action, details) among `actions` (prefixes), in one query."""
    rows = db.session.execute(
        sa.select(AuditEntry.id, AuditEntry.object_id, AuditEntry.action, AuditEntry.details)
        .where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id.in_(ids),
            sa.or_(*(AuditEntry.action.startswith(a) for a in actions)),
        )
        .order_by(AuditEntry.id)
    )
    found: dict[str, Any] = {}
    for row in rows:
        found.setdefault(row.object_id, row)
    return found


def _orphan_id(model: Any, object_type: str, actions: tuple[str, ...]) -> int | None:
    """The lowest id an audit row names that the table no longer holds (one query)."""
    ids = db.session.scalars(
        sa.select(AuditEntry.object_id).where(
            AuditEntry.object_type == object_type,
            AuditEntry.object_id.is_not(None),
            sa.or_(*(AuditEntry.action.startswith(a) for a in actions)),
            AuditEntry.object_id.not_in(sa.select(sa.cast(model.id, sa.String))),
        )
    )
    numbers = [int(i) for i in ids if str(i).isdigit()]
    return min(numbers) if numbers else None


def _differs(recorded: Any, actual: Any, number: bool = False) -> bool:
    if number:
        try:
            return recorded is None or Decimal(str(recorded)) != Decimal(actual)
        except ArithmeticError:
            return True
    return recorded != actual


def _ledger_problem(entry: LedgerEntry, audit: Any) -> str | None:
    label = _(
        "ledger row %(id)s (%(kind)s of %(date)s)",
        id=entry.id,
        kind=entry.kind.label.lower(),
        date=entry.entry_on.isoformat(),
    )
    if audit is None:
        return _("%(record)s has no audit record (inserted behind the application's back)", record=label)
    details = json.loads(audit.details)
    checks: list[tuple[str, Any, Any, bool]] = [
        ("kind", audit.action.removeprefix("ledger."), entry.kind.value, False),
        ("amount", details.get("amount_usd"), entry.amount_usd, True),
        ("category", details.get("category"), entry.category.value, False),
        ("pool", details.get("pool"), entry.thematic_area_id, False),
        ("programme", details.get("programme_id"), entry.programme_id, False),
        ("reversed row", details.get("reversal_of"), entry.reversal_of_id, False),
    ]
    if "entry_on" in details:
        checks.insert(2, ("date", details["entry_on"], entry.entry_on.isoformat(), False))
    return _mismatch(label, audit.id, checks)


def _deposit_problem(deposit: Deposit, audit: Any) -> str | None:
    label = _(
        "deposit %(id)s (%(amount)s of %(date)s)",
        id=deposit.id,
        amount=format_money(deposit.amount, deposit.currency),
        date=deposit.deposited_on.isoformat(),
    )
    if audit is None:
        return _("%(record)s has no audit record (inserted behind the application's back)", record=label)
    details = json.loads(audit.details)
    checks: list[tuple[str, Any, Any, bool]] = [
        ("amount", details.get("amount"), deposit.amount, True),
        ("currency", details.get("currency"), deposit.currency, False),
        ("rate", details.get("rate"), deposit.rate, True),
        ("amount in USD", details.get("amount_usd"), deposit.amount_usd, True),
        ("fee", details.get("fee_usd"), deposit.fee_usd, True),
    ]
    if "deposited_on" in details:
        checks.insert(1, ("date", details["deposited_on"], deposit.deposited_on.isoformat(), False))
    return _mismatch(label, audit.id, checks)


#: The compared fields as the messages name them.
FIELDS = {
    "kind": _l("kind"),
    "amount": _l("amount"),
    "date": _l("date"),
    "category": _l("category"),
    "pool": _l("pool"),
    "programme": _l("programme"),
    "reversed row": _l("reversed row"),
    "currency": _l("currency"),
    "rate": _l("rate"),
    "amount in USD": _l("amount in USD"),
    "fee": _l("fee"),
}


def _mismatch(label: str, audit_id: int, checks: list[tuple[str, Any, Any, bool]]) -> str | None:
    for name, recorded, actual, number in checks:
        if _differs(recorded, actual, number):
            return _(
                "%(record)s: %(field)s %(actual)s in the table, %(recorded)s in its audit record #%(audit)s",
                record=label,
                field=FIELDS[name],
                actual=actual,
                recorded=recorded,
                audit=audit_id,
            )
    return None
