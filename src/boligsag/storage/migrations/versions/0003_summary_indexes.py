"""summary indexes: covering indexes for the team-lead summaries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 15:00:00

A summary reads every contact and referral of its period. Under SQLCipher each page read
is decrypted, so the summary reads them from covering indexes that hold exactly the
columns it needs (DESIGN.md §5: a year's GROUP BY 1,100 ms through a plain date index,
88 ms through a covering one).

- ``ix_contacts_period`` replaces ``ix_contacts_summary``: the same leading
  ``occurred_at`` plus area, activity, age group and gender, so filtering by area, plan,
  activity or focus area and counting anonymous contacts never touch the table (whose
  rows carry the notes). One wide index rather than two overlapping ones keeps the cost
  of logging a contact the same.
- ``ix_referrals_cohort``: referrals created in a period with service, status, dates,
  person and staff member.
"""

from __future__ import annotations

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

_CONTACTS_PERIOD = ["occurred_at", "deleted_at", "anonymous", "channel_id", "duration_minutes",
                    "staff_user_id", "area_id", "activity_id", "age_group", "gender"]
_CONTACTS_SUMMARY = ["occurred_at", "channel_id", "duration_minutes", "staff_user_id",
                     "anonymous", "deleted_at"]
_REFERRALS_COHORT = ["created_on", "kind", "deleted_at", "service_id", "status", "sent_on",
                     "first_meeting_on", "person_id", "contact_user_id"]


def upgrade() -> None:
    # Plain CREATE/DROP INDEX, not batch mode: SQLite adds and drops indexes in place,
    # and a batch copy of contacts would rewrite the biggest table for nothing.
    op.create_index("ix_contacts_period", "contacts", _CONTACTS_PERIOD)
    op.drop_index("ix_contacts_summary", table_name="contacts")
    op.create_index("ix_referrals_cohort", "referrals", _REFERRALS_COHORT)


def downgrade() -> None:
    op.drop_index("ix_referrals_cohort", table_name="referrals")
    op.create_index("ix_contacts_summary", "contacts", _CONTACTS_SUMMARY)
    op.drop_index("ix_contacts_period", table_name="contacts")
