"""The production PostgreSQL role of the README (scripts/postgres-app-role.sql): the application works with it,
and it has no right to UPDATE or DELETE the fund's record (issue 11, item 7)."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres-app-role.sql"


def _statements(role: str) -> list[str]:
    text = "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.lstrip().startswith("--"))
    text = text.replace(':"app_role"', f'"{role}"')
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.mark.postgres_only
def test_the_documented_role_posts_but_cannot_rewrite_the_record(database_url, app, db):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL roles")
    url = sa.engine.make_url(database_url)
    role = f"{url.database}_app_role"
    owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        for statement in _statements(role):
            conn.execute(sa.text(statement))
    app_engine = sa.create_engine(url.set(username=role))
    try:
        with app_engine.connect() as conn, conn.begin() as transaction:
            conn.execute(
                sa.text(
                    "INSERT INTO audit_log (created_at, action, object_type, details, prev_hash, hash, is_keyed) "
                    "VALUES (now(), 'probe', 'things', '{}', :p, :h, true)"
                ),
                {"p": "0" * 64, "h": "f" * 64},
            )
            assert conn.scalar(sa.text("SELECT count(*) FROM ledger_entries")) >= 0
            transaction.rollback()
        for statement in (
            "UPDATE ledger_entries SET amount_usd = amount_usd",
            "DELETE FROM deposits",
            "UPDATE audit_log SET details = details",
            "DELETE FROM audit_checkpoints",
            "TRUNCATE frozen_statements",
            "DELETE FROM committee_votes",
            "DELETE FROM committee_agenda_items",
        ):
            with app_engine.connect() as conn, pytest.raises(sa.exc.ProgrammingError) as refused:
                conn.execute(sa.text(statement))
            assert re.search("permission denied", str(refused.value))
    finally:
        app_engine.dispose()
        with owner.connect() as conn:
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        owner.dispose()
