"""A checkpoint cut short (a kill or a power cut while SQLite folds the -wal into the
file) leaves the file's pages half old, half new; the -wal still holds them all, so
nothing is lost. The crash harness found that Boligsag then refused the file as
damaged: the key was checked on the file alone (``immutable``), which reads as
"malformed" until the -wal is folded in again (storage/engine.py)."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from boligsag.services.unlock import UnlockOptions, lock, unlock

from ..conftest import CreatedDb

ROOT = Path(__file__).resolve().parents[2]

# Writes through a raw connection that never folds its -wal in, then dies like a kill.
_CHILD = """
import os, sys
from pathlib import Path
from boligsag.storage import keys
from boligsag.storage.engine import keyed_connection
path = Path(sys.argv[1])
_user, key = keys.KeyStore.load(keys.keys_path_for(path)).unwrap_for_user("admin", sys.argv[2])
conn = keyed_connection(path, key)
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("CREATE TABLE cut_short (id INTEGER PRIMARY KEY, text TEXT)")
for _ in range(300):
    conn.execute("INSERT INTO cut_short (text) VALUES (?)", ("x" * 500,))
os._exit(0)
"""


def _fold_in_page_1_only(path: Path) -> None:
    """What a checkpoint killed after its first page leaves: the newest page 1 from the
    -wal in the file, every other page still old."""
    wal = Path(f"{path}-wal").read_bytes()
    page_size = struct.unpack(">I", wal[8:12])[0]
    newest_page_1, offset = None, 32
    while offset + 24 + page_size <= len(wal):
        if struct.unpack(">I", wal[offset:offset + 4])[0] == 1:
            newest_page_1 = wal[offset + 24:offset + 24 + page_size]
        offset += 24 + page_size
    assert newest_page_1 is not None
    with open(path, "r+b") as handle:
        handle.write(newest_page_1)


def test_a_file_left_mid_checkpoint_opens_whole(created_db: CreatedDb) -> None:
    path = created_db.path
    subprocess.run([sys.executable, "-c", _CHILD, str(path), created_db.password],
                   check=True, env={"PYTHONPATH": str(ROOT / "src")})
    _fold_in_page_1_only(path)

    ctx = unlock(path, "admin", created_db.password,
                 options=UnlockOptions(integrity_check=True))
    try:
        with ctx.db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert conn.execute(text("SELECT count(*) FROM cut_short")).scalar() == 300
    finally:
        lock(ctx)
