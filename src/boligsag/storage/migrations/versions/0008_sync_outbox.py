"""team sync on a laptop: the outbox of local changes, the inbox of held-back pulled rows,
the change counter, and the triggers that fill the outbox (issue 12)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:30:00

- ``sync_outbox``: one row per synced row changed here since the server acknowledged it.
- ``sync_inbox``: pulled rows waiting for a row they refer to.
- ``sync_counter``: the last ``local_seq`` handed out (one row).
- ``sync_applying``: while it has a row, the triggers are silent (a sync writing the
  server's rows); a deferred foreign key keeps such a row from ever being committed.
- On SQLite only, the triggers of storage/sync_triggers.py, built from the synced tables
  and their wire fields as they are at this revision (frozen below, so that a later
  revision that adds a column replaces the triggers from its own copy). The team server
  (PostgreSQL) has the tables and no triggers: it never tracks changes this way.

New tables and triggers only: no existing row is rewritten or recorded, so the upgrade is
instant and a database's existing rows are not in the outbox.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from boligsag.storage import dialect, sync_triggers

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None

# services/sync/wire_tables.SPECS at this revision: per synced table the columns that
# travel ("column:wire" where the wire name differs), and the link and child tables as
# (parent table, wire field, table, parent column, other columns). Never edit: a change
# of the synced columns is a new revision with its own copy (sync_triggers.py).
_FIELDS: dict[str, tuple[str, ...]] = {
    "areas": ("name", "municipality", "postal_code", "city"),
    "users": ("username", "full_name", "role", "title", "phone", "email", "active"),
    "plans": ("name", "period", "start_date", "end_date"),
    "services": (
        "code", "name", "unit", "street", "postal_code", "city", "contact_person", "phone",
        "secure_email", "active", "sort_order"),
    "households": ("name", "street", "postal_code", "city", "phone", "area_id:area", "note"),
    "people": (
        "first_name", "last_name", "cpr", "birth_date", "gender", "phone", "email", "street",
        "postal_code", "city", "area_id:area", "household_id:household", "languages", "restricted",
        "responsible_user_id:responsible_user", "note", "anonymised_at"),
    "person_relations": ("parent_id:parent", "child_id:child", "has_custody"),
    "activities": (
        "name", "kind", "mode", "plan_id:plan", "focus_area_id:focus_area", "area_id:area",
        "responsible_user_id:responsible_user", "description", "start_date", "end_date"),
    "consents": (
        "person_id:person", "service_id:service", "scope", "purpose",
        "given_by_person_id:given_by_person", "given_by_name", "valid_from", "valid_to",
        "signed_on", "withdrawn_on", "note"),
    "referrals": (
        "person_id:person", "service_id:service", "consent_id:consent", "kind", "reason",
        "contact_user_id:contact_user", "status", "status_changed_on", "created_on", "sent_on",
        "first_meeting_on", "closed_on"),
    "referral_events": (
        "referral_id:referral", "from_status", "to_status", "on", "recorded_at", "note"),
    "contacts": (
        "kind", "occurred_at", "staff_user_id:staff_user", "channel_id:channel", "duration_minutes",
        "note", "anonymous", "age_group", "gender", "area_id:area", "activity_id:activity",
        "follow_up_date", "follow_up_done_at", "referred_to_service_id:referred_to_service",
        "referred_to_text", "ssp_locked"),
    "enrollments": (
        "person_id:person", "activity_id:activity", "household_id:household",
        "mentor_user_id:mentor_user", "start_date", "end_date", "end_reason", "goals", "note"),
    "sessions": ("activity_id:activity", "date", "start_time", "duration_minutes", "note"),
    "jobs": (
        "person_id:person", "kind", "activity_id:activity", "employer", "start_date", "end_date",
        "hours_per_week", "hourly_pay", "previous_job_id:previous_job", "note"),
    "job_follow_ups": (
        "job_id:job", "months", "due_date", "status", "recorded_at", "recorded_by_id:recorded_by"),
    "reminders": (
        "owner_user_id:owner_user", "due_on", "text", "person_id:person", "contact_id:contact",
        "referral_id:referral", "done_at"),
    "sync_conflicts": (
        "table_name", "row_uuid", "field", "kind", "kept_value", "other_value",
        "kept_user_id:kept_user", "kept_at", "other_user_id:other_user", "other_device_uuid",
        "other_at", "resolved_at", "resolved_by_id:resolved_by", "resolution"),
}
_MEMBERS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("users", "areas", "user_areas", "user_id", ("area_id",)),
    ("plans", "areas", "plan_areas", "plan_id", ("area_id",)),
    ("plans", "focus_areas", "plan_focus_areas", "plan_id", ("focus_area_id",)),
    ("contacts", "people", "contact_people", "contact_id", ("person_id",)),
    ("contacts", "topics", "contact_topics", "contact_id", ("topic_id",)),
    ("enrollments", "topics", "enrollment_topics", "enrollment_id", ("topic_id",)),
    ("sessions", "staff", "session_staff", "session_id", ("user_id",)),
    ("sessions", "attendance", "attendance", "session_id",
     ("person_id", "present", "absence_reason")),
    ("sessions", "head_counts", "head_counts", "session_id", ("age_group", "gender", "count")),
)

TRACKED = sync_triggers.tracked(_FIELDS, _MEMBERS)


def upgrade() -> None:
    op.create_table(
        "sync_outbox",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_uuid", sa.String(length=36), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("local_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_uuid", name=op.f("pk_sync_outbox")),
    )
    op.create_table(
        "sync_inbox",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("row_json", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_uuid", name=op.f("pk_sync_inbox")),
    )
    op.create_table(
        "sync_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_counter")),
    )
    op.create_table(
        "sync_applying",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["pending"], ["sync_counter.id"],
                                name=op.f("fk_sync_applying_pending_sync_counter"),
                                deferrable=True, initially="DEFERRED"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_applying")),
    )
    if _sqlite():
        op.execute("INSERT INTO sync_counter (id, local_seq) VALUES (1, 0)")
        for statement in sync_triggers.create_statements(TRACKED):
            op.execute(statement)


def downgrade() -> None:
    if _sqlite():
        for statement in sync_triggers.drop_statements(sync_triggers.trigger_names(TRACKED)):
            op.execute(statement)
    op.drop_table("sync_applying")
    op.drop_table("sync_counter")
    op.drop_table("sync_inbox")
    op.drop_table("sync_outbox")


def _sqlite() -> bool:
    return dialect.check_supported(op.get_bind().dialect.name) == dialect.SQLITE
