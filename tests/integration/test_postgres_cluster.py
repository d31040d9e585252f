"""The test run's own PostgreSQL cluster (tests/pg.py): it starts, every test gets a database
of its own, and nothing of it outlives the session, also when a test fails."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.pg import MINIMUM_MAJOR, PgCluster

_seen_databases: list[str] = []


def _server_facts(url: str) -> tuple[int, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version_num")).scalar_one()
            database = connection.execute(text("SELECT current_database()")).scalar_one()
    finally:
        engine.dispose()
    return int(version), database


def test_a_fresh_database_accepts_a_connection_on_a_supported_server(pg_url: str) -> None:
    version, database = _server_facts(pg_url)
    assert version >= MINIMUM_MAJOR * 10000
    _seen_databases.append(database)


def test_a_second_test_gets_a_different_empty_database(
        pg_url: str, pg_cluster: PgCluster) -> None:
    _version, database = _server_facts(pg_url)
    assert database not in _seen_databases
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'public'")).scalar_one()
    finally:
        engine.dispose()
    assert tables == 0
    # Listening on its own socket only: no TCP port is opened on the machine.
    assert (pg_cluster.socket_dir / ".s.PGSQL.5432").exists()


_INNER_TEST = '''
import os
from pathlib import Path

import psycopg


def test_uses_the_cluster_then_fails(pg_url, pg_cluster):
    pid = pg_cluster.postmaster_pid_file.read_text().splitlines()[0]
    Path(os.environ["RECORD"]).write_text(f"{pg_cluster.root}\\n{pid}\\n")
    assert False, "a failing test must not leave the cluster behind"
'''


def test_the_cluster_is_stopped_and_removed_after_a_session_with_a_failure(
        tmp_path: Path) -> None:
    inner = tmp_path / "test_inner.py"
    inner.write_text(_INNER_TEST)
    record = tmp_path / "record.txt"
    repository = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.pg", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(inner)],
        cwd=repository, env={**os.environ, "RECORD": str(record)},
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    root, pid = record.read_text().split()
    assert not Path(root).exists()
    assert _gone_within(int(pid), seconds=10), f"postmaster {pid} still runs"


def _gone_within(pid: int, seconds: float) -> bool:
    """pg_ctl stop returns once the pid file is gone; the process itself exits a moment
    later (and may linger as a zombie until init reaps it, which counts as gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False
