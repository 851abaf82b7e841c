"""Committee reviews get the day their scores are due (the members' inboxes sort by it)

Reviews still open get opening day + 21 days (the default for new reviews); closed ones keep none.

Revision ID: 20261130_review_closes_on
Revises: 20261130_accounts
Create Date: 2026-11-30 03:37:13.285886

"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '20261130_review_closes_on'
down_revision = '20261130_accounts'
branch_labels = None
depends_on = None

#: As committee.services.REVIEW_DAYS when this migration was written.
REVIEW_DAYS = 21


def upgrade() -> None:
    with op.batch_alter_table('committee_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closes_on', sa.Date(), nullable=True))
    reviews = sa.table(
        'committee_reviews',
        sa.column('id', sa.Integer),
        sa.column('opened_at', sa.DateTime),
        sa.column('closed_at', sa.DateTime),
        sa.column('closes_on', sa.Date),
    )
    connection = op.get_bind()
    open_reviews = connection.execute(
        sa.select(reviews.c.id, reviews.c.opened_at).where(reviews.c.closed_at.is_(None))
    ).all()
    for review_id, opened_at in open_reviews:
        connection.execute(
            reviews.update()
            .where(reviews.c.id == review_id)
            .values(closes_on=opened_at.date() + timedelta(days=REVIEW_DAYS))
        )


def downgrade() -> None:
    with op.batch_alter_table('committee_reviews', schema=None) as batch_op:
        batch_op.drop_column('closes_on')
