"""Covering indexes for the ledger's aggregates: the statement, the pools, capitalization and the donors' totals
summed over the index alone (at 100x each read every ledger row through the (category, thematic_area_id) index,
which it replaces), and the reversed deposits found without reading the ledger's rows

Revision ID: 20261130_perf_contrib
Revises: 20261130_perf_programmes
Create Date: 2026-11-30 12:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_perf_contrib"
down_revision = "20261130_perf_programmes"
branch_labels = None
depends_on = None

TOTALS = ["category", "thematic_area_id", "organisation_id", "donor_id", "programme_id", "entry_on", "amount_usd"]


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_category_pool")
        batch_op.create_index("ix_ledger_entries_totals", TOTALS, unique=False)
        batch_op.create_index("ix_ledger_entries_reversals", ["kind", "category", "deposit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_reversals")
        batch_op.drop_index("ix_ledger_entries_totals")
        batch_op.create_index("ix_ledger_entries_category_pool", ["category", "thematic_area_id"], unique=False)
