"""A scaled fund: the demo fund copied N-1 more times, for the benchmark and the tests that must fail on growth.

`scale_demo(factor)` runs after `seed_demo()` (through the services, so the demo obeys every rule) and copies
every record of the fund (donors and their organisations, agreements, deposits, ledger rows, calls, concept
notes and everything hanging from them, committee meetings, reviews, scores and votes, joint programmes with
their budgets, tranches and reports, notifications, state events) N-1 times in bulk, row for row with
new ids. Copy k of a row with id i gets id i + k × (largest id of its table); foreign keys into copied tables
follow the same rule, so each copy is a self-contained fund within the fund and every total (deposits,
balances, notes, programmes, scores) is exactly N times the demo. What a fund has once is shared by all the
copies: reference data, the results framework, the committee seats, the users, the exchange rates and the
accounting periods.

The audit log grows with the data: each copied record gets a copy of its audit rows (object ids and the ids
its details name remapped), appended to the keyed chain with real hashes, then a signed checkpoint; the ledger
and deposit rows therefore reconcile with their audit rows, and `flask audit verify` passes afterwards.
Bulk inserts (not the services) because a 100× fund has about a million rows: going through the services
would take hours, and the services already proved each row once when the demo was seeded.
"""

__all__ = ["SHARED_TABLES", "scale_demo"]

import json
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from fundapp.core import audit
from fundapp.core.extensions import db

#: Tables a fund has once: reference data, the fund's framework and settings, people and seats, rates, periods.
SHARED_TABLES = frozenset(
    {
        "alembic_version",
        "fund_settings",
        "regions",
        "countries",
        "currencies",
        "gcm_objectives",
        "thematic_areas",
        "thematic_area_objectives",
        "guiding_principles",
        "markers",
        "marker_levels",
        "fund_outcomes",
        "fund_indicators",
        "alignment_indicators",
        "exchange_rates",
        "accounting_periods",
        "committee_settings",
        "committee_seats",
        "users",
        "user_roles",
    }
)
#: Tables of sessions, credentials, throttling and mail in flight (not part of a fund's records), the frozen
#: year-end statements (one per year), each user's funding scenario runs, and the audit tables (extended
#: through the chain, below).
NOT_COPIED = frozenset(
    {
        "login_attempts",
        "user_sessions",
        "recovery_codes",
        "invitations",
        "password_resets",
        "rate_limit_counters",
        "api_tokens",
        "mail_outbox",
        "submission_keys",
        "frozen_statements",
        "committee_scenario_runs",
        "committee_scenario_lines",
        "audit_log",
        "audit_checkpoints",
    }
)
#: Which table a state machine's events and an audit row's object type name, when it is not the table's name.
OBJECT_TABLES = {
    "concept_note": "concept_notes",
    "committee_meeting": "committee_meetings",
    "committee_agenda_item": "committee_agenda_items",
    "progress_reports": "programme_progress_reports",
    "accounting_period": "accounting_periods",
}
#: Columns holding another table's id without a foreign key (the ledger sits below the programmes).
LOOSE_REFERENCES = {("ledger_entries", "programme_id"): "joint_programmes"}
#: Ids named in audit details, by key: remapped with the record so that reconciliation still matches.
DETAIL_IDS = {
    "programme_id": "joint_programmes",
    "concept_note_id": "concept_notes",
    "review_id": "committee_reviews",
    "reversal_of": "ledger_entries",
    "organisation_id": "organisations",
    "donor_id": "donors",
    "agreement_id": "agreements",
    "deposit_id": "deposits",
    "meeting_id": "committee_meetings",
    "item_id": "committee_agenda_items",
}
#: Rows per INSERT round trip.
CHUNK = 5000


class _Plan:
    """For each copied table: its id stride (the largest id) and, when only some rows are copied, which."""

    def __init__(self, tables: dict[str, sa.Table]) -> None:
        self.tables = tables
        self.stride: dict[str, int] = {}
        self.only: dict[str, set[int]] = {}

    def copied(self, table: str, id_: Any) -> bool:
        if table not in self.stride or id_ is None:
            return False
        only = self.only.get(table)
        return only is None or int(id_) in only

    def remap(self, table: str, id_: Any, k: int) -> Any:
        return int(id_) + k * self.stride[table] if self.copied(table, id_) else id_


def scale_demo(factor: int) -> dict[str, int]:
    """Copy the fund so that it holds `factor` times the demo; answers the rows added per table.

    The database must hold the demo fund once (seed_demo) and nothing else of the fund's records.
    """
    if factor < 1:
        raise ValueError("The factor is a whole number of 1 or more.")
    tables = {t.name: t for t in db.metadata.sorted_tables}
    plan = _Plan(tables)
    copied = [t for t in db.metadata.sorted_tables if t.name not in SHARED_TABLES | NOT_COPIED]
    for table in copied:
        if "id" in table.c and table.c.id.primary_key:
            plan.stride[table.name] = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    # Organisations: only the donors' own (the UN entities, governments and networks are the fund's partners).
    donors = tables["donors"]
    plan.only["organisations"] = set(db.session.scalars(sa.select(donors.c.organisation_id)))
    # Scoring criteria: only a call's own (the fund's defaults have no call).
    criteria = tables["scoring_criteria"]
    plan.only["scoring_criteria"] = set(
        db.session.scalars(sa.select(criteria.c.id).where(criteria.c.call_id.is_not(None)))
    )
    added: dict[str, int] = {}
    if factor == 1:
        return added
    for table in copied:
        added[table.name] = _copy_table(plan, table, factor)
    added["audit_log"] = _extend_audit_chain(plan, factor)
    _reset_sequences(plan)
    audit.record_change(None, "demo.scaled", "reference", None, {"factor": factor})
    audit.write_checkpoint(f"demo scaled to {factor}x")
    return {name: count for name, count in added.items() if count}


def _copy_table(plan: _Plan, table: sa.Table, factor: int) -> int:
    remappers = _column_remappers(plan, table)
    query = sa.select(table)
    if table.name in plan.only:
        query = query.where(table.c.id.in_(sorted(plan.only[table.name]) or [0]))
    if "id" in table.c:
        query = query.order_by(table.c.id)
    rows = [dict(row._mapping) for row in db.session.execute(query)]
    if table.name == "state_events":
        rows = [r for r in rows if OBJECT_TABLES.get(r["machine"], r["machine"]) in plan.stride]

    def copies() -> Iterator[dict[str, Any]]:
        for k in range(1, factor):
            for row in rows:
                new = dict(row)
                for column, remap in remappers:
                    new[column] = remap(row, k)
                yield new

    return _insert(table, copies())


def _column_remappers(plan: _Plan, table: sa.Table) -> list[tuple[str, Any]]:
    """(column, function(row, k) -> value) for every column a copy changes."""
    remappers: list[tuple[str, Any]] = []
    moved: set[str] = set()
    for column in table.c:
        target = None
        if column.primary_key and column.name == "id":
            target = table.name
        else:
            for fk in column.foreign_keys:
                target = fk.column.table.name
            target = LOOSE_REFERENCES.get((table.name, column.name), target)
        if target in plan.stride:
            moved.add(column.name)
            remappers.append((column.name, lambda row, k, c=column.name, t=target: plan.remap(t, row[c], k)))
    if table.name == "state_events":

        def _event_object(row: dict[str, Any], k: int) -> Any:
            return plan.remap(OBJECT_TABLES.get(row["machine"], row["machine"]), row["object_id"], k)

        remappers.append(("object_id", _event_object))
    for columns in _unique_column_sets(table):
        if columns & moved:
            continue  # a copied row already differs by a remapped id
        strings = [c for c in columns if isinstance(table.c[c].type, sa.String)]
        if not strings:
            raise RuntimeError(f"Cannot copy {table.name}: a unique constraint on {sorted(columns)} has no text")
        for name in strings:
            remappers.append((name, lambda row, k, c=name: _suffixed(row[c], k)))
    if table.name == "organisations":
        remappers.append(("name", lambda row, k: f"{row['name']} ({k + 1})"[:200]))
    return remappers


def _unique_column_sets(table: sa.Table) -> Iterable[set[str]]:
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            yield {c.name for c in constraint.columns}
    for index in table.indexes:
        if index.unique:
            yield {c.name for c in index.columns}


def _suffixed(value: Any, k: int) -> Any:
    return None if value is None else f"{value}-S{k + 1}"


def _insert(table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            db.session.execute(table.insert(), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        db.session.execute(table.insert(), chunk)
        count += len(chunk)
    return count


def _extend_audit_chain(plan: _Plan, factor: int) -> int:
    """Append a copy of every audit row about a copied record, remapped, each hashed onto the chain."""
    table = plan.tables["audit_log"]
    key = audit.audit_key()
    originals = []
    for row in db.session.execute(sa.select(table).order_by(table.c.id)):
        target = OBJECT_TABLES.get(row.object_type, row.object_type)
        if row.object_id is not None and str(row.object_id).isdigit() and plan.copied(target, row.object_id):
            originals.append((target, dict(row._mapping), json.loads(row.details)))
    head_id, head_hash, _keyed = audit._head()
    next_id = (head_id or 0) + 1

    def copies() -> Iterator[dict[str, Any]]:
        nonlocal next_id, head_hash
        for k in range(1, factor):
            for target, row, original in originals:
                details = dict(original)
                for name, value in original.items():
                    if name in DETAIL_IDS and isinstance(value, int | str) and str(value).isdigit():
                        details_table = DETAIL_IDS[name]
                        if plan.copied(details_table, value):
                            details[name] = type(value)(plan.remap(details_table, value, k))
                new = dict(row)
                new.update(
                    id=next_id,
                    object_id=str(plan.remap(target, row["object_id"], k)),
                    details=audit._canonical(details),
                    prev_hash=head_hash,
                    is_keyed=True,
                )
                new["hash"] = audit.compute_hash(_Row(new), key)
                head_hash = new["hash"]
                next_id += 1
                yield new

    return _insert(table, copies())


class _Row:
    """Attribute access over a dict, for audit.compute_hash."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _reset_sequences(plan: _Plan) -> None:
    """PostgreSQL: the id sequences continue after the explicit ids the copies took."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in [*plan.stride, "audit_log"]:
        table = plan.tables[name]
        highest = sa.select(sa.func.max(table.c.id)).scalar_subquery()
        db.session.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(name, "id"), highest)))
