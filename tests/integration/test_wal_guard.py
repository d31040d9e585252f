"""A -wal beside the database is replayed into it only when it belongs to that file.

Each case builds real SQLCipher files: a writer process killed with SIGKILL leaves
its committed frames in the -wal, which is what a crash (or a backup copied back
while a -wal lay beside the file) leaves on a user's disk.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from boligsag.storage import errors, keys
from boligsag.storage.engine import open_engine

_WRITER = """
import os, signal, sys
from sqlalchemy import text
from boligsag.storage.engine import open_engine
engine = open_engine(sys.argv[1], bytes.fromhex(os.environ["TEST_DB_KEY"]),
                     integrity_check=False)
for i in range(int(sys.argv[2])):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"row {i}"})
os.kill(os.getpid(), signal.SIGKILL)
"""


def make_db(folder: Path, rows: int) -> tuple[Path, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "boligsag.db"
    key = keys.new_database_key()
    engine = open_engine(db, key, create=True)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    add_rows(db, key, rows)
    engine.dispose()
    assert not wal(db).exists()  # the last close folded and removed it
    return db, key


def add_rows(db: Path, key: bytes, rows: int) -> None:
    """Commit ``rows`` rows, one transaction each, and close cleanly (WAL folded)."""
    engine = open_engine(db, key, integrity_check=False)
    try:
        for _ in range(rows):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
    finally:
        engine.dispose()


def crash_after_commits(db: Path, key: bytes, rows: int) -> None:
    env = {**os.environ, "TEST_DB_KEY": key.hex()}
    result = subprocess.run([sys.executable, "-c", _WRITER, str(db), str(rows)], env=env,
                            capture_output=True, timeout=60, check=False)
    assert result.returncode == -9, result.stderr.decode()
    assert wal(db).stat().st_size > 32


def wal(db: Path) -> Path:
    return Path(f"{db}-wal")


def count(db: Path, key: bytes) -> int:
    engine = open_engine(db, key)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM t")).scalar_one()
    finally:
        engine.dispose()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def move_aside(db: Path, folder: Path) -> None:
    folder.mkdir()
    for suffix in ("-wal", "-shm"):
        side = Path(f"{db}{suffix}")
        if side.exists():
            shutil.move(side, folder / side.name)


def test_own_wal_after_a_crash_keeps_every_committed_row(tmp_path: Path) -> None:
    db, key = make_db(tmp_path / "data", 5)
    crash_after_commits(db, key, 40)
    assert count(db, key) == 45


def test_another_databases_wal_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    db, key = make_db(tmp_path / "data", 30)
    other, other_key = make_db(tmp_path / "other", 5)
    crash_after_commits(other, other_key, 20)
    shutil.copyfile(wal(other), wal(db))
    before = snapshot(db.parent)
    with pytest.raises(errors.DatabaseWalMismatch) as info:
        open_engine(db, key)
    message = str(info.value)
    assert str(wal(db)) in message and "\n" not in message
    assert snapshot(db.parent) == before
    move_aside(db, tmp_path / "aside")
    assert count(db, key) == 30


def test_stale_wal_beside_an_older_backup_is_refused(tmp_path: Path) -> None:
    db, key = make_db(tmp_path / "data", 10)
    backup = tmp_path / "backup.db"
    shutil.copyfile(db, backup)
    add_rows(db, key, 15)  # checkpointed into the file: the backup is now older
    crash_after_commits(db, key, 40)  # these frames are based on the newer file
    shutil.copyfile(backup, db)  # the older backup is copied back; the -wal stays
    before = snapshot(db.parent)
    with pytest.raises(errors.DatabaseWalMismatch) as info:
        open_engine(db, key)
    assert "older" in str(info.value)
    assert snapshot(db.parent) == before
    move_aside(db, tmp_path / "aside")
    assert count(db, key) == 10  # the backup itself is intact


def test_old_wal_beside_a_newer_file_is_refused(tmp_path: Path) -> None:
    db, key = make_db(tmp_path / "data", 10)
    crash_after_commits(db, key, 5)
    old_wal = tmp_path / "old-wal"
    shutil.copyfile(wal(db), old_wal)
    assert count(db, key) == 15  # recovered and folded on close
    add_rows(db, key, 3)
    shutil.copyfile(old_wal, wal(db))
    before = snapshot(db.parent)
    with pytest.raises(errors.DatabaseWalMismatch):
        open_engine(db, key)
    assert snapshot(db.parent) == before


def test_backup_taken_just_before_the_wal_started_is_recovered(tmp_path: Path) -> None:
    # The -wal's frames start exactly from the backup's state, so replaying them is
    # the same history: accepted, and nothing is lost.
    db, key = make_db(tmp_path / "data", 10)
    backup = tmp_path / "backup.db"
    shutil.copyfile(db, backup)
    crash_after_commits(db, key, 40)
    shutil.copyfile(backup, db)
    assert count(db, key) == 50


def test_wal_without_valid_frames_is_harmless(tmp_path: Path) -> None:
    db, key = make_db(tmp_path / "data", 3)
    wal(db).write_bytes(os.urandom(4096 * 3))
    assert count(db, key) == 3
