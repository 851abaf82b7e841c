"""IATI identifiers: organisations carry the identifier the IATI Registry lists for them (organisations.iati_ref),
thematic areas the OECD DAC purpose code of their work (thematic_areas.dac_sector)

Both are filled in from the reference file by `flask reference load` (which scripts/run runs): existing rows get
the file's value where they have none.

Revision ID: 20261130_iati_identifiers
Revises: 20261130_score_summaries
Create Date: 2026-11-30 05:17:38.465921

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261130_iati_identifiers'
down_revision = '20261130_score_summaries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('iati_ref', sa.String(length=60), nullable=True))

    with op.batch_alter_table('thematic_areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dac_sector', sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('thematic_areas', schema=None) as batch_op:
        batch_op.drop_column('dac_sector')

    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('iati_ref')
