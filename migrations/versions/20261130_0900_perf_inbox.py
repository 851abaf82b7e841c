"""Indexes for the role inboxes at scale: the ledger's flows by category and programme (covering: the tranches'
conditions and the fund's totals read the index alone), an organization's concept notes by status and by last
edit (the applicant's inbox and home page read a few rows instead of all the organization's notes)

Revision ID: 20261130_perf_inbox
Revises: 20261130_answers_index
Create Date: 2026-11-30 12:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_perf_inbox"
down_revision = "20261130_answers_index"
branch_labels = None
depends_on = None

INDEXES = (
    (
        "ledger_entries",
        "ix_ledger_entries_category_programme",
        ["category", "programme_id", "organisation_id", "amount_usd"],
    ),
    ("concept_notes", "ix_concept_notes_organisation_status", ["organisation_id", "status"]),
    ("concept_notes", "ix_concept_notes_organisation_updated", ["organisation_id", "updated_at"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
