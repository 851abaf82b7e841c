"""Committee decisions: blind reviews and scores, declared conflicts of interest, meetings with agenda items,
attendance and votes, and the light joint programme document.

Revision ID: 20261126_committee_decisions
Revises: 20261126_committee
Create Date: 2026-11-26 19:54:54.970220

"""

import sqlalchemy as sa
from alembic import op

import fundapp.core.money


# revision identifiers, used by Alembic.
revision = "20261126_committee_decisions"
down_revision = "20261126_committee"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quorum_text", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_committee_meetings_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_meetings")),
    )
    with op.batch_alter_table("committee_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_meetings_held_on"), ["held_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_meetings_status"), ["status"], unique=False)

    op.create_table(
        "committee_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["committee_meetings.id"],
            name=op.f("fk_committee_attendance_meeting_id_committee_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_committee_attendance_seat_id_committee_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_attendance")),
        sa.UniqueConstraint("meeting_id", "seat_id", name="uq_attendance_meeting_seat"),
    )
    with op.batch_alter_table("committee_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_attendance_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_attendance_seat_id"), ["seat_id"], unique=False)

    op.create_table(
        "committee_agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("endorsement", "funding", "other", name="itemkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("concept_note_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=250), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "endorse",
                "reject",
                "defer",
                "return_",
                "approve_funding",
                "approve",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("amount", fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.Column("rationale", sa.Text(), server_default="", nullable=False),
        sa.Column("shared_comment", sa.Text(), server_default="", nullable=False),
        sa.Column("rule_text", sa.Text(), server_default="", nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind = 'other' OR concept_note_id IS NOT NULL", name=op.f("ck_committee_agenda_items_note_items_have_note")
        ),
        sa.CheckConstraint("amount IS NULL OR amount > 0", name=op.f("ck_committee_agenda_items_amount_positive")),
        sa.ForeignKeyConstraint(
            ["concept_note_id"],
            ["concept_notes.id"],
            name=op.f("fk_committee_agenda_items_concept_note_id_concept_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_committee_agenda_items_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["committee_meetings.id"],
            name=op.f("fk_committee_agenda_items_meeting_id_committee_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_agenda_items")),
    )
    with op.batch_alter_table("committee_agenda_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_agenda_items_concept_note_id"), ["concept_note_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_committee_agenda_items_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_agenda_items_status"), ["status"], unique=False)

    op.create_table(
        "committee_recusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_note_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_note_id"],
            ["concept_notes.id"],
            name=op.f("fk_committee_recusals_concept_note_id_concept_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_committee_recusals_seat_id_committee_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_recusals")),
        sa.UniqueConstraint("concept_note_id", "seat_id", name="uq_recusal_note_seat"),
    )
    with op.batch_alter_table("committee_recusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_recusals_concept_note_id"), ["concept_note_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_recusals_seat_id"), ["seat_id"], unique=False)

    op.create_table(
        "committee_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_note_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_committee_reviews_closed_by_id_users")),
        sa.ForeignKeyConstraint(
            ["concept_note_id"],
            ["concept_notes.id"],
            name=op.f("fk_committee_reviews_concept_note_id_concept_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_committee_reviews_opened_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_reviews")),
    )
    with op.batch_alter_table("committee_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_reviews_concept_note_id"), ["concept_note_id"], unique=True)

    op.create_table(
        "committee_score_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_note_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("scored_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_note_id"],
            ["concept_notes.id"],
            name=op.f("fk_committee_score_sheets_concept_note_id_concept_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_committee_score_sheets_seat_id_committee_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_score_sheets")),
        sa.UniqueConstraint("concept_note_id", "seat_id", name="uq_score_sheet_note_seat"),
    )
    with op.batch_alter_table("committee_score_sheets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_score_sheets_concept_note_id"), ["concept_note_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_committee_score_sheets_seat_id"), ["seat_id"], unique=False)

    op.create_table(
        "joint_programme_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concept_note_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_joint_programme_documents_dates_ordered")),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_joint_programme_documents_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["concept_note_id"],
            ["concept_notes.id"],
            name=op.f("fk_joint_programme_documents_concept_note_id_concept_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_programme_documents")),
    )
    with op.batch_alter_table("joint_programme_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_joint_programme_documents_concept_note_id"), ["concept_note_id"], unique=True
        )

    op.create_table(
        "committee_score_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score >= 1 AND score <= 5", name=op.f("ck_committee_score_lines_score_range")),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["committee_score_sheets.id"],
            name=op.f("fk_committee_score_lines_sheet_id_committee_score_sheets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_score_lines")),
        sa.UniqueConstraint("sheet_id", "code", name="uq_score_line_sheet_code"),
    )
    with op.batch_alter_table("committee_score_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_score_lines_sheet_id"), ["sheet_id"], unique=False)

    op.create_table(
        "committee_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column(
            "vote", sa.Enum("approve", "object", "abstain", name="vote", native_enum=False, length=10), nullable=False
        ),
        sa.Column("rationale", sa.Text(), server_default="", nullable=False),
        sa.Column("cast_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["committee_agenda_items.id"],
            name=op.f("fk_committee_votes_item_id_committee_agenda_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["committee_seats.id"], name=op.f("fk_committee_votes_seat_id_committee_seats")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_votes")),
        sa.UniqueConstraint("item_id", "seat_id", name="uq_vote_item_seat"),
    )
    with op.batch_alter_table("committee_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_committee_votes_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_committee_votes_seat_id"), ["seat_id"], unique=False)

    op.create_table(
        "joint_programme_budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("amount", fundapp.core.money.FixedDecimal(precision=14, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_joint_programme_budget_lines_amount_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["joint_programme_documents.id"],
            name=op.f("fk_joint_programme_budget_lines_document_id_joint_programme_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_joint_programme_budget_lines_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_programme_budget_lines")),
        sa.UniqueConstraint("document_id", "organisation_id", name="uq_programme_budget_org"),
    )
    with op.batch_alter_table("joint_programme_budget_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_joint_programme_budget_lines_document_id"), ["document_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("joint_programme_budget_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_programme_budget_lines_document_id"))

    op.drop_table("joint_programme_budget_lines")
    with op.batch_alter_table("committee_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_votes_seat_id"))
        batch_op.drop_index(batch_op.f("ix_committee_votes_item_id"))

    op.drop_table("committee_votes")
    with op.batch_alter_table("committee_score_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_score_lines_sheet_id"))

    op.drop_table("committee_score_lines")
    with op.batch_alter_table("joint_programme_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_joint_programme_documents_concept_note_id"))

    op.drop_table("joint_programme_documents")
    with op.batch_alter_table("committee_score_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_score_sheets_seat_id"))
        batch_op.drop_index(batch_op.f("ix_committee_score_sheets_concept_note_id"))

    op.drop_table("committee_score_sheets")
    with op.batch_alter_table("committee_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_reviews_concept_note_id"))

    op.drop_table("committee_reviews")
    with op.batch_alter_table("committee_recusals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_recusals_seat_id"))
        batch_op.drop_index(batch_op.f("ix_committee_recusals_concept_note_id"))

    op.drop_table("committee_recusals")
    with op.batch_alter_table("committee_agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_agenda_items_status"))
        batch_op.drop_index(batch_op.f("ix_committee_agenda_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_committee_agenda_items_concept_note_id"))

    op.drop_table("committee_agenda_items")
    with op.batch_alter_table("committee_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_attendance_seat_id"))
        batch_op.drop_index(batch_op.f("ix_committee_attendance_meeting_id"))

    op.drop_table("committee_attendance")
    with op.batch_alter_table("committee_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_meetings_status"))
        batch_op.drop_index(batch_op.f("ix_committee_meetings_held_on"))

    op.drop_table("committee_meetings")
