"""staff areas and personal reminders

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 12:40:00

- ``user_areas``: the housing areas each staff member works in (staff management).
- ``reminders``: "Påmind mig" — a date and a short text a staff member sets for
  themself, optionally about a person, a contact or a referral.

Both are new tables: no existing row is rewritten, so the upgrade is instant.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_areas",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_areas_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"],
                                name=op.f("fk_user_areas_area_id_areas"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "area_id", name=op.f("pk_user_areas")),
    )
    op.create_table(
        "reminders",
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"],
                                name=op.f("fk_reminders_owner_user_id_users")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_reminders_person_id_people")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_reminders_contact_id_contacts")),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"],
                                name=op.f("fk_reminders_referral_id_referrals")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_reminders_created_by_id_users")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_reminders_updated_by_id_users")),
        sa.ForeignKeyConstraint(["deleted_by_id"], ["users.id"],
                                name=op.f("fk_reminders_deleted_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("uuid", name=op.f("uq_reminders_uuid")),
    )
    op.create_index("ix_reminders_owner_due", "reminders",
                    ["owner_user_id", "done_at", "deleted_at", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_reminders_owner_due", table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("user_areas")
