"""What an attacker with database rights does, for the tamper-evidence tests (issue 11, item 7).

The triggers refuse UPDATE and DELETE on the append-only tables; someone holding the schema's owner (or a
superuser) can still drop them. `without_triggers()` does exactly that inside the test's transaction, so the
test can show that `flask audit verify` names what was done; the rollback at the end restores the triggers.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from fundapp.core.extensions import db

#: The triggers the migration installs, per table (names on SQLite; PostgreSQL's are listed in TRIGGERS_PG).
APPEND_ONLY = ("ledger_entries", "deposits", "audit_log", "audit_checkpoints", "state_events", "frozen_statements")
SCOPED = ("committee_votes", "committee_agenda_items")


def dialect() -> str:
    return db.session.get_bind().dialect.name


def trigger_names() -> set[str]:
    """The triggers the database holds (user triggers only)."""
    if dialect() == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    return set(db.session.scalars(sa.text(query)))


def expected_triggers() -> set[str]:
    if dialect() == "postgresql":
        names = {f"{t}_append_only" for t in APPEND_ONLY} | {f"{t}_no_truncate" for t in APPEND_ONLY + SCOPED}
        return names | {"committee_votes_frozen", "committee_agenda_items_frozen"}
    return {f"{t}_no_{op}" for t in APPEND_ONLY + SCOPED for op in ("update", "delete")}


@contextmanager
def without_triggers(*tables: str) -> Iterator[None]:
    """Drop the tables' protective triggers for the rest of the test (rolled back with it)."""
    for table in tables:
        if dialect() == "postgresql":
            db.session.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            for op in ("update", "delete"):
                db.session.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))
    yield
    db.session.expire_all()
