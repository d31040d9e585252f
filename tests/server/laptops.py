"""Laptops against the real team server, for the issue-12 process tests (kill -9 during a
sync, two app processes, the lead's summary): a server instance that records when each
request came in and was answered (so a test can kill a laptop process at a moment of
its sync), staff accounts made with ``boligsag server add-user``, replicas joined
through services/sync_client/join.py, ``python -m boligsag …`` run as a real process,
and comparisons of a replica with the server's database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from boligsag.server import run as server_run
from boligsag.services.context import AppContext
from boligsag.services.sync.wire_tables import SYNCED_TABLES
from boligsag.services.sync_client import join, team
from boligsag.services.sync_client.reconcile import local_digest
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Area, Base, SyncOutboxEntry

from .conftest import AREA, Running, Setup, cli, free_port

ROOT = Path(__file__).resolve().parents[2]


# -- a server that says when requests come and go ---------------------------------------


@dataclass
class Recorder:
    """ASGI middleware: (monotonic time, path, "in" | "out") of every HTTP request;
    "out" once the application has sent its whole answer."""

    app: Any
    events: list[tuple[float, str, str]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        self._note(scope["path"], "in")
        try:
            await self.app(scope, receive, send)
        finally:
            self._note(scope["path"], "out")

    def _note(self, path: str, phase: str) -> None:
        with self.changed:
            self.events.append((time.monotonic(), path, phase))
            self.changed.notify_all()

    def mark(self) -> int:
        with self.changed:
            return len(self.events)

    def since(self, mark: int) -> list[tuple[float, str, str]]:
        with self.changed:
            return list(self.events[mark:])

    def wait(self, mark: int, path: str, phase: str, timeout: float,
             stop: Callable[[], bool]) -> float | None:
        """The time of the first (path, phase) event after ``mark``; None when ``stop()``
        turns true or ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for at, p, ph in self.events[mark:]:
                    if p == path and ph == phase:
                        return at
                left = deadline - time.monotonic()
                if left <= 0 or stop():
                    return None
                self.changed.wait(min(left, 0.01))


@contextmanager
def recording_server(setup: Setup) -> Iterator[tuple[Running, Recorder]]:
    """conftest.serving with a :class:`Recorder` around the application."""
    config = setup.config
    port = free_port()
    server = server_run.open_server(config)
    uv_config = server_run.uvicorn_config(config, server, host="127.0.0.1", port=port,
                                          log_level="warning")
    recorder = Recorder(uv_config.app)
    uv_config.app = recorder
    instance = uvicorn.Server(uv_config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if instance.started or not thread.is_alive():
                break
            thread.join(0.01)
        assert instance.started, "the server did not start"
        yield Running(f"https://127.0.0.1:{port}", setup), recorder
    finally:
        instance.should_exit = True
        thread.join(10)
        server.dispose()


# -- accounts and replicas --------------------------------------------------------------


def add_user(setup: Setup, monkeypatch: pytest.MonkeyPatch, username: str, name: str,
             role: str, password: str, area: str = AREA) -> None:
    """``boligsag server add-user`` (the administrator's way)."""
    code = cli(["server", "add-user", username, "--name", name, "--role", role,
                "--area", area, "--config", str(setup.folder), "--password-stdin"],
               monkeypatch, password + "\n")
    assert code == 0


def join_replica(running: Running, path: Path, username: str, password: str) -> Path:
    result = join.join_team(path, running.base_url, running.setup.fingerprint, username,
                            password)
    assert result.complete
    return path


def open_replica(path: Path, username: str, password: str) -> AppContext:
    return unlock(path, username, password, options=UnlockOptions(integrity_check=False))


@contextmanager
def opened(path: Path, username: str, password: str) -> Iterator[AppContext]:
    ctx = open_replica(path, username, password)
    try:
        yield ctx
    finally:
        lock(ctx)


def area_id(ctx: AppContext, name: str = AREA) -> int:
    with ctx.db.reading() as session:
        return session.scalars(select(Area.id).where(Area.name == name)).one()


# -- real processes -----------------------------------------------------------------------


def process_env(password: str, tmp: Path) -> dict[str, str]:
    """The environment of a laptop process: the password where ``read_password`` looks
    (never argv), its own configuration folder, offscreen Qt."""
    env = dict(os.environ)
    env.update({"BOLIGSAG_PASSWORD": password, "BOLIGSAG_CONFIG_DIR": str(tmp),
                "QT_QPA_PLATFORM": "offscreen",
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])})
    env.pop("BOLIGSAG_NEW_PASSWORD", None)
    return env


def boligsag(args: list[str], password: str, tmp: Path, **popen: Any) -> subprocess.Popen:
    """``python -m boligsag ARGS`` as a process of its own (stdout/stderr piped)."""
    return subprocess.Popen([sys.executable, "-m", "boligsag", *args], cwd=ROOT,
                            env=process_env(password, tmp), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen)


def laptop_process(path: Path, username: str, password: str, tmp: Path,
                   *steps: list[str]) -> subprocess.Popen:
    """``python -m tests.server.laptop_script PATH USERNAME STEP then STEP …``: casework
    through the services in an app process of its own."""
    words = [w for n, step in enumerate(steps) for w in ([*(["then"] if n else []), *step])]
    return subprocess.Popen([sys.executable, "-m", "tests.server.laptop_script", str(path),
                             username, *words], cwd=ROOT, env=process_env(password, tmp),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen, timeout: float = 60) -> list[dict[str, Any]]:
    """Wait for a laptop_script process; its JSON lines (it must have exited 0)."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def run_boligsag(args: list[str], password: str, tmp: Path,
                 timeout: float = 60) -> subprocess.CompletedProcess:
    process = boligsag(args, password, tmp)
    out, err = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


# -- comparing a replica with the server --------------------------------------------------


def digest_differences(ctx: AppContext, password: str) -> dict[str, list[str]]:
    """Table -> rows ("uuid local-version/server-version") where the replica's live rows
    differ from what the server lists for its user (services/sync/holdings.py: exactly
    what the user may hold), asked over the replica's own pinned link and device.

    One difference is by design and left out: a row whose version moved here with no
    wire field changed (a sign-in's ``last_login_at`` on the user's own row) keeps a
    field-less outbox entry whose base is the server's version (storage/sync_triggers.py)."""
    with team.connect(ctx) as connection:
        team.log_in(ctx, connection, password)
        theirs_all = connection.holdings().get("tables", {})
        differing: dict[str, list[str]] = {}
        with ctx.db.reading() as session:
            for table in sorted(set(SYNCED_TABLES) | set(theirs_all)):
                mine = local_digest(session, table)
                theirs = {name: (int(c), str(h))
                          for name, (c, h) in theirs_all.get(table, {}).items()}
                buckets = sorted(n for n in set(mine) | set(theirs)
                                 if mine.get(n) != theirs.get(n))
                if buckets:
                    listed = {u: int(v) for u, v in
                              connection.holdings_list(table, buckets)["rows"]}
                    rows = _rows_in(session, table, buckets)
                    bad = sorted(f"{u} {rows.get(u, (None, None))[0]}/{listed.get(u)}"
                                 for u in set(rows) | set(listed)
                                 if not _same(rows.get(u), listed.get(u)))
                    if bad:
                        differing[table] = bad
    return differing


def _rows_in(session: Any, table: str, buckets: list[str]
             ) -> dict[str, tuple[int, tuple[int | None, str, bool] | None]]:
    """uuid -> (version, its outbox entry's (base, fields, deleted) or None) of the live
    rows of ``table`` in ``buckets``."""
    t = Base.metadata.tables[table]
    outbox = {u: (b, f, d) for u, b, f, d in session.execute(
        select(SyncOutboxEntry.row_uuid, SyncOutboxEntry.base_version,
               SyncOutboxEntry.fields, SyncOutboxEntry.deleted)
        .where(SyncOutboxEntry.table_name == table))}
    return {u: (v, outbox.get(u)) for u, v in session.execute(
        select(t.c.uuid, t.c.version).where(t.c.deleted_at.is_(None)))
        if u[:2] in buckets}


def _same(mine: tuple[int, tuple[int | None, str, bool] | None] | None,
          theirs: int | None) -> bool:
    if mine is None or theirs is None:
        return mine is None and theirs is None
    version, entry = mine
    if version == theirs:
        return True
    return entry is not None and entry[0] == theirs and json.loads(entry[1]) == [] \
        and not entry[2]


def marker(prefix: str) -> str:
    """A note text that names one made thing, to count its copies on the server."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
