"""Joint programmes: the record completing the programme document, budget by UN category, tranches and
expenditure reports

Revision ID: 20261126_programmes
Revises: 20261126_api_tokens
Create Date: 2026-11-26 20:35:48.725495

"""
import sqlalchemy as sa
from alembic import op

import fundapp.core.money


# revision identifiers, used by Alembic.
revision = "20261126_programmes"
down_revision = "20261126_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('joint_programmes',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('national_partners', sa.Text(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('final_report_on', sa.Date(), nullable=True),
    sa.Column('final_report_summary', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['joint_programme_documents.id'], name=op.f('fk_joint_programmes_id_joint_programme_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_programmes'))
    )
    with op.batch_alter_table('joint_programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_programmes_status'), ['status'], unique=False)

    op.create_table('programme_budget_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('staff', 'supplies', 'equipment', 'contractual', 'travel', 'transfers', 'operating', name='budgetcategory', native_enum=False, length=20), nullable=False),
    sa.Column('amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_programme_budget_items_budget_item_not_negative')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_budget_items_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_budget_items_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_budget_items')),
    sa.UniqueConstraint('programme_id', 'organisation_id', 'category', name='uq_programme_budget_item')
    )
    with op.batch_alter_table('programme_budget_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_budget_items_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_expenditure_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('interim', 'final', name='expenditurekind', native_enum=False, length=10), nullable=False),
    sa.Column('amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('certified_total', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_programme_expenditure_reports_expenditure_amount_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programme_expenditure_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entries.id'], name=op.f('fk_programme_expenditure_reports_ledger_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_expenditure_reports_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_expenditure_reports_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_expenditure_reports'))
    )
    with op.batch_alter_table('programme_expenditure_reports', schema=None) as batch_op:
        batch_op.create_index('ix_programme_expenditure_org_year', ['programme_id', 'organisation_id', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_expenditure_reports_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_expenditure_reports_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('needs_report_approved', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('min_spent_percent', fundapp.core.money.FixedDecimal(precision=5, scale=2), nullable=True),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.Column('ledger_entry_id', sa.Integer(), nullable=True),
    sa.Column('override_justification', sa.Text(), nullable=False),
    sa.Column('unmet_at_release', sa.Text(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_programme_tranches_tranche_amount_positive')),
    sa.CheckConstraint('min_spent_percent IS NULL OR min_spent_percent >= 0', name=op.f('ck_programme_tranches_tranche_min_spent_sign')),
    sa.ForeignKeyConstraint(['ledger_entry_id'], ['ledger_entries.id'], name=op.f('fk_programme_tranches_ledger_entry_id_ledger_entries')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_programme_tranches_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_tranches_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_programme_tranches_released_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_tranches'))
    )
    with op.batch_alter_table('programme_tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_tranches_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_tranches_programme_id'), ['programme_id'], unique=False)


    # Programme results frameworks and progress reports
    op.create_table('programme_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.String(length=600), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_outcomes_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_outcomes')),
    sa.UniqueConstraint('programme_id', 'code', name='uq_programme_outcome_code')
    )
    with op.batch_alter_table('programme_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_outcomes_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_progress_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('challenges', sa.Text(), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programme_progress_reports_created_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_progress_reports_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_progress_reports')),
    sa.UniqueConstraint('programme_id', 'period', name='uq_progress_report_period')
    )
    with op.batch_alter_table('programme_progress_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_progress_reports_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_progress_reports_status'), ['status'], unique=False)

    op.create_table('programme_outputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('statement', sa.String(length=600), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['programme_outcomes.id'], name=op.f('fk_programme_outputs_outcome_id_programme_outcomes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_outputs'))
    )
    with op.batch_alter_table('programme_outputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_outputs_outcome_id'), ['outcome_id'], unique=False)

    op.create_table('programme_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('output_id', sa.Integer(), nullable=True),
    sa.Column('fund_indicator_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=600), nullable=False),
    sa.Column('unit', sa.Enum('count', 'amount_usd', 'percentage', 'score', 'yes_no', name='indicatorunit', native_enum=False, length=20), nullable=False),
    sa.Column('baseline_value', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('baseline_year', sa.Integer(), nullable=False),
    sa.Column('target_value', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('by_sex', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('by_age_group', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('by_migratory_status', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['fund_indicator_id'], ['fund_indicators.id'], name=op.f('fk_programme_indicators_fund_indicator_id_fund_indicators')),
    sa.ForeignKeyConstraint(['outcome_id'], ['programme_outcomes.id'], name=op.f('fk_programme_indicators_outcome_id_programme_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['output_id'], ['programme_outputs.id'], name=op.f('fk_programme_indicators_output_id_programme_outputs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_indicators_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_indicators'))
    )
    with op.batch_alter_table('programme_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_indicators_fund_indicator_id'), ['fund_indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_indicators_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_indicators_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_report_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('actual', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('disaggregation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['programme_indicators.id'], name=op.f('fk_programme_report_values_indicator_id_programme_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['programme_progress_reports.id'], name=op.f('fk_programme_report_values_report_id_programme_progress_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_report_values')),
    sa.UniqueConstraint('report_id', 'indicator_id', name='uq_report_value_indicator')
    )
    with op.batch_alter_table('programme_report_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_report_values_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_report_values_report_id'), ['report_id'], unique=False)

    # Guiding-principle alignment assessments
    op.create_table('programme_alignment_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.String(length=10), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('marker_scores', sa.Text(), nullable=False),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('principle_scores', sa.Text(), nullable=False),
    sa.Column('overall', fundapp.core.money.FixedDecimal(precision=5, scale=2), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_programme_alignment_assessments_created_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_alignment_assessments_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_alignment_assessments')),
    sa.UniqueConstraint('programme_id', 'occasion', name='uq_alignment_occasion')
    )
    with op.batch_alter_table('programme_alignment_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_alignment_assessments_programme_id'), ['programme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('programme_alignment_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_alignment_assessments_programme_id'))

    op.drop_table('programme_alignment_assessments')
    with op.batch_alter_table('programme_report_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_report_values_report_id'))
        batch_op.drop_index(batch_op.f('ix_programme_report_values_indicator_id'))

    op.drop_table('programme_report_values')
    with op.batch_alter_table('programme_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_indicators_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_indicators_outcome_id'))
        batch_op.drop_index(batch_op.f('ix_programme_indicators_fund_indicator_id'))

    op.drop_table('programme_indicators')
    with op.batch_alter_table('programme_outputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_outputs_outcome_id'))

    op.drop_table('programme_outputs')
    with op.batch_alter_table('programme_progress_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_progress_reports_status'))
        batch_op.drop_index(batch_op.f('ix_programme_progress_reports_programme_id'))

    op.drop_table('programme_progress_reports')
    with op.batch_alter_table('programme_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_outcomes_programme_id'))

    op.drop_table('programme_outcomes')

    with op.batch_alter_table('programme_tranches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_tranches_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_tranches_organisation_id'))

    op.drop_table('programme_tranches')
    with op.batch_alter_table('programme_expenditure_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_expenditure_reports_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_expenditure_reports_organisation_id'))
        batch_op.drop_index('ix_programme_expenditure_org_year')

    op.drop_table('programme_expenditure_reports')
    with op.batch_alter_table('programme_budget_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_budget_items_programme_id'))

    op.drop_table('programme_budget_items')
    with op.batch_alter_table('joint_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_programmes_status'))

    op.drop_table('joint_programmes')
