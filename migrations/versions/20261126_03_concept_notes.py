"""Concept notes, calls, screening, attachments, notifications

Revision ID: 20261126_concept_notes
Revises: 20261126_contributions
Create Date: 2026-11-26 19:35:13.392101

"""
import sqlalchemy as sa
from alembic import op

import fundapp.core.money


# revision identifiers, used by Alembic.
revision = '20261126_concept_notes'
down_revision = "20261126_contributions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('is_rolling', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('envelope', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('min_organisations', sa.Integer(), server_default='2', nullable=False),
    sa.Column('budget_ceiling', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('min_duration_months', sa.Integer(), server_default='12', nullable=False),
    sa.Column('max_duration_months', sa.Integer(), server_default='36', nullable=False),
    sa.Column('endorsement_required', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('budget_ceiling > 0', name=op.f('ck_calls_budget_ceiling_positive')),
    sa.CheckConstraint('closes_on IS NULL OR closes_on >= opens_on', name=op.f('ck_calls_closes_after_opening')),
    sa.CheckConstraint('envelope >= 0', name=op.f('ck_calls_envelope_not_negative')),
    sa.CheckConstraint('is_rolling OR closes_on IS NOT NULL', name=op.f('ck_calls_closes_unless_rolling')),
    sa.CheckConstraint('min_duration_months >= 1 AND max_duration_months >= min_duration_months', name=op.f('ck_calls_duration_range')),
    sa.CheckConstraint('min_organisations >= 1', name=op.f('ck_calls_min_organisations_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calls_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('emailed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('call_thematic_areas',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('thematic_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_thematic_areas_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_call_thematic_areas_thematic_area_id_thematic_areas')),
    sa.PrimaryKeyConstraint('call_id', 'thematic_area_id', name=op.f('pk_call_thematic_areas'))
    )
    op.create_table('concept_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('thematic_area_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.Enum('national', 'multi_country', 'regional', 'global_', name='scope', native_enum=False, length=20), nullable=True),
    sa.Column('government_partners', sa.Text(), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('gender_budget_share', fundapp.core.money.FixedDecimal(precision=5, scale=2), nullable=True),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('theory_of_change', sa.Text(), nullable=False),
    sa.Column('expected_results', sa.Text(), nullable=False),
    sa.Column('target_groups', sa.Text(), nullable=False),
    sa.Column('stakeholder_participation', sa.Text(), nullable=False),
    sa.Column('government_engagement', sa.Text(), nullable=False),
    sa.Column('sustainability', sa.Text(), nullable=False),
    sa.Column('direct_costs_total', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('indirect_costs_total', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('budget_total', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('first_submitted_on', sa.Date(), nullable=True),
    sa.Column('last_submitted_on', sa.Date(), nullable=True),
    sa.Column('version_count', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('duration_months IS NULL OR duration_months > 0', name=op.f('ck_concept_notes_duration_positive')),
    sa.CheckConstraint('gender_budget_share IS NULL OR gender_budget_share >= 0', name=op.f('ck_concept_notes_gender_share_not_negative')),
    sa.CheckConstraint('version_count >= 0', name=op.f('ck_concept_notes_version_count_not_negative')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_concept_notes_call_id_calls')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_concept_notes_created_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_concept_notes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['thematic_area_id'], ['thematic_areas.id'], name=op.f('fk_concept_notes_thematic_area_id_thematic_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_notes'))
    )
    with op.batch_alter_table('concept_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_notes_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_notes_last_submitted_on'), ['last_submitted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_notes_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_notes_status'), ['status'], unique=False)
        batch_op.create_index('ix_concept_notes_status_call', ['status', 'call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_notes_thematic_area_id'), ['thematic_area_id'], unique=False)

    op.create_table('concept_note_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('endorsement', 'supporting', name='attachmentkind', native_enum=False, length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_concept_note_attachments_size_positive')),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_attachments_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_concept_note_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_note_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_concept_note_attachments_stored_name'))
    )
    with op.batch_alter_table('concept_note_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_note_attachments_concept_note_id'), ['concept_note_id'], unique=False)

    op.create_table('concept_note_countries',
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('country_code', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_countries_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_concept_note_countries_country_code_countries')),
    sa.PrimaryKeyConstraint('concept_note_id', 'country_code', name=op.f('pk_concept_note_countries'))
    )
    with op.batch_alter_table('concept_note_countries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_note_countries_country_code'), ['country_code'], unique=False)

    op.create_table('concept_note_markers',
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_markers_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marker_id'], ['markers.id'], name=op.f('fk_concept_note_markers_marker_id_markers')),
    sa.PrimaryKeyConstraint('concept_note_id', 'marker_id', name=op.f('pk_concept_note_markers'))
    )
    op.create_table('concept_note_objectives',
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_objectives_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['objective_id'], ['gcm_objectives.id'], name=op.f('fk_concept_note_objectives_objective_id_gcm_objectives')),
    sa.PrimaryKeyConstraint('concept_note_id', 'objective_id', name=op.f('pk_concept_note_objectives'))
    )
    op.create_table('concept_note_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('direct_costs', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('indirect_costs', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='USD', nullable=False),
    sa.CheckConstraint('direct_costs >= 0', name=op.f('ck_concept_note_participants_direct_costs_not_negative')),
    sa.CheckConstraint('indirect_costs >= 0', name=op.f('ck_concept_note_participants_indirect_costs_not_negative')),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_participants_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_concept_note_participants_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_note_participants')),
    sa.UniqueConstraint('concept_note_id', 'organisation_id', name='uq_participant_note_org')
    )
    with op.batch_alter_table('concept_note_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_note_participants_concept_note_id'), ['concept_note_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concept_note_participants_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('concept_note_principles',
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_principles_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['principle_id'], ['guiding_principles.id'], name=op.f('fk_concept_note_principles_principle_id_guiding_principles')),
    sa.PrimaryKeyConstraint('concept_note_id', 'principle_id', name=op.f('pk_concept_note_principles'))
    )
    op.create_table('concept_note_screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('checks', sa.Text(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('screened_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("decision IN ('eligible', 'ineligible', 'returned')", name=op.f('ck_concept_note_screenings_decision_known')),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_screenings_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['users.id'], name=op.f('fk_concept_note_screenings_screened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_note_screenings'))
    )
    with op.batch_alter_table('concept_note_screenings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_note_screenings_concept_note_id'), ['concept_note_id'], unique=False)

    op.create_table('concept_note_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_versions_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_concept_note_versions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_note_versions')),
    sa.UniqueConstraint('concept_note_id', 'number', name='uq_version_note_number')
    )
    with op.batch_alter_table('concept_note_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_note_versions_concept_note_id'), ['concept_note_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('concept_note_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_note_versions_concept_note_id'))

    op.drop_table('concept_note_versions')
    with op.batch_alter_table('concept_note_screenings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_note_screenings_concept_note_id'))

    op.drop_table('concept_note_screenings')
    op.drop_table('concept_note_principles')
    with op.batch_alter_table('concept_note_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_note_participants_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_concept_note_participants_concept_note_id'))

    op.drop_table('concept_note_participants')
    op.drop_table('concept_note_objectives')
    op.drop_table('concept_note_markers')
    with op.batch_alter_table('concept_note_countries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_note_countries_country_code'))

    op.drop_table('concept_note_countries')
    with op.batch_alter_table('concept_note_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_note_attachments_concept_note_id'))

    op.drop_table('concept_note_attachments')
    with op.batch_alter_table('concept_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_notes_thematic_area_id'))
        batch_op.drop_index('ix_concept_notes_status_call')
        batch_op.drop_index(batch_op.f('ix_concept_notes_status'))
        batch_op.drop_index(batch_op.f('ix_concept_notes_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_concept_notes_last_submitted_on'))
        batch_op.drop_index(batch_op.f('ix_concept_notes_call_id'))

    op.drop_table('concept_notes')
    op.drop_table('call_thematic_areas')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')

    op.drop_table('notifications')
    op.drop_table('calls')
