"""Score summaries frozen when a review closes (backfilled for reviews already closed), and each person's last
run of the funding scenarios with its lines

The backfill computes each closed review's summary exactly as committee.services.store_summary does: the
sheets that cover the note's criteria set (the call's own set, else the fund's default), through the same
scoring maths (committee.rules.summarise, pure code), written through the same exact-decimal column type, so
it gives the same figures on SQLite and PostgreSQL. Its computed_at is the review's closing time.

Revision ID: 20261130_score_summaries
Revises: 20261130_books_integrity
Create Date: 2026-11-30 04:06:00.254133

"""
import json

import sqlalchemy as sa
from alembic import op

import fundapp.core.money
from fundapp.committee.rules import summarise


# revision identifiers, used by Alembic.
revision = '20261130_score_summaries'
down_revision = '20261130_books_integrity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('committee_scenario_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('min_area', sa.String(length=500), server_default='', nullable=False),
    sa.Column('min_region', sa.String(length=500), server_default='', nullable=False),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), server_default='', nullable=False),
    sa.Column('solve_ms', sa.Integer(), server_default='0', nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('items', sa.Integer(), server_default='0', nullable=False),
    sa.Column('hidden', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rank_funded', sa.Integer(), server_default='0', nullable=False),
    sa.Column('rank_amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('rank_score', fundapp.core.money.FixedDecimal(precision=12, scale=2), server_default='0', nullable=False),
    sa.Column('best_funded', sa.Integer(), nullable=True),
    sa.Column('best_amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=True),
    sa.Column('best_score', fundapp.core.money.FixedDecimal(precision=12, scale=2), nullable=True),
    sa.Column('remaining', sa.Text(), server_default='{}', nullable=False),
    sa.CheckConstraint('solve_ms >= 0', name=op.f('ck_committee_scenario_runs_solve_ms_not_negative')),
    sa.CheckConstraint('time_limit_seconds > 0', name=op.f('ck_committee_scenario_runs_time_limit_positive')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_committee_scenario_runs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_scenario_runs')),
    sa.UniqueConstraint('user_id', name=op.f('uq_committee_scenario_runs_user_id'))
    )
    op.create_table('committee_scenario_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('score', fundapp.core.money.FixedDecimal(precision=5, scale=2), nullable=True),
    sa.Column('amount', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
    sa.Column('is_hidden', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('rank_funded', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('rank_from_earmarked', fundapp.core.money.FixedDecimal(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('rank_from_unearmarked', fundapp.core.money.FixedDecimal(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('rank_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('best_funded', sa.Boolean(), nullable=True),
    sa.Column('best_from_earmarked', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=True),
    sa.Column('best_from_unearmarked', fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=True),
    sa.Column('best_reason', sa.Text(), server_default='', nullable=False),
    sa.CheckConstraint('is_hidden OR rank IS NOT NULL', name=op.f('ck_committee_scenario_lines_visible_lines_ranked')),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_committee_scenario_lines_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['committee_scenario_runs.id'], name=op.f('fk_committee_scenario_lines_run_id_committee_scenario_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_scenario_lines')),
    sa.UniqueConstraint('run_id', 'position', name='uq_scenario_line_position')
    )
    with op.batch_alter_table('committee_scenario_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_scenario_lines_concept_note_id'), ['concept_note_id'], unique=False)

    op.create_table('committee_review_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('concept_note_id', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('weighted_total', fundapp.core.money.FixedDecimal(precision=5, scale=2), nullable=True),
    sa.Column('total_spread', fundapp.core.money.FixedDecimal(precision=5, scale=2), nullable=True),
    sa.Column('criteria', sa.Text(), server_default='[]', nullable=False),
    sa.Column('member_totals', sa.Text(), server_default='{}', nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(members = 0) = (weighted_total IS NULL)', name=op.f('ck_committee_review_summaries_total_iff_members')),
    sa.CheckConstraint('members >= 0', name=op.f('ck_committee_review_summaries_members_not_negative')),
    sa.CheckConstraint('weighted_total IS NULL OR weighted_total >= 0', name=op.f('ck_committee_review_summaries_weighted_total_not_negative')),
    sa.ForeignKeyConstraint(['concept_note_id'], ['concept_notes.id'], name=op.f('fk_committee_review_summaries_concept_note_id_concept_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['review_id'], ['committee_reviews.id'], name=op.f('fk_committee_review_summaries_review_id_committee_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_review_summaries')),
    sa.UniqueConstraint('review_id', name=op.f('uq_committee_review_summaries_review_id'))
    )
    with op.batch_alter_table('committee_review_summaries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_review_summaries_concept_note_id'), ['concept_note_id'], unique=True)
        batch_op.create_index('ix_committee_review_summaries_ranking', ['weighted_total', 'concept_note_id'], unique=False)

    backfill_summaries(op.get_bind())


# The tables as this revision knows them (the models may change later; this migration must not).
reviews = sa.table(
    "committee_reviews", sa.column("id", sa.Integer), sa.column("concept_note_id", sa.Integer),
    sa.column("closed_at", sa.DateTime),
)
notes = sa.table("concept_notes", sa.column("id", sa.Integer), sa.column("call_id", sa.Integer))
criteria = sa.table(
    "scoring_criteria", sa.column("id", sa.Integer), sa.column("call_id", sa.Integer), sa.column("code", sa.String),
    sa.column("weight", sa.Integer), sa.column("position", sa.Integer),
)
sheets = sa.table(
    "committee_score_sheets", sa.column("id", sa.Integer), sa.column("concept_note_id", sa.Integer),
    sa.column("seat_id", sa.Integer),
)
lines = sa.table(
    "committee_score_lines", sa.column("sheet_id", sa.Integer), sa.column("code", sa.String),
    sa.column("score", sa.Integer),
)
summaries = sa.table(
    "committee_review_summaries",
    sa.column("review_id", sa.Integer),
    sa.column("concept_note_id", sa.Integer),
    sa.column("members", sa.Integer),
    sa.column("weighted_total", fundapp.core.money.FixedDecimal(5, 2)),
    sa.column("total_spread", fundapp.core.money.FixedDecimal(5, 2)),
    sa.column("criteria", sa.Text),
    sa.column("member_totals", sa.Text),
    sa.column("computed_at", sa.DateTime),
)


def backfill_summaries(connection) -> None:
    """One summary per closed review, from its sheets and its criteria set (see the module docstring)."""
    closed = connection.execute(
        sa.select(reviews.c.id, reviews.c.concept_note_id, reviews.c.closed_at, notes.c.call_id)
        .join(notes, notes.c.id == reviews.c.concept_note_id)
        .where(reviews.c.closed_at.is_not(None))
        .order_by(reviews.c.id)
    ).all()
    if not closed:
        return
    sets: dict = {}
    for call_id, code, weight in connection.execute(
        sa.select(criteria.c.call_id, criteria.c.code, criteria.c.weight).order_by(criteria.c.position, criteria.c.id)
    ):
        sets.setdefault(call_id, {})[code] = weight
    scores: dict = {}
    for note_id, seat_id, code, score in connection.execute(
        sa.select(sheets.c.concept_note_id, sheets.c.seat_id, lines.c.code, lines.c.score).join(
            lines, lines.c.sheet_id == sheets.c.id
        )
    ):
        scores.setdefault(note_id, {}).setdefault(seat_id, {})[code] = score
    rows = []
    for review_id, note_id, closed_at, call_id in closed:
        weights = sets.get(call_id) or sets.get(None) or {}
        if not weights:
            continue  # no criteria at all: nothing was ever scored
        counted = {seat: s for seat, s in scores.get(note_id, {}).items() if set(s) == set(weights)}
        summary = summarise(counted, weights)
        rows.append(
            {
                "review_id": review_id,
                "concept_note_id": note_id,
                "members": summary.members,
                "weighted_total": summary.weighted_total,
                "total_spread": summary.total_spread,
                "criteria": json.dumps(
                    [
                        {
                            "code": c.code,
                            "weight": c.weight,
                            "mean": str(c.mean),
                            "minimum": c.minimum,
                            "maximum": c.maximum,
                            "spread": c.spread,
                            "points": str(c.points),
                        }
                        for c in summary.criteria
                    ]
                ),
                "member_totals": json.dumps({str(seat): str(t) for seat, t in summary.member_totals.items()}),
                "computed_at": closed_at,
            }
        )
    if rows:
        connection.execute(summaries.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table('committee_review_summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_committee_review_summaries_ranking')
        batch_op.drop_index(batch_op.f('ix_committee_review_summaries_concept_note_id'))

    op.drop_table('committee_review_summaries')
    with op.batch_alter_table('committee_scenario_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_scenario_lines_concept_note_id'))

    op.drop_table('committee_scenario_lines')
    op.drop_table('committee_scenario_runs')
