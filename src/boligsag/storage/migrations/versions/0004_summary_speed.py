"""summary speed: each contact's first topic kept on the contact, and covering indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:00:00

Measured on the benchmark database (500,000 contacts, ten years), where a summary spent
most of its time in per-contact work that these remove:

- ``contacts.first_topic_id``: the contact's lowest topic id, which decides its focus
  area when its activity has none (``services.summaries.scope``). Looking it up in
  ``contact_topics`` cost an index seek per contact, about 0.4 s of a ten-year summary;
  read from the covering index it costs nothing. It also lets the summary read only
  the *other* topics of a contact (``topic_id > first_topic_id``), ~0.3 s less.
  Triggers keep it equal to ``min(contact_topics.topic_id)`` on every write, including
  the stock sqlcipher shell's, so it can never drift from the rows it is derived from.
  No foreign key of its own: ``contact_topics`` already holds that one. NOTE for later
  migrations: SQLite drops a table's triggers with the table, so a batch (copy-and-move)
  migration of ``contact_topics`` must recreate them (``create_triggers()`` below).
- ``ix_contacts_period`` gains ``first_topic_id`` (rebuilt: SQLite cannot add a column
  to an index).
- ``ix_contacts_month``: the contacts ordered by month, channel, activity and first
  topic, the keys the summary counts them by, so each month's GROUP BY reads them in
  order instead of sorting them: 0.6 s -> 0.25 s on ten years. The month is the
  expression ``substr(occurred_at, 1, 7)``; SQLite uses the index only for a query
  that spells it the same way, with literal 1 and 7.
- ``ix_contacts_anonymous``: a partial covering index of the anonymous contacts (one in
  twelve), so their table by age group and gender skips the named ones. Its WHERE must
  be spelled as SQLAlchemy renders the summary's condition (``anonymous IS 1``), or the
  planner will not use it.
- ``ix_contacts_staff`` (staff member, time) becomes covering for the summaries. SQLite
  picks it for a summary of a few staff members, and used to read each contact's row
  from the table as well (decrypting a page each): 1.6x plain SQLite. Covering, it
  costs 6 MB more on 500,000 contacts.
- ``ix_referral_events_status`` replaces ``ix_referral_events_referral_id``: the same
  leading column, plus status and tombstone, so the referral flow's "was it ever
  received?" check is answered from the index instead of decrypting event rows.

The backfill rewrites every contact row once and the indexes are built: on unlock of
the 500,000-contact database here 9 s, with the backup copy unlock makes first; the
file grows by ~9 % (390 -> 424 MB).

On PostgreSQL (the team server) one PL/pgSQL trigger keeps ``first_topic_id`` and the
month index uses ``date_trunc``: see ``boligsag.storage.dialect``.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from boligsag.storage import dialect

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None

_PERIOD_0003 = ["occurred_at", "deleted_at", "anonymous", "channel_id", "duration_minutes",
                "staff_user_id", "area_id", "activity_id", "age_group", "gender"]
_PERIOD = [*_PERIOD_0003[:8], "first_topic_id", *_PERIOD_0003[8:]]
_STAFF_0001 = ["staff_user_id", "occurred_at"]
_STAFF = [*_STAFF_0001, "deleted_at", "anonymous", "channel_id", "duration_minutes", "area_id",
          "activity_id", "first_topic_id", "age_group", "gender"]
# After the month expression, which each dialect spells its own way (storage.dialect).
_MONTH = ["channel_id", "activity_id", "first_topic_id",
          "anonymous", "duration_minutes", "occurred_at", "deleted_at", "staff_user_id",
          "area_id"]
_ANONYMOUS = ["occurred_at", "deleted_at", "age_group", "gender", "staff_user_id", "area_id",
              "activity_id", "first_topic_id"]
_TRIGGERS = ("contact_topics_first_insert", "contact_topics_first_delete",
             "contact_topics_first_update")


def _recompute(contact_id: str) -> str:
    return (f"UPDATE contacts SET first_topic_id = (SELECT min(topic_id) FROM contact_topics "
            f"WHERE contact_id = {contact_id}) WHERE id = {contact_id};")


def _dialect() -> str:
    return dialect.check_supported(op.get_bind().dialect.name)


def create_triggers() -> None:
    if _dialect() == dialect.POSTGRESQL:
        for statement in dialect.first_topic_trigger_postgresql():
            op.execute(statement)
        return
    # Recomputed from contact_topics rather than adjusted, so each trigger is correct on
    # its own; a contact has a handful of topics, so the min() is one short index range.
    op.execute("CREATE TRIGGER contact_topics_first_insert AFTER INSERT ON contact_topics "
               f"BEGIN {_recompute('new.contact_id')} END")
    op.execute("CREATE TRIGGER contact_topics_first_delete AFTER DELETE ON contact_topics "
               f"BEGIN {_recompute('old.contact_id')} END")
    op.execute("CREATE TRIGGER contact_topics_first_update AFTER UPDATE OF contact_id, "
               f"topic_id ON contact_topics BEGIN {_recompute('old.contact_id')} "
               f"{_recompute('new.contact_id')} END")


def drop_triggers() -> None:
    if _dialect() == dialect.POSTGRESQL:
        for statement in dialect.drop_first_topic_trigger_postgresql():
            op.execute(statement)
        return
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    # Plain ALTER/CREATE/DROP, not batch mode: a batch copy of contacts would rewrite
    # the biggest table and drop nothing we need to keep.
    op.execute("ALTER TABLE contacts ADD COLUMN first_topic_id INTEGER")
    op.execute("UPDATE contacts SET first_topic_id = (SELECT min(topic_id) FROM contact_topics "
               "WHERE contact_topics.contact_id = contacts.id)")
    create_triggers()
    op.drop_index("ix_contacts_period", table_name="contacts")
    op.create_index("ix_contacts_period", "contacts", _PERIOD)
    month = [dialect.month_expression(_dialect()), *_MONTH]
    op.execute(f"CREATE INDEX ix_contacts_month ON contacts ({', '.join(month)})")
    op.drop_index("ix_contacts_staff", table_name="contacts")
    op.create_index("ix_contacts_staff", "contacts", _STAFF)
    op.create_index("ix_contacts_anonymous", "contacts", _ANONYMOUS,
                    sqlite_where=text("anonymous IS 1"),
                    postgresql_where=text("anonymous IS true"))
    op.create_index("ix_referral_events_status", "referral_events",
                    ["referral_id", "to_status", "deleted_at"])
    op.drop_index("ix_referral_events_referral_id", table_name="referral_events")


def downgrade() -> None:
    op.create_index("ix_referral_events_referral_id", "referral_events", ["referral_id"])
    op.drop_index("ix_referral_events_status", table_name="referral_events")
    op.drop_index("ix_contacts_anonymous", table_name="contacts")
    op.drop_index("ix_contacts_month", table_name="contacts")
    op.drop_index("ix_contacts_staff", table_name="contacts")
    op.create_index("ix_contacts_staff", "contacts", _STAFF_0001)
    op.drop_index("ix_contacts_period", table_name="contacts")
    op.create_index("ix_contacts_period", "contacts", _PERIOD_0003)
    drop_triggers()
    op.execute("ALTER TABLE contacts DROP COLUMN first_topic_id")

