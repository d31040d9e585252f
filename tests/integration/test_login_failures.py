"""The log-in pause lasts across processes, and failed log-ins are audited
(issue 8, section 4 "throttle" and section 2 "failed log-ins")."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from boligsag.domain.enums import AuditAction
from boligsag.services import unlock as unlock_service
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.errors import WrongPassword
from boligsag.storage.models import AuditEntry
from boligsag.storage.throttle import MAX_BUCKETS, UnlockThrottle

from ..conftest import ADMIN_PASSWORD, CreatedDb

OPTIONS = UnlockOptions(integrity_check=False)


class NewProcess:
    """A throttle as a freshly started program has it; records the pauses it takes."""

    def __init__(self, slept: list[float]) -> None:
        self.throttle = UnlockThrottle(sleep=slept.append)


def _fail(created_db: CreatedDb, username: str, slept: list[float]) -> None:
    with pytest.raises(WrongPassword):
        unlock(created_db.path, username, "forkert-kodeord",
               throttle=NewProcess(slept).throttle, options=OPTIONS)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("username", ["admin", "ADMIN", "ingen-konto"])
def test_each_new_process_waits_longer_after_repeated_failures(
        created_db: CreatedDb, username: str) -> None:
    # Known and unknown names follow the same rule (no hint which names exist).
    db_before = _digest(created_db.path)
    slept: list[float] = []
    for _ in range(6):
        _fail(created_db, username, slept)
    # Failures 1-2 are free; then 1, 2, 4 s from the previous failure.
    assert len(slept) == 3
    assert [round(s) for s in slept] == [1, 2, 4]
    assert _digest(created_db.path) == db_before  # only the key file records failures


def test_success_resets_the_pause(created_db: CreatedDb) -> None:
    slept: list[float] = []
    for _ in range(4):
        _fail(created_db, "admin", slept)
    lock(unlock(created_db.path, "admin", ADMIN_PASSWORD,
                throttle=NewProcess(slept).throttle, options=OPTIONS))
    assert [round(s) for s in slept] == [1, 2]
    slept.clear()
    for _ in range(3):
        _fail(created_db, "admin", slept)
    assert slept == []  # counting starts over: 3 failures owe a pause only from the 4th


def _fail_in_child(db: str, queue: Any) -> None:
    unlock_service.THROTTLE = UnlockThrottle()  # what a new `boligsag` process has
    started = time.monotonic()
    try:
        unlock(Path(db), "admin", "forkert-kodeord", options=OPTIONS)
    except WrongPassword:
        # Linux's monotonic clock is one for all processes: the parent compares the
        # children's moments of failure, not only how long each one waited (a loaded
        # machine may take a while to start the next child, and that counts as pause).
        queue.put((time.monotonic() - started, time.monotonic()))
        sys.exit(0)
    sys.exit(1)


@pytest.mark.skipif(sys.platform == "win32", reason="needs fork")
def test_separate_processes_really_wait(created_db: CreatedDb) -> None:
    mp = multiprocessing.get_context("fork")
    queue = mp.Queue()
    took, failed_at = [], []
    for _ in range(5):
        child = mp.Process(target=_fail_in_child, args=(str(created_db.path), queue))
        child.start()
        waited, at = queue.get(timeout=60)
        took.append(waited)
        failed_at.append(at)
        child.join(60)
        assert child.exitcode == 0
    assert max(took[:3]) < 0.9
    # The 4th failure comes at least 1 s after the 3rd, the 5th 2 s after the 4th.
    assert failed_at[3] - failed_at[2] >= 0.95 and failed_at[4] - failed_at[3] >= 1.95


def test_unknown_names_do_not_grow_the_key_file_without_bound(created_db: CreatedDb) -> None:
    keys_path = keys.keys_path_for(created_db.path)
    slept: list[float] = []
    for i in range(MAX_BUCKETS + 60):
        _fail(created_db, f"gæt{i}", slept)
    doc = json.loads(keys_path.read_text("utf-8"))
    assert len(doc["login_failures"]) <= MAX_BUCKETS
    assert keys_path.stat().st_size < 64 * 1024
    # What a user typed as a name is never written down.
    assert "gæt" not in keys_path.read_text("utf-8")


def _entries(created_db: CreatedDb) -> list[AuditEntry]:
    ctx = unlock(created_db.path, "admin", ADMIN_PASSWORD, options=OPTIONS,
                 throttle=UnlockThrottle(sleep=lambda _s: None))
    try:
        with ctx.read() as unit:
            session = unit.session
            entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
            session.expunge_all()
            return entries
    finally:
        lock(ctx)


def test_failed_logins_are_audited_at_the_next_unlock(created_db: CreatedDb) -> None:
    ignore: list[float] = []
    for _ in range(3):
        _fail(created_db, "admin", ignore)
    for _ in range(2):
        _fail(created_db, "ukendt", ignore)
    entries = _entries(created_db)
    admin_uuid = keys.KeyStore.load(keys.keys_path_for(created_db.path)).users[0].user_uuid
    failed = [e for e in entries if e.action == AuditAction.LOGIN_FAILED]
    assert [e.entity_uuid for e in failed] == [admin_uuid, None]
    assert failed[0].detail.startswith("3 failed log-in(s) from ")
    assert failed[1].detail.startswith("2 failed log-in(s) from ")
    assert failed[1].detail.endswith("with a username that has no account")
    assert entries[-1].action == AuditAction.LOGIN  # the failures come before the LOGIN
    assert entries[-2].action == AuditAction.LOGIN_FAILED
    for entry in failed:
        assert "forkert" not in entry.detail and "ukendt" not in entry.detail
    # Audited once: the next unlock adds no LOGIN_FAILED entry.
    again = _entries(created_db)
    assert [e.id for e in again if e.action == AuditAction.LOGIN_FAILED] == [
        e.id for e in failed]
    assert again[-1].action == AuditAction.LOGIN
