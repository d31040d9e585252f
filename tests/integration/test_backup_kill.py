"""kill -9 while a backup is written, 20 times (issue 13 §6, backups): the real
``python -m boligsag backup PATH --to FOLDER`` as a process of its own, killed with
SIGKILL at a random moment of its run or a few milliseconds after its copy began
(random.Random, seed printed; ``BOLIGSAG_KILL_SEED`` repeats a run). After each kill
the database passes ``boligsag check`` (which opens it with the password), and every
file in the folder with a backup's name is a whole backup: it opens with the password,
passes the integrity check and has its key file. What a kill leaves behind is only
under a temporary name. A last backup, not killed, succeeds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from boligsag.cli import main
from boligsag.services import backups, restore
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys

from ..conftest import CreatedDb

RUNS = 20


def _backup_process(created_db: CreatedDb, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BOLIGSAG_PASSWORD": created_db.password,
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.Popen([sys.executable, "-m", "boligsag", "backup",
                             str(created_db.path), "--to", str(folder)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_copy(folder: Path, known: set[str], process: subprocess.Popen[bytes]) -> None:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and process.poll() is None:
        if {p.name for p in folder.iterdir() if p.name.startswith(".bs-")} - known:
            return
        time.sleep(0.001)


def test_kill_9_while_backing_up_leaves_the_database_and_every_named_backup_whole(
        created_db: CreatedDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ctx = unlock(created_db.path, "admin", created_db.password,
                 options=UnlockOptions(integrity_check=False))
    try:
        for n in range(200):  # enough rows that the copy takes a while
            create_person(ctx, PersonDraft(first_name=f"Person{n}", last_name="Kill",
                                           note="Noter " * 40))
    finally:
        lock(ctx)
    folder = tmp_path / "usb"
    folder.mkdir()
    seed = int(os.environ.get("BOLIGSAG_KILL_SEED") or random.randrange(1 << 30))
    print(f"BOLIGSAG_KILL_SEED={seed}")
    rng = random.Random(seed)
    started = time.perf_counter()
    whole = _backup_process(created_db, folder)
    assert whole.wait(60) == 0, whole.stderr.read() if whole.stderr else ""
    one_run = time.perf_counter() - started
    killed_mid_copy = 0
    left_before: set[str] = set()
    for run in range(RUNS):
        time.sleep(1.1)  # a backup's name has the second in it
        process = _backup_process(created_db, folder)
        if run % 2:  # a random moment of the whole run
            time.sleep(rng.uniform(0.3, 1.2) * one_run)
        else:  # a few milliseconds after the copy began: its temporary file appeared
            _wait_for_copy(folder, left_before, process)
            time.sleep(rng.uniform(0, 0.03))
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        leftovers = {p.name for p in folder.iterdir() if p.name.startswith(".bs-")}
        killed_mid_copy += bool(leftovers - left_before)
        left_before = leftovers
        monkeypatch.setenv("BOLIGSAG_PASSWORD", created_db.password)
        assert main(["check", str(created_db.path)]) == 0, f"run {run}"
        for backup in folder.glob("boligsag-backup-*.db"):
            assert keys.keys_path_for(backup).exists(), backup.name
            contents = restore.inspect_backup(backup, "admin", created_db.password)
            assert contents.counts["people"] >= 200, backup.name
    capsys.readouterr()
    time.sleep(1.1)
    ctx = unlock(created_db.path, "admin", created_db.password,
                 options=UnlockOptions(integrity_check=False))
    try:
        made = backups.take_backup(ctx, folder)
        listed = backups.list_backups(folder, ctx)
    finally:
        lock(ctx)
    assert made.path in [b.path for b in listed]
    print(f"BOLIGSAG_KILL_SEED={seed}: {RUNS} kills, {killed_mid_copy} of them while a "
          f"backup was being written (temporary files left); {len(listed)} whole backups")
    assert killed_mid_copy >= RUNS // 4  # the kills did reach the copy
