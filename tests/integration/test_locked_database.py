"""Another process holds the write lock: writes wait, say so, and give up with one line.

The holder is a real second process in ``BEGIN IMMEDIATE``; it says when it holds the
lock and releases it when the test tells it to, so no timing is left to luck.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from boligsag import commands
from boligsag.cli import main
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import errors, keys
from boligsag.storage.models import User
from boligsag.storage.write_lock import WriteWait

from ..conftest import ADMIN_PASSWORD, CreatedDb

_HOLDER = """
import os, sys
import sqlcipher3.dbapi2 as sqlcipher
conn = sqlcipher.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA key = \\"x'" + os.environ["TEST_DB_KEY"] + "'\\"")
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
conn.close()
"""

WAITING = "Waiting for another Boligsag to finish writing…"


@contextmanager
def write_lock_held(db: CreatedDb) -> Iterator[subprocess.Popen[str]]:
    _, key = keys.KeyStore.load(keys.keys_path_for(db.path)).unwrap_for_user(
        "admin", db.password)
    env = {**os.environ, "TEST_DB_KEY": key.hex()}
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db.path)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        release(holder)


def release(holder: subprocess.Popen[str]) -> None:
    if holder.poll() is None:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


@pytest.mark.parametrize("command", [
    ["referrals"],
    ["summary", "--from", "2026-01-01", "--to", "2026-12-31", "--out", "{tmp}/s.csv"],
    ["letter", "00000000-0000-4000-8000-000000000000", "--out", "{tmp}/l.pdf"],
])
def test_cli_gives_up_with_one_line_when_the_lock_is_not_released(
    created_db: CreatedDb, tmp_path: Path, command: list[str],
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setattr(commands, "WRITE_WAIT_LIMIT_S", 0.5)
    monkeypatch.setattr(commands, "WRITE_WAIT_NOTICE_S", 0.1)
    argv = [command[0], str(created_db.path),
            *(part.format(tmp=tmp_path) for part in command[1:])]
    with write_lock_held(created_db):
        assert main(argv) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[0] == WAITING
    assert len(lines) == 2 and lines[1].startswith(f"boligsag {command[0]}: ")
    assert "did not finish within 0.5 seconds" in lines[1] and str(created_db.path) in lines[1]


def test_cli_waits_for_the_other_writer_and_then_succeeds(
    created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setattr(commands, "WRITE_WAIT_LIMIT_S", 60.0)
    monkeypatch.setattr(commands, "WRITE_WAIT_NOTICE_S", 0.1)
    with write_lock_held(created_db) as holder:
        # The notice is the cue: release the lock only once the CLI says it waits.
        real = commands.say_waiting

        def notice_then_release() -> None:
            real()
            release(holder)

        monkeypatch.setattr(commands, "say_waiting", notice_then_release)
        assert main(["referrals", str(created_db.path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == WAITING
    assert captured.out.startswith("id,person,service,status,date")


def test_reads_do_not_need_the_write_lock(created_db: CreatedDb) -> None:
    ctx = unlock(created_db.path, "admin", created_db.password,
                 options=UnlockOptions(integrity_check=False))
    try:
        with write_lock_held(created_db):
            with ctx.read() as unit:
                assert unit.session.scalars(select(User)).first() is not None
            from boligsag.services.referral_queries import count_referrals, list_referrals

            assert list_referrals(ctx) == [] and count_referrals(ctx) == 0
    finally:
        lock(ctx)


def test_unit_of_work_gives_up_with_database_locked(created_db: CreatedDb) -> None:
    notices: list[str] = []
    ctx = unlock(created_db.path, "admin", created_db.password, options=UnlockOptions(
        integrity_check=False,
        write_wait=WriteWait(limit_s=0.3, notice_after_s=0.1,
                             on_wait=lambda: notices.append("waiting"))))
    try:
        with (write_lock_held(created_db), pytest.raises(errors.DatabaseLocked) as info,
              ctx.write(None) as unit):
            unit.session.scalars(select(User)).first()
        assert notices == ["waiting"]
        assert "\n" not in str(info.value)
        with ctx.write(None) as unit:  # the lock is free again: the pool still works
            assert unit.session.scalars(select(User)).first() is not None
    finally:
        lock(ctx)
