"""The server's audit chain (services/server_audit.py): keyed from secret.key, laptops'
entries appended as they came, and appends from several server instances at once kept
in one unbroken chain by the advisory lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from boligsag.services import server_audit
from boligsag.storage import audit, migrate
from boligsag.storage.models import AuditEntry

SECRET = bytes(range(32))


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url, pool_size=8)
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _laptop_entry(n: int) -> dict[str, object]:
    return {"at": f"2026-11-24T10:{n // 60:02d}:{n % 60:02d}", "action": "view",
            "username": "mette",
            "entity": "people", "entity_uuid": f"00000000-0000-4000-8000-{n:012d}",
            "detail": f"opened person {n}"}


def test_laptop_entries_are_appended_as_they_came_in_a_keyed_chain(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        server_audit.append(session, SECRET, [_laptop_entry(1), _laptop_entry(2)])
    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        scan = audit.scan(session, server_audit.derive_key(SECRET))
    assert [(e.at, e.username, str(e.action), e.detail) for e in entries] == [
        (datetime(2026, 11, 24, 10, 0, 1), "mette", "view", "opened person 1"),
        (datetime(2026, 11, 24, 10, 0, 2), "mette", "view", "opened person 2")]
    assert scan.keyed_entries == 2 and scan.breaks == ()


def test_a_malformed_entry_adds_nothing(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        with pytest.raises(server_audit.BadAuditEntry):
            server_audit.append(session, SECRET, [_laptop_entry(1), {"action": "explode"}])
        assert session.scalars(select(AuditEntry)).first() is None


def _waiting_for_an_advisory_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )).scalar_one())


def _scan(engine: Engine) -> audit.Scan:
    with Session(engine) as session:
        return audit.scan(session, server_audit.derive_key(SECRET))


def test_an_append_waits_for_another_instances_append_to_commit(engine: Engine) -> None:
    """Instance A appends and has not committed; instance B's append waits for it, then
    links to A's entry: one unbroken chain."""
    first = Session(engine)
    first.begin()
    server_audit.append(first, SECRET, [_laptop_entry(1)])
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with Session(engine) as session, session.begin():
                server_audit.append(session, SECRET, [_laptop_entry(2)])
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 30
    while not _waiting_for_an_advisory_lock(engine):  # B is blocked on A's lock
        assert thread.is_alive() and time.monotonic() < deadline, errors
        time.sleep(0.01)
    first.commit()
    first.close()
    thread.join(30)
    assert errors == []
    scan = _scan(engine)
    assert scan.entries == 2 and scan.breaks == ()


def test_without_the_lock_two_instances_fork_the_chain(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above can fail: without the lock, B reads the head A has not committed
    yet, and both entries follow the same one."""
    monkeypatch.setattr(server_audit, "lock_chain", lambda session: None)
    with Session(engine) as first, Session(engine) as second:
        first.begin()
        server_audit.append(first, SECRET, [_laptop_entry(1)])
        second.begin()
        server_audit.append(second, SECRET, [_laptop_entry(2)])
        second.commit()
        first.commit()
    assert [b.kind for b in _scan(engine).breaks] == ["link"]
