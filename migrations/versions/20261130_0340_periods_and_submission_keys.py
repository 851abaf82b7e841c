"""Accounting periods, one-time submission keys, and the bank reference of a deposit

- accounting_periods: one row per month that has been closed at least once (status open or closed, when
  and by whom it was last closed, its figures at that close).
- submission_keys: a form's one-time key per user and where its first submission led (a repeat is sent
  there instead of posting again).
- deposits.reference: the bank's reference of a payment, which tells a re-imported payment from a new one.

Revision ID: 20261130_periods_once
Revises: 20261130_review_closes_on
Create Date: 2026-11-30 03:40:53.562287

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_periods_once"
down_revision = "20261130_review_closes_on"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounting_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_accounting_periods_status_known")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_accounting_periods_closed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounting_periods")),
        sa.UniqueConstraint("month", name=op.f("uq_accounting_periods_month")),
    )
    op.create_table(
        "submission_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("endpoint", sa.String(length=120), server_default="", nullable=False),
        sa.Column("result_url", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submission_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_keys")),
        sa.UniqueConstraint("user_id", "key", name="uq_submission_keys_user_key"),
    )
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        batch_op.drop_column("reference")
    op.drop_table("submission_keys")
    op.drop_table("accounting_periods")
