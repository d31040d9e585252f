"""A throwaway PostgreSQL cluster for the tests, and the fixtures that hand it out.

The test run starts its own cluster from Debian's `postgresql` package (installed by
``installer/debian/setup.sh --dev``) in a temporary folder, listening only on a unix
socket in that folder, and removes it at the end of the session, failed tests included.
``initdb`` refuses to run as root, so under root (CI, a fresh Debian root) the cluster
runs as the ``postgres`` system user that the Debian package creates.

Registered for every tier by ``pytest_plugins`` in tests/conftest.py; the session-scoped
cluster only starts when a test asks for ``pg_url``, ``pg_cluster`` or
``postgresql_ctx``.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from boligsag.services.context import AppContext, FixedClock
from tests.integration.pg_context import open_postgres_context, seed_postgres

MINIMUM_MAJOR = 15
INSTALL_HINT = (
    "The PostgreSQL-backed tests need PostgreSQL {minimum} or newer (initdb and pg_ctl "
    "under /usr/lib/postgresql/*/bin, and the 'postgres' system user when run as root). "
    "Install it with: bash installer/debian/setup.sh --dev"
)
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
PORT = 5432  # only names the socket file; the socket lives in the cluster's own folder


class PostgresMissing(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The newest installed server's bin folder (Debian puts each major version apart)."""
    candidates: list[tuple[int, Path]] = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        folder = Path(initdb).parent
        try:
            major = int(folder.parent.name)
        except ValueError:
            continue
        if major >= MINIMUM_MAJOR and (folder / "pg_ctl").exists():
            candidates.append((major, folder))
    if not candidates:
        raise PostgresMissing(INSTALL_HINT.format(minimum=MINIMUM_MAJOR))
    return max(candidates)[1]


class PgCluster:
    """One running cluster in ``root``; ``stop`` removes every trace of it."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data_dir = root / "data"
        self.socket_dir = root / "socket"
        self._as_postgres = os.geteuid() == 0
        self._counter = itertools.count(1)

    @property
    def postmaster_pid_file(self) -> Path:
        return self.data_dir / "postmaster.pid"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        # cwd inside the cluster folder: the postgres user may not enter the caller's cwd.
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                                check=False)
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed ({result.returncode}):\n"
                               f"{result.stdout}{result.stderr}{tail}")

    def start(self) -> None:
        self.socket_dir.mkdir()
        if self._as_postgres:
            try:
                user = pwd.getpwnam(SYSTEM_USER)
            except KeyError as exc:
                raise PostgresMissing(INSTALL_HINT.format(minimum=MINIMUM_MAJOR)) from exc
            for path in (self.root, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--no-sync",
                  "--encoding=UTF8", "--locale=C.UTF-8",
                  "--auth-local=trust", "--auth-host=reject")
        # A test cluster: no TCP listener, and no durability (it is thrown away).
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
                   f"-c port={PORT} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
                  "-w", "-o", options, "start")

    def stop(self) -> None:
        if self.postmaster_pid_file.exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _admin_connection(self) -> psycopg.Connection:
        return psycopg.connect(host=str(self.socket_dir), port=PORT, user=SUPERUSER,
                               dbname="postgres", autocommit=True)

    def create_database(self, template: str = "template0") -> str:
        """A new database copied from ``template``: a file-level copy, so a migrated
        and seeded template costs ~0.1 s per test instead of a full migration."""
        name = f"test_{next(self._counter)}"
        with self._admin_connection() as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        with self._admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def url(self, database: str) -> str:
        """A SQLAlchemy URL; libpq takes a socket folder as ``host``."""
        return (f"postgresql+psycopg://{SUPERUSER}@/{database}"
                f"?host={self.socket_dir}&port={PORT}")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """Fails (never skips) with an install hint when PostgreSQL is missing."""
    try:
        bin_dir = find_bin_dir()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    cluster = PgCluster(bin_dir, Path(tempfile.mkdtemp(prefix="boligsag-pg-")))
    try:
        cluster.start()
    except PostgresMissing as exc:
        cluster.stop()
        pytest.fail(str(exc), pytrace=False)
    except BaseException:
        cluster.stop()
        raise
    try:
        yield cluster
    finally:
        cluster.stop()


# The time the template's first rows are stamped with: tests/conftest.py's ``clock``.
TEMPLATE_TIME = datetime(2026, 11, 25, 10, 30)


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    """The name of a migrated database with setup's first rows (administrator "Åse
    Nørgaard", a plan, reference data) that tests copy. Nothing stays connected to it:
    CREATE DATABASE … TEMPLATE refuses a template with open connections."""
    name = pg_cluster.create_database()
    seed_postgres(pg_cluster.url(name), FixedClock(TEMPLATE_TIME))
    return name


@pytest.fixture
def postgresql_ctx(pg_cluster: PgCluster, pg_template: str,
                   clock: FixedClock) -> Iterator[AppContext]:
    """The administrator's AppContext on a fresh copy of the template (~0.2 s, where
    migrating and seeding a new database takes ~1.5 s)."""
    name = pg_cluster.create_database(template=pg_template)
    context = open_postgres_context(pg_cluster.url(name), clock)
    try:
        yield context
    finally:
        context.db.dispose()
        pg_cluster.drop_database(name)


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh, empty database of its own for each test, as a SQLAlchemy URL."""
    name = pg_cluster.create_database()
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)
