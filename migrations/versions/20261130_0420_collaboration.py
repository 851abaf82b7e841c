"""Collaboration: discussion threads on concept notes and programmes, and each indicator's desired direction

The two message tables share their columns (notifications.discussions.DiscussionMessage) and each has a foreign
key to what its thread is about, deleted with it. Indicators get a direction (increase or decrease), backfilled
from their baseline and target: a target below the baseline is a decrease, anything else an increase.

Revision ID: 20261130_collaboration
Revises: 20261130_score_summaries
Create Date: 2026-11-30 04:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261130_collaboration'
down_revision = '20261130_score_summaries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('concept_note_messages',
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_question', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('mentions', sa.Text(), server_default='[]', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('answers_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answers_id'], ['concept_note_messages.id'], name=op.f('fk_concept_note_messages_answers_id_concept_note_messages')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_concept_note_messages_author_id_users')),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_concept_note_messages_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concept_note_messages'))
    )
    with op.batch_alter_table('concept_note_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concept_note_messages_concept_note_id'), ['concept_note_id'], unique=False)

    op.create_table('programme_messages',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_question', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('mentions', sa.Text(), server_default='[]', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('answers_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answers_id'], ['programme_messages.id'], name=op.f('fk_programme_messages_answers_id_programme_messages')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_programme_messages_author_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['joint_programmes.id'], name=op.f('fk_programme_messages_programme_id_joint_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_messages'))
    )
    with op.batch_alter_table('programme_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_messages_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('fund_indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.Enum('increase', 'decrease', name='direction', native_enum=False, length=10), server_default='increase', nullable=False))

    with op.batch_alter_table('programme_indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.Enum('increase', 'decrease', name='direction', native_enum=False, length=10), server_default='increase', nullable=False))

    # Backfill: the direction the baseline and target already imply (results.rollup.direction_of).
    for table in ('fund_indicators', 'programme_indicators'):
        op.execute(sa.text(f"UPDATE {table} SET direction = 'decrease' WHERE target_value < baseline_value"))


def downgrade() -> None:
    with op.batch_alter_table('programme_indicators', schema=None) as batch_op:
        batch_op.drop_column('direction')

    with op.batch_alter_table('fund_indicators', schema=None) as batch_op:
        batch_op.drop_column('direction')

    with op.batch_alter_table('programme_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_messages_programme_id'))

    op.drop_table('programme_messages')
    with op.batch_alter_table('concept_note_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concept_note_messages_concept_note_id'))

    op.drop_table('concept_note_messages')
