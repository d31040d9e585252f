"""Atomic file replacement: after a crash the file is either the old one or the new one.

Used for the key sidecar, whose loss would make the database unreadable, for settings,
for the letters and summaries a user saves (``services.output_files``) and for the copy
of the database kept before a migration (``services.unlock``). A base
module (no database, no Qt), so the storage, the services and the desktop's settings
file all use this one implementation.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# The temporary name is short and independent of the target's name: ".{name}.{hex}.tmp"
# made a valid 245-byte name 262 bytes long, over the 255-byte limit of most file systems.
# It also carries no text of the target's name, which may hold a person's name.
TEMP_PREFIX = ".bs-"
TEMP_SUFFIX = ".tmp"


def temp_name() -> str:
    return f"{TEMP_PREFIX}{secrets.token_hex(6)}{TEMP_SUFFIX}"


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data``.

    The temp file lives in the same folder (so ``os.replace`` is a rename, not a copy),
    is created with restrictive permissions before any byte is written, is fsynced, and
    after the rename the folder is fsynced on POSIX so the rename itself survives a power
    cut. On failure the temp file is removed and the old file is untouched. The new file
    has ``mode`` (less the umask), never the mode of the file it replaces.
    """
    path = Path(path)
    _replace(write_temp(path.parent, data, mode), path)


def atomic_copy(source: Path, target: Path, mode: int = 0o600) -> None:
    """Replace ``target`` with a byte copy of ``source``, in the same way as
    :func:`atomic_write`; streamed, because the source may be a whole database."""
    target = Path(target)
    with open(source, "rb") as src:
        temp = _fill_temp(target.parent, mode,
                          lambda out: shutil.copyfileobj(src, out, 1024 * 1024))
    _replace(temp, target)


def write_temp(folder: Path, data: bytes, mode: int = 0o600) -> Path:
    """Write ``data`` to a new temp file in ``folder`` and fsync it; the caller renames
    it into place (``os.replace``) or :func:`discard` s it."""
    return _fill_temp(folder, mode, lambda out: out.write(data))


def _fill_temp(folder: Path, mode: int, fill: Callable[[BinaryIO], object]) -> Path:
    temp = Path(folder) / temp_name()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        discard(temp)
        raise
    return temp


def _replace(temp: Path, path: Path) -> None:
    try:
        os.replace(temp, path)
    except BaseException:
        discard(temp)
        raise
    fsync_directory(path.parent)


def discard(temp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def fsync_directory(directory: Path) -> None:
    """Make a rename or create in ``directory`` durable (no-op where folders can't be opened)."""
    if os.name != "posix":
        return  # Windows: NTFS journals the rename; a folder cannot be fsynced there
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
