"""A real team server for the HTTP tests: a throwaway PostgreSQL database (tests/pg.py;
a copy of a template migrated once per session), ``boligsag server init`` into a
temporary configuration folder, uvicorn serving HTTPS on a free loopback port in a
thread of this process, and an httpx client that trusts only the server's own
certificate."""

from __future__ import annotations

import io
import re
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine

from boligsag.cli import main
from boligsag.server import config as server_config
from boligsag.server import run as server_run
from boligsag.services.server import accounts as server_accounts
from boligsag.storage import migrate

from ..pg import PgCluster

ADMIN = "admin"
ADMIN_PASSWORD = "korrekt-hest-batteri"
STAFF = "mette"
STAFF_PASSWORD = "mettes-lange-kodeord"
AREA = "Ærtebjerg Øst"
PLAN = "Helhedsplan Ærtebjerg"  # server init's plan, over AREA


def cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


@dataclass
class Setup:
    url: str
    folder: Path
    fingerprint: str

    @property
    def config(self) -> server_config.ServerConfig:
        return server_config.load(self.folder)

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.config.cert_path))


@pytest.fixture(scope="session")
def migrated_template(pg_cluster: PgCluster) -> str:
    """An empty database at the newest schema, made once; ``server init`` on a copy of it
    finds nothing to migrate (it still runs the upgrade, which is then a no-op)."""
    name = pg_cluster.create_database()
    engine = create_engine(pg_cluster.url(name))
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return name


@pytest.fixture
def server_url(pg_cluster: PgCluster, migrated_template: str) -> Iterator[str]:
    name = pg_cluster.create_database(template=migrated_template)
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture
def setup(server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Setup:
    """``server init`` (admin), then ``server add-user`` for a staff member in one area."""
    folder = tmp_path / "boligsag-server"
    code = cli(["server", "init", server_url, "--organisation", "Boligsocialt Hus",
                "--admin-name", "Åse Nørgaard", "--config", str(folder), "--area", AREA,
                "--plan", PLAN, "--host", "127.0.0.1", "--host", "localhost",
                "--password-stdin"],
               monkeypatch, ADMIN_PASSWORD + "\n")
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    match = re.search(r"fingerprint \(SHA-256\): ([0-9A-F:]{95})", out)
    assert match, out
    code = cli(["server", "add-user", STAFF, "--name", "Mette Holm", "--role", "staff",
                "--area", AREA, "--config", str(folder), "--password-stdin"],
               monkeypatch, STAFF_PASSWORD + "\n")
    assert code == 0, capsys.readouterr()
    capsys.readouterr()
    return Setup(server_url, folder, match.group(1))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Running:
    base_url: str
    setup: Setup

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, verify=self.setup.context(), timeout=30)


@contextmanager
def serving(setup: Setup, clock: Callable[[], float] = time.time) -> Iterator[Running]:
    """One server instance (its own engine and pool) until the block ends; ``clock`` is
    its time (a fixed one keeps a throttle's pause from running out during a test)."""
    config = setup.config
    port = free_port()
    server = server_run.open_server(config)
    instance = uvicorn.Server(server_run.uvicorn_config(
        config, server, host="127.0.0.1", port=port, log_level="warning", clock=clock))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if instance.started or not thread.is_alive():
                break
            thread.join(0.01)
        assert instance.started, "the server did not start"
        yield Running(f"https://127.0.0.1:{port}", setup)
    finally:
        instance.should_exit = True
        thread.join(10)
        server.dispose()


@pytest.fixture
def running(setup: Setup) -> Iterator[Running]:
    with serving(setup) as instance:
        yield instance


@pytest.fixture
def still(setup: Setup) -> Iterator[httpx.Client]:
    """A client of an instance whose clock stands still."""
    frozen = time.time()
    with serving(setup, lambda: frozen) as instance, instance.client() as client:
        yield client


@pytest.fixture
def http(running: Running) -> Iterator[httpx.Client]:
    with running.client() as client:
        yield client


def login(client: httpx.Client, username: str = STAFF, password: str = STAFF_PASSWORD,
          device: str | None = None) -> httpx.Response:
    return client.post("/v1/login", json={"username": username, "password": password,
                                           "device_id": device or str(uuid.uuid4()),
                                           "device_name": "Bærbar 7"})


def headers(token: str, device: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Boligsag-Device": device}


@dataclass
class Session_:
    token: str
    device: str

    @property
    def headers(self) -> dict[str, str]:
        return headers(self.token, self.device)


def logged_in(client: httpx.Client, username: str = STAFF,
              password: str = STAFF_PASSWORD) -> Session_:
    device = str(uuid.uuid4())
    response = login(client, username, password, device)
    assert response.status_code == 200, response.text
    return Session_(response.json()["token"], device)


@pytest.fixture
def server_db(setup: Setup) -> Iterator[server_accounts.ServerDb]:
    """A handle on the server's database, for looking behind the HTTP answers."""
    db = server_run.open_server(setup.config)
    try:
        yield db
    finally:
        db.dispose()


