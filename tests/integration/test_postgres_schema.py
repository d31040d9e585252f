"""The Alembic history runs on PostgreSQL too (DESIGN.md §8: one schema, two dialects):
a fresh team-server database upgrades to head with every table of the models, and the
PostgreSQL counterparts of the SQLite-only pieces (storage/dialect.py) do their work."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Connection, Engine, create_engine, delete, insert, inspect, text, update

from boligsag.storage import migrate
from boligsag.storage.models import Base

TABLES = Base.metadata.tables


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


def test_a_fresh_postgresql_database_upgrades_to_head_with_every_table(
        pg_engine: Engine) -> None:
    assert migrate.is_at_head(pg_engine)
    inspector = inspect(pg_engine)
    assert set(inspector.get_table_names()) == {*TABLES, "alembic_version"}
    for name, table in TABLES.items():
        assert {c["name"] for c in inspector.get_columns(name)} == set(table.columns.keys()), name
    people_indexes = {index["name"] for index in inspector.get_indexes("people")}
    assert {"ix_people_search", "ix_people_sort_name", "ix_people_first_name"} <= people_indexes
    with pg_engine.connect() as connection:
        search = connection.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_people_search'")).scalar_one()
    assert "USING gin" in search and "gin_trgm_ops" in search


def _contact(connection: Connection, user_id: int, channel_id: int) -> int:
    return connection.execute(insert(TABLES["contacts"]).values(
        kind="individual", occurred_at=datetime(2026, 11, 20, 9), staff_user_id=user_id,
        channel_id=channel_id, duration_minutes=30, note="", anonymous=False,
        referred_to_text="", ssp_locked=False, uuid=str(uuid.uuid4()), version=1,
    ).returning(TABLES["contacts"].c.id)).scalar_one()


def _topics(connection: Connection, count: int) -> list[int]:
    return [connection.execute(insert(TABLES["topics"]).values(
        category="topic", code=f"t{n}", name_da=f"Emne {n}", name_en=f"Topic {n}",
        active=True, sort_order=n).returning(TABLES["topics"].c.id)).scalar_one()
        for n in range(count)]


def _first_topic(connection: Connection, contact_id: int) -> int | None:
    return connection.execute(text("SELECT first_topic_id FROM contacts WHERE id = :id"),
                              {"id": contact_id}).scalar_one()


def test_first_topic_id_follows_the_topics_on_postgresql(pg_engine: Engine) -> None:
    links = TABLES["contact_topics"]
    with pg_engine.begin() as connection:
        user_id = connection.execute(insert(TABLES["users"]).values(
            username="mette", full_name="Mette Jensen", role="staff", title="", phone="",
            email="", active=True, uuid=str(uuid.uuid4()), version=1,
        ).returning(TABLES["users"].c.id)).scalar_one()
        channel_id = connection.execute(insert(TABLES["channels"]).values(
            code="phone", name_da="Telefon", name_en="Phone", active=True, sort_order=1,
        ).returning(TABLES["channels"].c.id)).scalar_one()
        first, second, third = _topics(connection, 3)
        contact_id = _contact(connection, user_id, channel_id)
        other_id = _contact(connection, user_id, channel_id)
        assert _first_topic(connection, contact_id) is None

        connection.execute(insert(links), [{"contact_id": contact_id, "topic_id": third},
                                           {"contact_id": contact_id, "topic_id": second}])
        assert _first_topic(connection, contact_id) == second

        connection.execute(insert(links).values(contact_id=contact_id, topic_id=first))
        assert _first_topic(connection, contact_id) == first

        # Moving a link to another contact recomputes both contacts.
        connection.execute(update(links).where(links.c.topic_id == first)
                           .values(contact_id=other_id))
        assert _first_topic(connection, contact_id) == second
        assert _first_topic(connection, other_id) == first

        connection.execute(delete(links).where(links.c.contact_id == contact_id))
        assert _first_topic(connection, contact_id) is None
        assert _first_topic(connection, other_id) == first
