"""Atomic file replacement: after a crash the file is either the old one or the new one.

Used for the key sidecar, whose loss would make the database unreadable; exports,
backups and settings can use it too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``.

    The temp file lives in the same folder (so ``os.replace`` is a rename, not a copy),
    is created with restrictive permissions before any byte is written, is fsynced, and
    after the rename the folder is fsynced on POSIX so the rename itself survives a power
    cut. On failure the temp file is removed and the old file is untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename or create in ``directory`` durable (no-op where folders can't be opened)."""
    if os.name != "posix":
        return  # Windows: NTFS journals the rename; a folder cannot be fsynced there
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
