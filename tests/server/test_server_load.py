"""Many laptops at once on one instance: requests wait for their turn in the server
(``database_connections`` in server.json), never for a pooled connection that runs out,
and a database that cannot answer gives a 503 the laptop can retry, never a bare 500."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from boligsag.server import config as server_config
from boligsag.server import gate

from .conftest import Running, Session_, Setup, logged_in, serving

PULL = "/v1/sync/pull"


def with_connections(setup: Setup, connections: int, **more: object) -> None:
    path = setup.folder / "server.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["database_connections"] = connections
    doc.update(more)
    path.write_text(json.dumps(doc), encoding="utf-8")


@contextmanager
def change_log_locked(setup: Setup) -> Iterator[Connection]:
    """Every pull waits in the database, on its connection, until the block ends: the
    change log is locked against reading (a pull reads it after the caller's check)."""
    engine = create_engine(setup.url)
    try:
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE sync_changes IN ACCESS EXCLUSIVE MODE"))
            yield connection
            connection.rollback()
    finally:
        engine.dispose()


def waiting_in_database(watcher: Connection) -> int:
    """The server's connections waiting for the lock (the watcher holds it)."""
    watcher.commit()  # a new snapshot of pg_stat_activity
    return int(watcher.scalar(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")) or 0)


def pull(running: Running, staff: Session_, timeout: float = 30) -> httpx.Response:
    with httpx.Client(base_url=running.base_url, verify=running.setup.context(),
                      timeout=timeout) as client:
        return client.get(PULL, headers=staff.headers)


def test_requests_beyond_the_pool_wait_their_turn_and_all_succeed(setup: Setup) -> None:
    with_connections(setup, 2)
    with serving(setup) as running, running.client() as client:
        staff = logged_in(client)
        watcher_engine = create_engine(setup.url)
        with (watcher_engine.connect() as watcher, ThreadPoolExecutor(8) as pool,
              change_log_locked(setup)):
            pulls = [pool.submit(pull, running, staff) for _ in range(8)]
            deadline = time.monotonic() + 20
            while waiting_in_database(watcher) < 2:
                assert time.monotonic() < deadline, "no pull reached the database"
                time.sleep(0.02)
            # Eight requests came; two are in the database, the others wait in line.
            # (Before, each took a connection of its own, up to ten.)
            observed_until = time.monotonic() + 0.5
            while time.monotonic() < observed_until:
                assert waiting_in_database(watcher) == 2
                time.sleep(0.02)
            assert not any(p.done() for p in pulls)
        watcher_engine.dispose()
        answers = [p.result(timeout=30) for p in pulls]
    assert [a.status_code for a in answers] == [200] * 8, [a.text for a in answers]


def test_a_request_that_waits_too_long_for_its_turn_is_told_to_come_back(
        setup: Setup) -> None:
    # server.json's queue wait, well inside the client's timeout (10 s here): before, a
    # fixed 60 s wait outlasted the client, which gave up without an answer.
    with_connections(setup, 1, queue_wait_seconds=0.5)
    with serving(setup) as running, running.client() as client:
        staff = logged_in(client)
        watcher_engine = create_engine(setup.url)
        with (watcher_engine.connect() as watcher, ThreadPoolExecutor(1) as pool,
              change_log_locked(setup)):
            first = pool.submit(pull, running, staff)
            deadline = time.monotonic() + 20
            while waiting_in_database(watcher) < 1:
                assert time.monotonic() < deadline, "the first pull never reached the database"
                time.sleep(0.02)
            second = pull(running, staff, timeout=10)
        watcher_engine.dispose()
        assert first.result(timeout=30).status_code == 200
    assert second.status_code == 503
    assert second.json() == {"error": "busy", "retry_after": gate.RETRY_AFTER}
    assert second.headers["Retry-After"] == str(gate.RETRY_AFTER)


def test_a_database_that_went_away_is_a_503_and_the_server_recovers(setup: Setup) -> None:
    name = make_url(setup.url).database
    admin = create_engine(make_url(setup.url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    try:
        with serving(setup) as running, running.client() as client, admin.connect() as pg:
            staff = logged_in(client)
            assert client.get(PULL, headers=staff.headers).status_code == 200
            # The database stops taking connections and cuts the server's pooled ones,
            # as a restart or a failed network does.
            pg.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            pg.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :name"), {"name": name})
            try:
                gone = client.get(PULL, headers=staff.headers)
            finally:
                pg.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            back = client.get(PULL, headers=staff.headers)
    finally:
        admin.dispose()
    assert gone.status_code == 503, gone.text
    assert gone.json() == {"error": "database_unavailable", "retry_after": gate.RETRY_AFTER}
    assert gone.headers["Retry-After"] == str(gate.RETRY_AFTER)
    assert back.status_code == 200, back.text


@pytest.mark.parametrize("value", [0, -1, "10", 10.5, 201])
def test_a_wrong_number_of_database_connections_is_refused_by_name(
        tmp_path: Path, value: object) -> None:
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag", "database_connections": value}))
    with pytest.raises(server_config.ConfigDamaged) as refused:
        server_config.load(tmp_path)
    assert "database_connections must be a number from 1 to 200" in str(refused.value)


def test_without_database_connections_an_instance_has_ten(tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag"}))
    assert server_config.load(tmp_path).database_connections == 10


def test_the_queue_wait_defaults_to_20_s_well_inside_the_clients_timeout(
        tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag"}))
    assert server_config.load(tmp_path).queue_wait == 20
    # The longest allowed wait leaves the client 10 s for the request's own work.
    assert gate.MAX_QUEUE_WAIT + 10 <= gate.CLIENT_TIMEOUT


@pytest.mark.parametrize("value", [0, -1, "20", 51, None, True])
def test_a_wrong_queue_wait_is_refused_by_name(tmp_path: Path, value: object) -> None:
    (tmp_path / "server.json").write_text(json.dumps(
        {"database_url": "postgresql://boligsag@/boligsag", "queue_wait_seconds": value}))
    with pytest.raises(server_config.ConfigDamaged) as refused:
        server_config.load(tmp_path)
    assert "queue_wait_seconds must be a number of seconds above 0 and at most 50" in \
        str(refused.value)
