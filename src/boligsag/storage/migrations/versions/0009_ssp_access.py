"""SSP access per staff member (issue 13 §5, retsplejeloven § 115)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 14:10:00

- ``users.ssp_access``: whether the staff member may read SSP-locked notes. Everyone
  starts without it, except the authors of SSP-locked contacts already in the database,
  who wrote (and so read) those notes: nobody loses sight of their own note.
- On SQLite, the outbox triggers are replaced from the description frozen below (the
  users table's wire fields gained ``ssp_access``; sync_triggers.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from boligsag.storage import dialect, sync_triggers

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None

# services/sync/wire_tables.SPECS at this revision (0008's copy with users.ssp_access).
# Never edit: a change of the synced columns is a new revision with its own copy.
_FIELDS: dict[str, tuple[str, ...]] = {
    "areas": ("name", "municipality", "postal_code", "city"),
    "users": ("username", "full_name", "role", "title", "phone", "email", "active",
              "ssp_access"),
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
    # A plain ADD COLUMN (no table rebuild: on SQLite that would trip the foreign keys
    # pointing at users).
    op.add_column("users", sa.Column("ssp_access", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    if _sqlite():
        # The grant below is this revision's own doing, not a local edit to push.
        op.execute("INSERT INTO sync_applying (id, pending) VALUES (1, 1)")
    op.execute("UPDATE users SET ssp_access = TRUE WHERE id IN "
               "(SELECT staff_user_id FROM contacts WHERE ssp_locked)")
    if _sqlite():
        op.execute("DELETE FROM sync_applying")
        existing = [name for (name,) in op.get_bind().execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"))]
        for statement in sync_triggers.replace_statements(existing, TRACKED):
            op.execute(statement)


def downgrade() -> None:
    if _sqlite():
        before = {**_FIELDS, "users": tuple(f for f in _FIELDS["users"] if f != "ssp_access")}
        existing = [name for (name,) in op.get_bind().execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"))]
        for statement in sync_triggers.drop_statements(
                n for n in existing if n.startswith(sync_triggers.PREFIX)):
            op.execute(statement)
    op.execute("ALTER TABLE users DROP COLUMN ssp_access")  # SQLite 3.35 and later
    if _sqlite():
        for statement in sync_triggers.create_statements(
                sync_triggers.tracked(before, _MEMBERS)):
            op.execute(statement)


def _sqlite() -> bool:
    return dialect.check_supported(op.get_bind().dialect.name) == dialect.SQLITE

