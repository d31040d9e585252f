"""Can the database be written where it lies? Asked before SQLite is, for a clear answer.

SQLite opens a file it may not write read-only without a word and fails on the first
write ("attempt to write a readonly database"), or cannot open a WAL-mode file at all
when it may not create the ``-wal``/``-shm`` beside it ("unable to open database file").
Measured on a read-only bind mount; ``os.access`` also answers for root there (EROFS),
while a chmod does not stop root, nor SQLite running as root.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_problem(path: Path) -> str | None:
    """Why SQLite could not write ``path`` and the files beside it, or None."""
    try:
        read_only_mount = bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # no statvfs on Windows
        read_only_mount = False
    if read_only_mount:
        return "it is on a read-only file system"
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if not os.access(path.parent, os.W_OK):
        return f"its folder {path.parent} is read-only (the -wal and -shm files go there)"
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists() and not os.access(side, os.W_OK):
            return f"{side.name} beside it is read-only"
    return None
