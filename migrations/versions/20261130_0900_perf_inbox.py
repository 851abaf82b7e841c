"""An organization's concept notes indexed by status and by last edit: the applicant's inbox (drafts, notes
returned) and home page (latest notes) read a few rows instead of every note of the organization

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
    ("ix_concept_notes_organisation_status", ["organisation_id", "status"]),
    ("ix_concept_notes_organisation_updated", ["organisation_id", "updated_at"]),
)


def upgrade() -> None:
    with op.batch_alter_table("concept_notes", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("concept_notes", schema=None) as batch_op:
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)
