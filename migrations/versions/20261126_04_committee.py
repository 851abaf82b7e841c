"""Steering committee: seats with constituencies and terms, scoring criteria sets, decision settings.

One active seat per user and one active chair are partial unique indexes (both engines); the check
constraints repeat the seat rules the services enforce with messages.

Revision ID: 20261126_committee
Revises: 20261126_concept_notes
Create Date: 2026-11-26 19:39:13.510602

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '20261126_committee'
down_revision = '20261126_concept_notes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('committee_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quorum_requires_chair', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('quorum_numerator', sa.Integer(), server_default='1', nullable=False),
    sa.Column('quorum_denominator', sa.Integer(), server_default='2', nullable=False),
    sa.Column('quorum_strict', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('majority_numerator', sa.Integer(), server_default='1', nullable=False),
    sa.Column('majority_denominator', sa.Integer(), server_default='2', nullable=False),
    sa.Column('majority_strict', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('majority_base', sa.Enum('votes_cast', 'eligible', name='majoritybase', native_enum=False, length=20), server_default='votes_cast', nullable=False),
    sa.CheckConstraint('majority_numerator > 0 AND majority_denominator > 0 AND majority_numerator <= majority_denominator', name=op.f('ck_committee_settings_majority_fraction')),
    sa.CheckConstraint('quorum_numerator >= 0 AND quorum_denominator > 0 AND quorum_numerator <= quorum_denominator', name=op.f('ck_committee_settings_quorum_fraction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_settings'))
    )
    op.create_table('scoring_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight >= 1 AND weight <= 100', name=op.f('ck_scoring_criteria_weight_range')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_scoring_criteria_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_criteria')),
    sa.UniqueConstraint('call_id', 'code', name='uq_scoring_criteria_call_code')
    )
    with op.batch_alter_table('scoring_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoring_criteria_call_id'), ['call_id'], unique=False)
        batch_op.create_index('uq_scoring_criteria_default_code', ['code'], unique=True, sqlite_where=sa.text('call_id IS NULL'), postgresql_where=sa.text('call_id IS NULL'))

    op.create_table('committee_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('constituency', sa.Enum('chair', 'un_network', 'donor', 'country_of_origin', 'country_of_transit', 'country_of_destination', 'civil_society', 'migrant_organization', 'administrative_agent', 'secretariat', name='constituency', native_enum=False, length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=3), nullable=True),
    sa.Column('term_start_on', sa.Date(), nullable=False),
    sa.Column('term_end_on', sa.Date(), nullable=True),
    sa.Column('is_voting', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("constituency <> 'chair' OR is_voting", name=op.f('ck_committee_seats_chair_votes')),
    sa.CheckConstraint("constituency NOT IN ('country_of_destination', 'country_of_origin', 'country_of_transit') OR country_code IS NOT NULL", name=op.f('ck_committee_seats_country_seat_has_country')),
    sa.CheckConstraint('term_end_on IS NULL OR term_end_on >= term_start_on', name=op.f('ck_committee_seats_term_dates_ordered')),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_committee_seats_country_code_countries')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_committee_seats_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_seats_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_seats'))
    )
    with op.batch_alter_table('committee_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_seats_constituency'), ['constituency'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_seats_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_seats_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_committee_seats_active_chair', ['constituency'], unique=True, sqlite_where=sa.text("is_active AND constituency = 'chair'"), postgresql_where=sa.text("is_active AND constituency = 'chair'"))
        batch_op.create_index('uq_committee_seats_active_user', ['user_id'], unique=True, sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))



def downgrade() -> None:
    with op.batch_alter_table('committee_seats', schema=None) as batch_op:
        batch_op.drop_index('uq_committee_seats_active_user', sqlite_where=sa.text('is_active'), postgresql_where=sa.text('is_active'))
        batch_op.drop_index('uq_committee_seats_active_chair', sqlite_where=sa.text("is_active AND constituency = 'chair'"), postgresql_where=sa.text("is_active AND constituency = 'chair'"))
        batch_op.drop_index(batch_op.f('ix_committee_seats_user_id'))
        batch_op.drop_index(batch_op.f('ix_committee_seats_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_committee_seats_constituency'))

    op.drop_table('committee_seats')
    with op.batch_alter_table('scoring_criteria', schema=None) as batch_op:
        batch_op.drop_index('uq_scoring_criteria_default_code', sqlite_where=sa.text('call_id IS NULL'), postgresql_where=sa.text('call_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_scoring_criteria_call_id'))

    op.drop_table('scoring_criteria')
    op.drop_table('committee_settings')
