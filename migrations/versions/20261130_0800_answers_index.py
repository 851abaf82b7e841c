"""Discussion answers indexed by the question they answer (concept notes' and programmes' threads): whether a
question is answered was a scan of the whole table for each question listed

Revision ID: 20261130_answers_index
Revises: 20261130_invitation_language
Create Date: 2026-11-30 10:55:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_answers_index"
down_revision = "20261130_invitation_language"
branch_labels = None
depends_on = None

TABLES = ("concept_note_messages", "programme_messages")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_answers_id"), ["answers_id"], unique=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_answers_id"))
