"""Concurrent changes to the key file from separate processes are all kept (issue 8, 1.1).

Every read-modify-write of ``<db>.keys`` holds the lock beside it and re-reads under it, so
20 ``boligsag passwd`` runs at once, or accounts created while ``passwd`` runs, lose nothing.
The children are forked so they start in milliseconds and inherit the cheap test KDF.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import Any

import pytest

from boligsag.cli import main
from boligsag.domain.enums import Role
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import create_user

from ..conftest import ADMIN_PASSWORD, CreatedDb

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork")  # POSIX only

OPTIONS = UnlockOptions(integrity_check=False)


def _passwd(barrier: Any, db: str, username: str, old: str, new: str) -> None:
    os.environ["BOLIGSAG_PASSWORD"] = old
    os.environ["BOLIGSAG_NEW_PASSWORD"] = new
    barrier.wait(30)
    sys.exit(main(["passwd", db, username]))


def _passwd_until_stopped(db: str, started: Any, stop: Any, done: Any) -> None:
    password = ADMIN_PASSWORD
    i = 0
    while not stop.is_set():
        os.environ["BOLIGSAG_PASSWORD"] = password
        new = os.environ["BOLIGSAG_NEW_PASSWORD"] = f"admin-kodeord-{i:03d}"
        if main(["passwd", db, "admin"]) != 0:
            sys.exit(1)
        password, done.value, i = new, i + 1, i + 1
        started.set()
    sys.exit(0)


def _fork() -> Any:
    return multiprocessing.get_context("fork")


def test_twenty_concurrent_password_changes_are_all_kept(created_db: CreatedDb) -> None:
    ctx = unlock(created_db.path, "admin", ADMIN_PASSWORD, options=OPTIONS)
    names = [f"medarbejder{i:02d}" for i in range(20)]
    for name in names:
        create_user(ctx, name, f"Medarbejder {name}", Role.STAFF, f"{name}-gammelt")
    lock(ctx)

    mp = _fork()
    barrier = mp.Barrier(len(names))
    children = [mp.Process(target=_passwd, args=(barrier, str(created_db.path), name,
                                                 f"{name}-gammelt", f"{name}-nyt-kodeord"))
                for name in names]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
    assert [child.exitcode for child in children] == [0] * len(names)

    for name in names:  # every change is there: each new password unlocks
        lock(unlock(created_db.path, name, f"{name}-nyt-kodeord", options=OPTIONS))


def test_accounts_created_while_passwd_runs_can_all_log_in(created_db: CreatedDb) -> None:
    ctx = unlock(created_db.path, "admin", ADMIN_PASSWORD, options=OPTIONS)
    mp = _fork()
    started, stop, done = mp.Event(), mp.Event(), mp.Value("i", 0)
    runner = mp.Process(target=_passwd_until_stopped,
                        args=(str(created_db.path), started, stop, done))
    runner.start()
    names = [f"ny{i}" for i in range(5)]
    try:
        assert started.wait(60)
        for name in names:
            create_user(ctx, name, f"Ny {name}", Role.STAFF, f"{name}-første-kode")
    finally:
        stop.set()
        lock(ctx)
        runner.join(120)
    assert runner.exitcode == 0
    for name in names:
        lock(unlock(created_db.path, name, f"{name}-første-kode", options=OPTIONS))
    last = f"admin-kodeord-{done.value - 1:03d}"
    lock(unlock(created_db.path, "admin", last, options=OPTIONS))
