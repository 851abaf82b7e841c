"""Contributions: donors, agreements, exchange rates, deposits, the fund ledger

Revision ID: 20261126_contributions
Revises: 20261126_foundation
Create Date: 2026-11-26 19:34:32.299547

"""
import sqlalchemy as sa
from alembic import op

import fundapp.core.money


# revision identifiers, used by Alembic.
revision = '20261126_contributions'
down_revision = '20261126_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('rate', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('rate > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.ForeignKeyConstraint(['currency'], ['currencies.code'], name=op.f('fk_exchange_rates_currency_currencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('currency', 'month', name='uq_exchange_rates_currency_month')
    )
    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('donor_type', sa.Enum('member_state', 'private_sector', 'foundation', 'multilateral', 'other', name='donortype', native_enum=False, length=20), nullable=False),
    sa.Column('country_code', sa.String(length=3), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_donors_country_code_countries')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_donors_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_donors_organisation_id'))
    )
    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('committed_amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('thematic_area_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('committed_amount > 0', name=op.f('ck_agreements_committed_positive')),
    sa.ForeignKeyConstraint(['currency'], ['currencies.code'], name=op.f('fk_agreements_currency_currencies')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_agreements_donor_id_donors')),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_agreements_thematic_area_id_thematic_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('reference', name=op.f('uq_agreements_reference'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_donor_id'), ['donor_id'], unique=False)

    op.create_table('deposits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=False),
    sa.Column('deposited_on', sa.Date(), nullable=False),
    sa.Column('amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('amount_usd', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('fee_usd', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('is_overpayment', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_deposits_amount_positive')),
    sa.CheckConstraint('amount_usd > 0', name=op.f('ck_deposits_amount_usd_positive')),
    sa.CheckConstraint('fee_usd >= 0', name=op.f('ck_deposits_fee_not_negative')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_deposits_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_deposits_donor_id_donors')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_deposits_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deposits'))
    )
    with op.batch_alter_table('deposits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deposits_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deposits_deposited_on'), ['deposited_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_deposits_donor_id'), ['donor_id'], unique=False)

    op.create_table('expected_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_expected_payments_amount_positive')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_expected_payments_agreement_id_agreements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expected_payments'))
    )
    with op.batch_alter_table('expected_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expected_payments_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('deposit', 'fee', 'interest', 'allocation', 'transfer', 'refund', 'expenditure', 'direct_cost', 'bank_charge', 'reversal', name='entrykind', native_enum=False, length=20), nullable=False),
    sa.Column('category', sa.Enum('deposit', 'fee', 'interest', 'allocation', 'transfer', 'refund', 'expenditure', 'direct_cost', 'bank_charge', 'reversal', name='entrykind', native_enum=False, length=20), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('amount_usd', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('thematic_area_id', sa.Integer(), nullable=True),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('deposit_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('reversal_of_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(kind = 'reversal') = (reversal_of_id IS NOT NULL)", name=op.f('ck_ledger_entries_reversal_has_original')),
    sa.CheckConstraint("category <> 'reversal'", name=op.f('ck_ledger_entries_category_not_reversal')),
    sa.CheckConstraint("kind = 'reversal' OR amount_usd > 0", name=op.f('ck_ledger_entries_amount_positive')),
    sa.CheckConstraint("kind = 'reversal' OR kind = category", name=op.f('ck_ledger_entries_category_matches_kind')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_ledger_entries_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_ledger_entries_created_by_id_users')),
    sa.ForeignKeyConstraint(['deposit_id'], ['deposits.id'], name=op.f('fk_ledger_entries_deposit_id_deposits')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_ledger_entries_donor_id_donors')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_ledger_entries_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['reversal_of_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reversal_of_id_ledger_entries')),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_ledger_entries_thematic_area_id_thematic_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('reversal_of_id', name=op.f('uq_ledger_entries_reversal_of_id'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_category_pool', ['category', 'thematic_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_deposit_id'), ['deposit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_entry_on'), ['entry_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_programme_id'), ['programme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_programme_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_entry_on'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_donor_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_deposit_id'))
        batch_op.drop_index('ix_ledger_entries_category_pool')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_agreement_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('expected_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expected_payments_agreement_id'))

    op.drop_table('expected_payments')
    with op.batch_alter_table('deposits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deposits_donor_id'))
        batch_op.drop_index(batch_op.f('ix_deposits_deposited_on'))
        batch_op.drop_index(batch_op.f('ix_deposits_agreement_id'))

    op.drop_table('deposits')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_donor_id'))

    op.drop_table('agreements')
    op.drop_table('donors')
    op.drop_table('exchange_rates')
