"""Covering indexes of the submitted concept notes: the notes list's count and budget total (version_count,
budget_total) and the search box's scan of titles (version_count, title) read an index instead of every
note's row with its long texts

Revision ID: 20261130_perf_committee
Revises: 20261130_perf_inbox
Create Date: 2026-11-30 12:20:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_perf_committee"
down_revision = "20261130_perf_inbox"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_concept_notes_submitted_budget": ["version_count", "budget_total"],
    "ix_concept_notes_submitted_title": ["version_count", "title"],
}


def upgrade() -> None:
    with op.batch_alter_table("concept_notes", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("concept_notes", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
