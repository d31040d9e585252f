"""The team server for bench/sync.py: the large benchmark database copied into a
throwaway PostgreSQL cluster, a server configuration folder, accounts, and server
processes started with the project's own ``boligsag server run``.

Everything here is set-up, never timed as a figure (the copy's duration is reported
for information). The cluster is tests/pg.py's (initdb/pg_ctl of Debian's package, unix
socket only, removed at the end); it loads the data with fsync off, as the tests do,
and is then restarted with PostgreSQL's durable defaults (fsync, synchronous_commit,
full_page_writes on), so every figure pays for a real commit as a server would.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from boligsag.domain.enums import Role
from boligsag.server import config as server_config
from boligsag.server import tls
from boligsag.services.server import accounts
from boligsag.services.server.accounts import ServerDb
from boligsag.services.sync import scope, wire
from boligsag.services.sync.actor import SyncActor
from boligsag.services.sync.pull import encode_cursor
from boligsag.services.sync.seed import seed_change_log
from boligsag.storage import kdf, keys, migrate
from boligsag.storage.copy_database import copy_database
from boligsag.storage.engine import plain_engine
from boligsag.storage.models import Base, SyncChange, User
from boligsag.storage.server_engine import open_server_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.pg import PORT, PgCluster, find_bin_dir  # noqa: E402  (the tests' cluster code)

PASSWORD = "bench-sync-password"  # synthetic accounts on a throwaway database
BOLIGSAG = str(Path(sys.executable).with_name("boligsag"))
# The settings a test cluster turns off; PostgreSQL's defaults turn them on.
DURABLE = "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
DATABASE = "boligsag"
CACHE_FORMAT = 1  # raise when what _load puts in the database changes


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchCluster(PgCluster):
    """tests/pg.py's cluster, started durable on a loaded data folder (a copy of the
    cache's, or its own once the bulk load is in), with PostgreSQL's defaults apart from
    ``settings`` (``name=value``, e.g. ``jit=off``)."""

    def __init__(self, bin_dir: Path, root: Path, settings: Sequence[str] = ()) -> None:
        super().__init__(bin_dir, root)
        self.settings = tuple(settings)

    def _options(self) -> str:
        extra = "".join(f" -c {setting}" for setting in self.settings)
        return (f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir}' "
                f"-c port={PORT} {DURABLE} -c max_connections=200{extra}")

    def start_existing(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
                  "-w", "-o", self._options(), "start")

    def start_copy(self, cached_data: Path) -> None:
        """Start durable on a copy of ``cached_data`` (a cleanly stopped cluster's)."""
        subprocess.run(["cp", "-a", str(cached_data), str(self.data_dir)], check=True)
        self.socket_dir.mkdir()
        if os.geteuid() == 0:  # the cluster runs as the postgres user (tests/pg.py)
            subprocess.run(["chown", "postgres:postgres", str(self.root),
                            str(self.socket_dir)], check=True)
        self.start_existing()

    def stop_only(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")


@contextmanager
def loaded_cluster(plain_file: Path, cache: Path, settings: Sequence[str] = ()
                   ) -> Iterator[tuple[BenchCluster, str]]:
    """A running, durable cluster holding ``plain_file``'s rows and their change log.

    The first run loads it (several minutes: storage/copy_database.py's time is
    printed) and keeps the stopped cluster's data folder under ``cache``, keyed by the
    source file and the schema revision; later runs start on a copy of that folder."""
    key = (f"{plain_file.name} {plain_file.stat().st_size} {plain_file.stat().st_mtime_ns} "
           f"{migrate.head_revision()} {CACHE_FORMAT}")
    cached, key_file = cache / "data", cache / "key.txt"
    root = Path(tempfile.mkdtemp(prefix="boligsag-bench-sync-pg-"))
    root.chmod(0o755)  # the postgres user must reach its folders under root
    pg = BenchCluster(find_bin_dir(), root, settings)
    try:
        if cached.exists() and key_file.exists() and key_file.read_text() == key:
            log("starting PostgreSQL on the cached copy of the benchmark database …")
            pg.start_copy(cached)
        else:
            pg.start()
            _load(pg, plain_file)
            pg.stop_only()
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir(parents=True)
            subprocess.run(["cp", "-a", str(pg.data_dir), str(cached)], check=True)
            key_file.write_text(key)
            pg.start_existing()
        yield pg, pg.url(DATABASE)
    finally:
        pg.stop()


def _load(pg: BenchCluster, plain_file: Path) -> None:
    """Copy every row of ``plain_file`` into a new database and log a change per synced
    row (prints how long each step took)."""
    with pg._admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    source, target = plain_engine(plain_file), open_server_engine(pg.url(DATABASE))
    try:
        migrate.upgrade(target)
        log("copying the benchmark database into PostgreSQL (once; cached) …")
        started = time.monotonic()
        counts = copy_database(source, target)
        log(f"copied {sum(counts.values()):,} rows in {time.monotonic() - started:.0f} s "
            "(storage/copy_database.py)")
        started = time.monotonic()
        with target.begin() as connection:  # services/sync/seed.py
            logged = seed_change_log(connection)
        log(f"change log: {logged:,} entries in {time.monotonic() - started:.0f} s")
        with target.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE")
    finally:
        source.dispose()
        target.dispose()


# -- accounts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accounts:
    staff: str           # an existing staff member with two areas
    staff_areas: tuple[str, ...]
    lead: str            # the team lead: every area
    laptops: list[str]   # one account per simulated laptop, all in ``laptop_area``
    laptop_area: str


def configure(folder: Path, url: str) -> ServerDb:
    """The configuration folder ``boligsag server init`` writes (server.json, TLS pair,
    secret.key), for a database that already holds an organisation's data."""
    server_config.new_folder(folder)
    config = server_config.ServerConfig(folder, url, "127.0.0.1")
    secret = server_config.new_secret()
    server_config.write_config(config, secret)
    cert, key = tls.self_signed(["127.0.0.1", "localhost"], "Boligsag benchmark")
    tls.write_pair(config.cert_path, config.key_path, cert, key)
    return accounts.connect(url, secret, connections=2)


def make_accounts(server: ServerDb, laptops: int) -> Accounts:
    """Server passwords for the demo's staff member with the most people in two areas and
    its team lead, and ``laptops`` new staff accounts in the area with the most people."""
    with server.db.reading() as session:
        staff, staff_areas = _staff_with_two_areas(session)
        lead = session.scalars(select(User.username).where(
            User.role == Role.TEAM_LEAD, User.active.is_(True)).order_by(User.id)).first()
        area = session.execute(text(
            "SELECT a.name FROM areas a JOIN people p ON p.area_id = a.id "
            "GROUP BY a.name ORDER BY count(*) DESC LIMIT 1")).scalar_one()
    assert lead is not None, "the demo data has a team lead"
    for username in (staff, lead):  # the real Argon2id cost: these log in once each
        accounts.set_password(server, username, PASSWORD)
    # The simulated laptops' accounts hash with a cheap Argon2id (the PHC string carries
    # its own cost, so the server verifies it as given): 50 logins at the full cost would
    # spend ~40 s of the machine on set-up that no figure measures.
    cheap = kdf.KdfParams(memory_cost=1024, iterations=1, lanes=1)
    original, keys.KDF_PARAMS = keys.KDF_PARAMS, cheap
    try:
        names = [f"laptop{i:02d}" for i in range(1, laptops + 1)]
        for name in names:
            accounts.add_user(server, name, full_name=f"Bench Laptop {name[-2:]}",
                              role=Role.STAFF, password=PASSWORD, areas=[area])
    finally:
        keys.KDF_PARAMS = original
    return Accounts(staff, staff_areas, lead, names, area)


def _staff_with_two_areas(session: Session) -> tuple[str, tuple[str, ...]]:
    rows = session.execute(text(
        "SELECT u.username, string_agg(a.name, '|' ORDER BY a.name) AS areas, "
        "count(*) AS n FROM users u JOIN user_areas ua ON ua.user_id = u.id "
        "JOIN areas a ON a.id = ua.area_id WHERE u.role = 'staff' AND u.active "
        "GROUP BY u.username ORDER BY count(*) DESC, u.username")).all()
    username, areas, _n = rows[0]
    return username, tuple(areas.split("|"))


def log_end(server: ServerDb) -> str:
    """The cursor at the end of the change log: where a laptop stands after its first
    full pull (the simulated laptops start there instead of pulling 800,000 rows each)."""
    with server.db.reading() as session:
        seq = session.scalar(select(func.max(SyncChange.seq))) or 0
        try:  # the cursor names the server database since issue 11's later commits
            from boligsag.services.sync.pull import cursor_at
        except ImportError:
            return encode_cursor(seq)  # type: ignore[call-arg]
        return cursor_at(session, seq)


@dataclass(frozen=True)
class Samples:
    """What the simulated laptops edit and copy: people of their area with their
    versions, and one existing contact of that area as the template of new ones."""

    people: list[tuple[str, int]]
    contact_fields: dict[str, object]


def samples(server: ServerDb, area: str, count: int) -> Samples:
    with server.db.reading() as session:
        people = [(row.uuid, row.version) for row in session.execute(text(
            "SELECT p.uuid, p.version FROM people p JOIN areas a ON a.id = p.area_id "
            "WHERE a.name = :area AND NOT p.restricted AND p.deleted_at IS NULL "
            "ORDER BY p.id LIMIT :n"), {"area": area, "n": count})]
        contact_id = session.execute(text(
            "SELECT c.id FROM contacts c JOIN contact_people cp ON cp.contact_id = c.id "
            "JOIN people p ON p.id = cp.person_id JOIN areas a ON a.id = p.area_id "
            "WHERE a.name = :area AND NOT c.anonymous AND c.deleted_at IS NULL "
            "AND NOT p.restricted ORDER BY c.id LIMIT 1"), {"area": area}).scalar_one()
        (template,) = wire.rows_to_wire(session, "contacts", [contact_id])
    return Samples(people, dict(template["fields"]))


def own_contacts(server: ServerDb, username: str, count: int) -> list[dict[str, object]]:
    """The wire rows of ``count`` of the user's own contacts that their first pull gives
    them (scope.py's condition), for ``--only push``, which skips the pulls."""
    with server.db.reading() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        actor = SyncActor(user.id, user.uuid, Role(user.role), "")
        t = Base.metadata.tables["contacts"]
        ids = list(session.scalars(
            select(t.c.id).where(t.c.staff_user_id == user.id, t.c.deleted_at.is_(None),
                                 t.c.ssp_locked.is_(False),
                                 scope.visible_condition(actor, "contacts"))
            .order_by(t.c.id).limit(count)))
        return [dict(row) for row in wire.rows_to_wire(session, "contacts", ids)]


# -- server processes ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path


def start_instances(folder: Path, count: int, logs: Path) -> list[Instance]:
    """``count`` processes of ``boligsag server run`` on one configuration and database
    (the server is stateless), each on its own loopback port."""
    started = []
    for n in range(count):
        port = free_port()
        log_path = logs / f"server-{n + 1}.log"
        with open(log_path, "wb") as out:
            process = subprocess.Popen(
                [BOLIGSAG, "server", "run", "--config", str(folder),
                 "--listen", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        started.append(Instance(process, f"https://127.0.0.1:{port}", log_path))
    context = tls_context(folder)
    for instance in started:
        wait_healthy(instance, context)
    return started


def tls_context(folder: Path) -> ssl.SSLContext:
    """The server's own certificate as the only trust anchor (a laptop pins it)."""
    return ssl.create_default_context(cafile=str(folder / "tls" / "cert.pem"))


def wait_healthy(instance: Instance, context: ssl.SSLContext, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            raise RuntimeError(f"the server stopped: {instance.log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{instance.base_url}/v1/health", verify=context,
                         timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling a process that is starting: nothing to wait on
    raise RuntimeError("the server did not answer /v1/health within a minute")


def stop_instances(instances: Sequence[Instance]) -> None:
    for instance in instances:
        if instance.process.poll() is None:
            instance.process.terminate()
    for instance in instances:
        try:
            instance.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait()


def request_log(instances: Sequence[Instance]) -> list[list[tuple[str, str, float]]]:
    """Each server's request log so far as (method, path, ms): the server's own share of
    each request, apart from TLS, the client and the loopback."""
    logs = []
    for instance in instances:
        lines = []
        for line in instance.log_path.read_text(errors="replace").splitlines():
            parts = line.split()
            if "boligsag.server.requests" in parts and len(parts) >= 5 and parts[-1] == "ms":
                lines.append((parts[-5], parts[-4], float(parts[-2])))
        logs.append(lines)
    return logs


def server_ms_since(instances: Sequence[Instance], mark: list[list[tuple[str, str, float]]],
                    method: str, path: str) -> list[float]:
    """The server-side durations of ``method path`` logged after ``mark``."""
    return [ms for before, now in zip(mark, request_log(instances), strict=True)
            for m, p, ms in now[len(before):] if (m, p) == (method, path)]
