"""Books integrity: a keyed and anchored audit chain, frozen annual statements, append-only tables in the database

- audit_log.is_keyed: rows written from now on are HMAC-SHA-256 with AUDIT_HMAC_KEY. The rows already there
  stay plain SHA-256 and are marked so (is_keyed false): re-keying them here would bless whatever was done to
  them before and would put the key into the migration's hands. They remain verifiable as they were, and the
  first keyed row, whose HMAC covers the last plain hash, seals them.
- audit_checkpoints: signed anchors of the chain (row count, head id and hash).
- frozen_statements: a closed year's annual financial statement (figures and PDF with its SHA-256).
- ix_audit_log_object: `flask audit verify` finds each ledger row's and deposit's audit record by object.
- Triggers on both engines refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the append-only tables:
  ledger_entries, deposits, audit_log, audit_checkpoints, state_events, frozen_statements. Two tables hold
  rows that legitimately change before they are final, so their triggers are scoped:
  * committee_votes: a member may change a vote while its agenda item is pending (the app's rule: the vote
    counted is the one standing when the chair decides; each change is an audit row). Once the item is no
    longer pending, its votes are frozen; a vote never moves to another item or seat; no vote is deleted.
  * committee_agenda_items holds the decision: the row is created pending, and recording the decision (or
    withdrawing the item) is its one update. Once decided or withdrawn it is never updated or deleted.

Revision ID: 20261130_books_integrity
Revises: 20261130_periods_once
Create Date: 2026-11-30 03:45:45.092995

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_books_integrity"
down_revision = "20261130_periods_once"
branch_labels = None
depends_on = None

#: Tables whose rows are never updated or deleted.
APPEND_ONLY = (
    "ledger_entries",
    "deposits",
    "audit_log",
    "audit_checkpoints",
    "state_events",
    "frozen_statements",
)
SCOPED = ("committee_votes", "committee_agenda_items")

_SQLITE_APPEND_ONLY = """
CREATE TRIGGER {table}_no_{op} BEFORE {OP} ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: {OP} refused (record a correction instead)'); END
"""
_SQLITE_SCOPED = (
    """
CREATE TRIGGER committee_votes_no_update BEFORE UPDATE ON committee_votes
WHEN NEW.item_id IS NOT OLD.item_id OR NEW.seat_id IS NOT OLD.seat_id
  OR (SELECT status FROM committee_agenda_items WHERE id = OLD.item_id) IS NOT 'pending'
BEGIN SELECT RAISE(ABORT, 'committee_votes: a vote is frozen once its agenda item is decided'); END
""",
    """
CREATE TRIGGER committee_votes_no_delete BEFORE DELETE ON committee_votes
BEGIN SELECT RAISE(ABORT, 'committee_votes: votes are never deleted'); END
""",
    """
CREATE TRIGGER committee_agenda_items_no_update BEFORE UPDATE ON committee_agenda_items
WHEN OLD.status IS NOT 'pending'
BEGIN SELECT RAISE(ABORT, 'committee_agenda_items: a decided or withdrawn item is never changed'); END
""",
    """
CREATE TRIGGER committee_agenda_items_no_delete BEFORE DELETE ON committee_agenda_items
WHEN OLD.status IS NOT 'pending'
BEGIN SELECT RAISE(ABORT, 'committee_agenda_items: a decided or withdrawn item is never deleted'); END
""",
)

_PG_FUNCTIONS = (
    """
CREATE FUNCTION fundapp_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused (record a correction instead)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END $$
""",
    """
CREATE FUNCTION fundapp_vote_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'committee_votes: votes are never deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.item_id IS DISTINCT FROM OLD.item_id OR NEW.seat_id IS DISTINCT FROM OLD.seat_id
     OR (SELECT status FROM committee_agenda_items WHERE id = OLD.item_id) IS DISTINCT FROM 'pending' THEN
    RAISE EXCEPTION 'committee_votes: a vote is frozen once its agenda item is decided'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$
""",
    """
CREATE FUNCTION fundapp_decision_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IS DISTINCT FROM 'pending' THEN
    RAISE EXCEPTION 'committee_agenda_items: a decided or withdrawn item is never changed (% refused)', TG_OP
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$
""",
)


def _pg_triggers() -> list[str]:
    statements = []
    for table in APPEND_ONLY:
        statements += [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION fundapp_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION fundapp_refuse_change()",
        ]
    statements += [
        "CREATE TRIGGER committee_votes_frozen BEFORE UPDATE OR DELETE ON committee_votes "
        "FOR EACH ROW EXECUTE FUNCTION fundapp_vote_frozen()",
        "CREATE TRIGGER committee_agenda_items_frozen BEFORE UPDATE OR DELETE ON committee_agenda_items "
        "FOR EACH ROW EXECUTE FUNCTION fundapp_decision_frozen()",
    ]
    statements += [
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION fundapp_refuse_change()"
        for table in SCOPED
    ]
    return statements


def _sqlite_triggers() -> list[str]:
    statements = [
        _SQLITE_APPEND_ONLY.format(table=table, op=op_name.lower(), OP=op_name)
        for table in APPEND_ONLY
        for op_name in ("UPDATE", "DELETE")
    ]
    return statements + list(_SQLITE_SCOPED)


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=120), server_default="", nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_table(
        "frozen_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(pdf_sha256) = 64", name=op.f("ck_frozen_statements_sha256_length")),
        sa.ForeignKeyConstraint(["frozen_by_id"], ["users.id"], name=op.f("fk_frozen_statements_frozen_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frozen_statements")),
        sa.UniqueConstraint("year", name=op.f("uq_frozen_statements_year")),
    )
    # Existing rows are the plain SHA-256 prefix of the chain: the server default marks them so.
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_keyed", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index("ix_audit_log_object", ["object_type", "object_id"], unique=False)

    # Triggers last: on SQLite a batch operation that rebuilds a table would drop them.
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in (*_PG_FUNCTIONS, *_pg_triggers()):
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        for table in (*APPEND_ONLY, *SCOPED):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS committee_votes_frozen ON committee_votes")
        op.execute("DROP TRIGGER IF EXISTS committee_agenda_items_frozen ON committee_agenda_items")
        for function in ("fundapp_refuse_change", "fundapp_vote_frozen", "fundapp_decision_frozen"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    elif dialect == "sqlite":
        for table in (*APPEND_ONLY, *SCOPED):
            for op_name in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op_name}")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_object")
        batch_op.drop_column("is_keyed")

    op.drop_table("frozen_statements")
    op.drop_table("audit_checkpoints")
