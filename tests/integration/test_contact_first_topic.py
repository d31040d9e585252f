"""``contacts.first_topic_id`` (migration 0004) is min(contact_topics.topic_id) after
every kind of write: the summaries read it instead of the topics, so a contact whose
copy drifted would be counted under the wrong focus area."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import Connection, text

from boligsag.services.contacts import ContactDraft, log_contact, update_contact
from boligsag.services.context import AppContext
from boligsag.storage import migrate

from .casework_helpers import contact_topic_ids, person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend


# Contacts whose copy differs from their topics (NULL = no topics; IS DISTINCT FROM
# compares NULLs on both dialects).
DRIFTED = text(
    "SELECT count(*) FROM contacts WHERE first_topic_id IS DISTINCT FROM "
    "(SELECT min(topic_id) FROM contact_topics WHERE contact_id = contacts.id)")


def _first_topic(ctx: AppContext, contact_id: int) -> int | None:
    with ctx.read() as unit:
        return unit.session.execute(text("SELECT first_topic_id FROM contacts WHERE id = :id"),
                               {"id": contact_id}).scalar_one()


def _drifted(ctx: AppContext) -> int:
    with ctx.read() as unit:
        return int(unit.session.execute(DRIFTED).scalar_one())


def test_first_topic_follows_the_topics_through_the_services(ctx: AppContext) -> None:
    school, homework, health = sorted(contact_topic_ids(ctx, "school", "homework", "health"))
    ayse = person(ctx).person
    draft = ContactDraft(channel="phone", person_ids=(ayse.id,), topic_ids=(health, homework),
                         occurred_at=datetime(2026, 11, 20, 9))
    row = log_contact(ctx, draft)
    assert _first_topic(ctx, row.id) == homework
    row = update_contact(ctx, row.id, row.version,
                         replace(draft, topic_ids=(health, school)))
    assert _first_topic(ctx, row.id) == school
    row = update_contact(ctx, row.id, row.version,
                         replace(draft, topic_ids=()))
    assert _first_topic(ctx, row.id) is None
    without = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                            occurred_at=datetime(2026, 11, 21, 9)))
    assert _first_topic(ctx, without.id) is None
    assert _drifted(ctx) == 0


def test_first_topic_follows_raw_sql_writes(ctx: AppContext) -> None:
    """The triggers, not the services, keep it: the stock sqlcipher shell is covered."""
    school, homework, health = sorted(contact_topic_ids(ctx, "school", "homework", "health"))
    ayse = person(ctx).person
    row = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                        topic_ids=(homework, health),
                                        occurred_at=datetime(2026, 11, 20, 9)))
    other = log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                          topic_ids=(health,),
                                          occurred_at=datetime(2026, 11, 21, 9)))
    steps = [
        ("INSERT INTO contact_topics (contact_id, topic_id) VALUES (:c, :school)", school),
        ("DELETE FROM contact_topics WHERE contact_id = :c AND topic_id = :school", homework),
        ("UPDATE contact_topics SET topic_id = :school WHERE contact_id = :c "
         "AND topic_id = :health", school),
        # Moving a topic to another contact updates both.
        ("UPDATE contact_topics SET contact_id = :o WHERE contact_id = :c "
         "AND topic_id = :school", homework),
        ("DELETE FROM contact_topics WHERE contact_id = :c", None),
    ]
    for sql, expected in steps:
        with ctx.write(None) as unit:
            unit.session.execute(text(sql), {"c": row.id, "o": other.id, "school": school,
                                             "health": health})
        assert _first_topic(ctx, row.id) == expected, sql
        assert _drifted(ctx) == 0, sql
    assert _first_topic(ctx, other.id) == school


def _migrate(connection: Connection, target: str, *, down: bool = False) -> None:
    config = migrate._config(connection)
    (command.downgrade if down else command.upgrade)(config, target)


# The SQLite triggers' own migration, on the encrypted file.
@pytest.mark.parametrize("backend", ["sqlcipher"], indirect=True)
def test_upgrade_to_0004_fills_first_topic_and_downgrade_removes_it(ctx: AppContext) -> None:
    school, homework = sorted(contact_topic_ids(ctx, "school", "homework"))
    ayse = person(ctx).person
    for topics in ((homework, school), (homework,), ()):
        log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,), topic_ids=topics,
                                      occurred_at=datetime(2026, 11, 20, 9)))
    with ctx.db.engine.begin() as connection:
        _migrate(connection, "0003", down=True)
        columns = {r[1] for r in connection.execute(text("PRAGMA table_info(contacts)"))}
        assert "first_topic_id" not in columns
    with ctx.db.engine.begin() as connection:
        _migrate(connection, "head")
    assert migrate.is_at_head(ctx.db.engine)
    with ctx.read() as unit:
        firsts = unit.session.execute(text(
            "SELECT first_topic_id FROM contacts ORDER BY id")).scalars().all()
    assert firsts == [school, homework, None]
    assert _drifted(ctx) == 0
