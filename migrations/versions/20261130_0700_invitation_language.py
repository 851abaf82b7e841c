"""Each invitation's language (the invitee's: email, welcome page, new account's profile): nullable, one of
core.i18n.LANGUAGES (earlier invitations keep none and are written in the fund's default)

Revision ID: 20261130_invitation_language
Revises: 20261130_collaboration
Create Date: 2026-11-30 07:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "20261130_invitation_language"
down_revision = "20261130_collaboration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), nullable=True))
        batch_op.create_check_constraint("ck_invitations_language_known", "language IN ('en', 'fr', 'es', 'ar')")


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint("ck_invitations_language_known", type_="check")
        batch_op.drop_column("language")
