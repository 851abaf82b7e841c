"""Ledger rows indexed by category, programme and organization, covering the amount and the date: the money of a
page of programmes (the portfolio, the public programme list, the programme page) and the funded programmes
were read through the category index alone, a scan of every row of the category at a large fund

Revision ID: 20261130_perf_programmes
Revises: 20261130_perf_committee
Create Date: 2026-11-30 12:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_perf_programmes"
down_revision = "20261130_perf_committee"
branch_labels = None
depends_on = None

COLUMNS = ["category", "programme_id", "organisation_id", "entry_on", "amount_usd"]


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_programme_flows", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_programme_flows")
