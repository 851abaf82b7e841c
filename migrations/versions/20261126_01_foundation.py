"""Foundation: organisations, users and roles, reference data, the audit log and state events.

Revision ID: 20261126_foundation
Revises: 
Create Date: 2026-11-26 19:27:29.957426

"""
import sqlalchemy as sa
from alembic import op

import fundapp.core.money


# revision identifiers, used by Alembic.
revision = '20261126_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('currencies',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('numeric', sa.String(length=3), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_currencies'))
    )
    op.create_table('fund_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('established_on', sa.Date(), nullable=True),
    sa.Column('capitalization_target_usd', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('administrative_agent', sa.String(length=200), nullable=False),
    sa.Column('administrative_agent_fee_rate', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('indirect_support_cost_rate', fundapp.core.money.FixedDecimal(precision=16, scale=6), nullable=False),
    sa.Column('chair', sa.String(length=300), nullable=True),
    sa.Column('decision_rule', sa.String(length=20), nullable=False),
    sa.Column('year_end_expenditure_deadline', sa.String(length=5), nullable=False),
    sa.CheckConstraint('administrative_agent_fee_rate >= 0', name=op.f('ck_fund_settings_fee_rate_not_negative')),
    sa.CheckConstraint('indirect_support_cost_rate >= 0', name=op.f('ck_fund_settings_isc_rate_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fund_settings')),
    sa.UniqueConstraint('code', name=op.f('uq_fund_settings_code'))
    )
    op.create_table('gcm_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gcm_objectives')),
    sa.UniqueConstraint('number', name=op.f('uq_gcm_objectives_number'))
    )
    op.create_table('guiding_principles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guiding_principles')),
    sa.UniqueConstraint('code', name=op.f('uq_guiding_principles_code'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_email_at', ['email', 'attempted_at'], unique=False)

    op.create_table('marker_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_marker_levels')),
    sa.UniqueConstraint('score', name=op.f('uq_marker_levels_score'))
    )
    op.create_table('regions',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_regions'))
    )
    op.create_table('thematic_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_thematic_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_thematic_areas_code'))
    )
    op.create_table('countries',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('alpha2', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('region_code', sa.String(length=3), nullable=True),
    sa.Column('sub_region_code', sa.String(length=3), nullable=True),
    sa.Column('intermediate_region_code', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['intermediate_region_code'], ['regions.code'], name=op.f('fk_countries_intermediate_region_code_regions')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_countries_region_code_regions')),
    sa.ForeignKeyConstraint(['sub_region_code'], ['regions.code'], name=op.f('fk_countries_sub_region_code_regions')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_countries')),
    sa.UniqueConstraint('alpha2', name=op.f('uq_countries_alpha2'))
    )
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_countries_region_code'), ['region_code'], unique=False)

    op.create_table('markers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=True),
    sa.Column('minimum_score', sa.Integer(), server_default='2', nullable=False),
    sa.ForeignKeyConstraint(['principle_id'], ['guiding_principles.id'], name=op.f('fk_markers_principle_id_guiding_principles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_markers')),
    sa.UniqueConstraint('code', name=op.f('uq_markers_code'))
    )
    op.create_table('thematic_area_objectives',
    sa.Column('thematic_area_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['gcm_objectives.id'], name=op.f('fk_thematic_area_objectives_objective_id_gcm_objectives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_thematic_area_objectives_thematic_area_id_thematic_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thematic_area_id', 'objective_id', name=op.f('pk_thematic_area_objectives'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('un_entity', 'government', 'donor', 'civil_society', 'secretariat', 'other', name='organisationtype', native_enum=False, length=20), nullable=False),
    sa.Column('country_code', sa.String(length=3), nullable=True),
    sa.Column('un_network_executive_committee', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_organisations_country_code_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('code', name=op.f('uq_organisations_code'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisations_type'), ['type'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=80), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_log_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_log_hash'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_object_type'), ['object_type'], unique=False)

    op.create_table('state_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('machine', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=40), nullable=True),
    sa.Column('to_state', sa.String(length=40), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_state_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_state_events'))
    )
    with op.batch_alter_table('state_events', schema=None) as batch_op:
        batch_op.create_index('ix_state_events_object', ['machine', 'object_id'], unique=False)

    op.create_table('user_roles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('applicant', 'secretariat', 'committee_member', 'committee_chair', 'donor', 'admin', name='role', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_roles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_roles'))
    )


def downgrade() -> None:
    op.drop_table('user_roles')
    with op.batch_alter_table('state_events', schema=None) as batch_op:
        batch_op.drop_index('ix_state_events_object')

    op.drop_table('state_events')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_object_type'))
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_organisation_id'))

    op.drop_table('users')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_type'))

    op.drop_table('organisations')
    op.drop_table('thematic_area_objectives')
    op.drop_table('markers')
    with op.batch_alter_table('countries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_countries_region_code'))

    op.drop_table('countries')
    op.drop_table('thematic_areas')
    op.drop_table('regions')
    op.drop_table('marker_levels')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_at')

    op.drop_table('login_attempts')
    op.drop_table('guiding_principles')
    op.drop_table('gcm_objectives')
    op.drop_table('fund_settings')
    op.drop_table('currencies')
