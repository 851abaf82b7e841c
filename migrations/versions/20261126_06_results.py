"""Results: the fund-level results framework (outcomes, indicators per thematic area) and the
guiding-principle alignment indicators.

Indicator and threshold values are exact six-decimal numbers (FixedDecimal: NUMERIC on PostgreSQL, a scaled
integer on SQLite). Codes are unique per thematic area; target years come after baseline years; thresholds rise.

Revision ID: 20261126_results
Revises: 20261126_committee_decisions
Create Date: 2026-11-26 20:00:50.990368

"""
import sqlalchemy as sa
from alembic import op

import fundapp.core.money


# revision identifiers, used by Alembic.
revision = '20261126_results'
down_revision = '20261126_committee_decisions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fund_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thematic_area_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.String(length=600), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_fund_outcomes_thematic_area_id_thematic_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_outcomes')),
    sa.UniqueConstraint('thematic_area_id', 'code', name='uq_fund_outcomes_area_code')
    )
    with op.batch_alter_table('fund_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_outcomes_thematic_area_id'), ['thematic_area_id'], unique=False)

    op.create_table('alignment_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('measurement', sa.Text(), server_default='', nullable=False),
    sa.Column('kind', sa.Enum('marker', 'percentage', 'count', 'yes_no', name='measurekind', native_enum=False, length=20), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=True),
    sa.Column('threshold_1', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('threshold_2', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('threshold_3', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind <> 'marker' OR marker_id IS NOT NULL", name=op.f('ck_alignment_indicators_marker_kind_has_marker')),
    sa.CheckConstraint("kind = 'marker' OR marker_id IS NULL", name=op.f('ck_alignment_indicators_marker_only_for_marker_kind')),
    sa.CheckConstraint('threshold_1 <= threshold_2 AND threshold_2 <= threshold_3', name=op.f('ck_alignment_indicators_thresholds_rise')),
    sa.ForeignKeyConstraint(['marker_id'], ['markers.id'], name=op.f('fk_alignment_indicators_marker_id_markers')),
    sa.ForeignKeyConstraint(['principle_id'], ['guiding_principles.id'], name=op.f('fk_alignment_indicators_principle_id_guiding_principles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alignment_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_alignment_indicators_code'))
    )
    with op.batch_alter_table('alignment_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alignment_indicators_principle_id'), ['principle_id'], unique=False)

    op.create_table('fund_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('thematic_area_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=600), nullable=False),
    sa.Column('unit', sa.Enum('count', 'amount_usd', 'percentage', 'score', 'yes_no', name='indicatorunit', native_enum=False, length=20), nullable=False),
    sa.Column('baseline_value', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('target_value', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=False),
    sa.Column('means_of_verification', sa.Text(), server_default='', nullable=False),
    sa.Column('by_sex', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('by_age_group', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('by_migratory_status', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('target_year > baseline_year', name=op.f('ck_fund_indicators_target_after_baseline')),
    sa.ForeignKeyConstraint(['outcome_id'], ['fund_outcomes.id'], name=op.f('fk_fund_indicators_outcome_id_fund_outcomes')),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_fund_indicators_thematic_area_id_thematic_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_indicators')),
    sa.UniqueConstraint('thematic_area_id', 'code', name='uq_fund_indicators_area_code')
    )
    with op.batch_alter_table('fund_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fund_indicators_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fund_indicators_thematic_area_id'), ['thematic_area_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('fund_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_indicators_thematic_area_id'))
        batch_op.drop_index(batch_op.f('ix_fund_indicators_outcome_id'))

    op.drop_table('fund_indicators')
    with op.batch_alter_table('alignment_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alignment_indicators_principle_id'))

    op.drop_table('alignment_indicators')
    with op.batch_alter_table('fund_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fund_outcomes_thematic_area_id'))

    op.drop_table('fund_outcomes')
