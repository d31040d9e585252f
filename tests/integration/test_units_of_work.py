"""The two entry points of every service: ``ctx.read`` never writes and never takes the
write lock; ``ctx.write`` checks, locks, audits and commits in one fixed order.

``ctx`` runs each backend-neutral test on both backends: a real encrypted file and a
PostgreSQL database (storage/server_engine.py); ``file_ctx`` is for the tests of the
SQLite side alone (driver connections, PRAGMA, SQLite's temp schema)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.permissions import Permission
from boligsag.services.context import AppContext
from boligsag.services.errors import NotFound, PermissionDenied, StaleRecord
from boligsag.storage.database import ReadOnlyViolation
from boligsag.storage.engine import READ_ONLY_OPTION
from boligsag.storage.models import Area, AuditEntry, Person, User

from .casework_helpers import person


@pytest.fixture
def file_ctx(sqlcipher_ctx: AppContext) -> AppContext:
    return sqlcipher_ctx


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    return backend


def audit_count(ctx: AppContext, detail: str) -> int:
    with ctx.read() as unit:
        return unit.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.detail == detail)
        ) or 0


def admin_name(ctx: AppContext) -> str:
    with ctx.read() as unit:
        return unit.session.get_one(User, ctx.actor.user_id).full_name


# -- reading -------------------------------------------------------------------------------


def test_read_refuses_an_orm_flush(ctx: AppContext) -> None:
    with pytest.raises(ReadOnlyViolation), ctx.read() as unit:
        unit.session.add(Area(name="Nyt område", municipality="Odense"))
        unit.session.flush()


def test_read_refuses_changes_left_unflushed(ctx: AppContext) -> None:
    with pytest.raises(ReadOnlyViolation), ctx.read() as unit:
        unit.session.get_one(User, ctx.actor.user_id).full_name = "Ændret"
    assert admin_name(ctx) == "Åse Nørgaard"


@pytest.mark.parametrize("statement", [
    "INSERT INTO areas (uuid, name, municipality, version, created_at, updated_at) "
    "VALUES ('x', 'y', 'z', 1, '2026-01-01', '2026-01-01')",
    "UPDATE users SET full_name = 'Ændret'",
    "DELETE FROM audit_entries",
    "CREATE TABLE sneaky (x INTEGER)",
    "DROP TABLE areas",
    "ALTER TABLE users ADD COLUMN sneaky TEXT",
    "CREATE INDEX sneaky ON users (full_name)",
])
def test_read_refuses_raw_writes_to_the_main_database(ctx: AppContext, statement: str) -> None:
    with pytest.raises(ReadOnlyViolation, match="read unit of work tried to write"), \
            ctx.read() as unit:
        unit.session.execute(text(statement))
    # Nothing changed, and the pooled connection that refused is clean again: a write
    # unit (which may get that very connection) saves normally.
    assert admin_name(ctx) == "Åse Nørgaard"
    with ctx.write(None) as unit:
        unit.session.get_one(User, ctx.actor.user_id).full_name = "Åse N."
    assert admin_name(ctx) == "Åse N."


def test_read_refuses_a_pragma_that_writes_the_file(file_ctx: AppContext) -> None:
    with pytest.raises(ReadOnlyViolation, match="read unit of work tried to write"), \
            file_ctx.read() as unit:
        unit.session.execute(text("PRAGMA user_version = 12345"))


def test_a_connection_that_served_a_read_can_write_raw_sql_afterwards(
        file_ctx: AppContext) -> None:
    ctx = file_ctx
    with ctx.read() as unit:
        driver = unit.session.connection().connection.driver_connection
        unit.session.execute(select(User)).all()
    driver.execute("BEGIN IMMEDIATE")
    driver.execute("UPDATE users SET full_name = full_name")  # refused if still guarded
    driver.execute("ROLLBACK")


def test_read_allows_temp_tables(file_ctx: AppContext) -> None:
    with file_ctx.read() as unit:
        s = unit.session
        s.execute(text("CREATE TEMP TABLE scratch (n INTEGER)"))
        s.execute(text("INSERT INTO scratch SELECT id FROM users"))
        s.execute(text("UPDATE scratch SET n = n + 1"))
        s.execute(text("CREATE INDEX temp.scratch_n ON scratch (n)"))
        assert s.scalar(text("SELECT count(*) FROM scratch")) == 1
        s.execute(text("DELETE FROM scratch"))
        s.execute(text("DROP TABLE scratch"))


def test_postgres_read_fills_temp_tables_made_before_it_but_cannot_create_one(
        postgresql_ctx: AppContext) -> None:
    # What a summary on PostgreSQL has to work with (issue 11): its scratch tables must
    # exist on the connection before the read-only transaction begins.
    with postgresql_ctx.db.engine.connect() as connection:
        connection.exec_driver_sql("CREATE TEMP TABLE scratch (n INTEGER)")
        connection.commit()
        reading = connection.execution_options(**{READ_ONLY_OPTION: True})
        with reading.begin():
            reading.exec_driver_sql("INSERT INTO scratch SELECT id FROM users")
            reading.exec_driver_sql("UPDATE scratch SET n = n + 1")
            assert reading.exec_driver_sql("SELECT count(*) FROM scratch").scalar() == 1
            reading.exec_driver_sql("DELETE FROM scratch")
        with pytest.raises(ReadOnlyViolation, match="CREATE TEMP"), reading.begin():
            reading.exec_driver_sql("CREATE TEMP TABLE other (n INTEGER)")


def test_read_never_takes_the_write_lock(file_ctx: AppContext) -> None:
    ctx = file_ctx
    with ctx.read() as unit:
        unit.session.execute(select(User)).all()  # the read transaction is open now
        other = ctx.db.engine.raw_connection()
        try:
            conn = other.driver_connection
            conn.execute("PRAGMA busy_timeout = 0")  # fail at once if the lock is held
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE users SET full_name = 'Skrevet under læsning'")
            conn.execute("COMMIT")
        finally:
            other.driver_connection.execute("PRAGMA busy_timeout = 5000")
            other.close()
        # The read still sees its own snapshot.
        assert unit.session.scalar(select(User.full_name)) == "Åse Nørgaard"
    assert admin_name(ctx) == "Skrevet under læsning"


def test_a_write_unit_commits_while_a_read_unit_is_open(ctx: AppContext) -> None:
    with ctx.read() as unit:
        unit.session.execute(select(User)).all()  # the read transaction is open now
        with ctx.write(None) as writer:
            writer.session.get_one(User, ctx.actor.user_id).full_name = "Skrevet under læsning"
        # The read keeps the snapshot it started with.
        assert unit.session.scalar(select(User.full_name)) == "Åse Nørgaard"
    assert admin_name(ctx) == "Skrevet under læsning"


def test_read_audit_is_committed_before_the_block_returns(ctx: AppContext) -> None:
    with ctx.read() as unit:
        unit.audit(AuditAction.VIEW, entity="people", detail="read-audit-probe")
        assert audit_count(ctx, "read-audit-probe") == 0  # queued, not written yet
    assert audit_count(ctx, "read-audit-probe") == 1


def test_read_audit_is_dropped_when_the_block_fails(ctx: AppContext) -> None:
    with pytest.raises(KeyError), ctx.read() as unit:
        unit.audit(AuditAction.VIEW, entity="people", detail="failed-read-probe")
        raise KeyError("the read failed")
    assert audit_count(ctx, "failed-read-probe") == 0


def test_read_audit_failure_withholds_the_data(ctx: AppContext,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_audit(*_args: Any, **_kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ctx, "audit", broken_audit)
    shown: list[str] = []
    with pytest.raises(OSError, match="disk full"):
        with ctx.read() as unit:
            unit.audit(AuditAction.VIEW, entity="people", detail="x")
            name = unit.session.scalar(select(User.full_name))
        shown.append(name)  # what a service would return
    assert shown == []


# -- writing -------------------------------------------------------------------------------


def count_checkouts(ctx: AppContext) -> list[int]:
    checkouts = [0]

    @event.listens_for(ctx.db.engine, "checkout")
    def _count(*_args: object) -> None:
        checkouts[0] += 1

    return checkouts


def test_permission_is_checked_before_the_database_is_touched(ctx: AppContext) -> None:
    volunteer = dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor,
                                                                   role=Role.VOLUNTEER))
    checkouts = count_checkouts(ctx)
    with pytest.raises(PermissionDenied), volunteer.write(Permission.EDIT_PEOPLE):
        pytest.fail("the block must not run")
    with pytest.raises(PermissionDenied), volunteer.read(Permission.VIEW_PEOPLE):
        pytest.fail("the block must not run")
    assert checkouts == [0]


def test_write_commits_change_and_audit_together(ctx: AppContext) -> None:
    with ctx.write(None) as unit:
        unit.session.get_one(User, ctx.actor.user_id).full_name = "Ny"
        unit.audit(AuditAction.UPDATE, entity="users", detail="write-probe")
    assert (admin_name(ctx), audit_count(ctx, "write-probe")) == ("Ny", 1)


def test_write_rolls_back_change_and_audit_on_error(ctx: AppContext) -> None:
    with pytest.raises(KeyError), ctx.write(None) as unit:
        unit.session.get_one(User, ctx.actor.user_id).full_name = "Ny"
        unit.audit(AuditAction.UPDATE, entity="users", detail="rolled-back-probe")
        unit.session.flush()
        raise KeyError("validation failed")
    assert (admin_name(ctx), audit_count(ctx, "rolled-back-probe")) == ("Åse Nørgaard", 0)


def test_load_for_edit_refuses_a_stale_version_and_rolls_back(ctx: AppContext) -> None:
    ayse = person(ctx)
    with pytest.raises(StaleRecord), ctx.write(Permission.EDIT_PEOPLE) as unit:
        unit.load_live(Person, ayse.person.id, "person").first_name = "Ændret"
        unit.session.flush()
        unit.load_for_edit(Person, ayse.person.id, 99, "person")  # opened at another version
    with ctx.read() as unit:
        assert unit.session.get_one(Person, ayse.person.id).first_name == "Ayşe"


def test_a_concurrent_save_found_at_flush_is_stale_record(ctx: AppContext) -> None:
    ayse = person(ctx)
    with pytest.raises(StaleRecord), ctx.write(Permission.EDIT_PEOPLE) as unit:
        record = unit.load_for_edit(Person, ayse.person.id, ayse.person.version, "person")
        # As if another program had saved between our load and our flush.
        unit.session.execute(text("UPDATE people SET version = version + 1 WHERE id = :id"),
                             {"id": ayse.person.id})
        record.first_name = "Ændret"
    with ctx.read() as unit:
        assert unit.session.get_one(Person, ayse.person.id).version == ayse.person.version


def test_postgres_save_committed_by_another_connection_meanwhile_is_stale_record(
        postgresql_ctx: AppContext) -> None:
    # On SQLite the write lock keeps others out from BEGIN IMMEDIATE on; on PostgreSQL
    # another client can commit between our load and our flush (server_engine.py's
    # READ COMMITTED), and the version column must catch it.
    ayse = person(postgresql_ctx)
    with pytest.raises(StaleRecord), postgresql_ctx.write(Permission.EDIT_PEOPLE) as unit:
        record = unit.load_for_edit(Person, ayse.person.id, ayse.person.version, "person")
        with postgresql_ctx.db.engine.connect() as other:
            other.execute(text("UPDATE people SET first_name = 'Andet', version = version + 1 "
                               "WHERE id = :id"), {"id": ayse.person.id})
            other.commit()
        record.first_name = "Ændret"
    with postgresql_ctx.read() as unit:
        assert unit.session.get_one(Person, ayse.person.id).first_name == "Andet"


def test_load_live_and_tombstone(ctx: AppContext) -> None:
    ayse = person(ctx)
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        unit.tombstone(unit.load_for_edit(Person, ayse.person.id, ayse.person.version, "person"))
    with pytest.raises(NotFound), ctx.write(Permission.EDIT_PEOPLE) as unit:
        unit.load_live(Person, ayse.person.id, "person")
