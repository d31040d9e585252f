"""Atomic file replacement: after a crash the file is either the old one or the new one.

Used for the key sidecar, whose loss would make the database unreadable, for settings,
for the letters and summaries a user saves (``services.output_files``) and for the copy
of the database kept before a migration (``services.unlock``). A base
module (no database, no Qt), so the storage, the services and the desktop's settings
file all use this one implementation.

On Windows a rename onto a file that another process holds open fails with
PermissionError (WinError 5 or 32) for as long as it is held: a virus scanner or the
search indexer reading a file just written lets go within a second, Excel holding an
export does not. :func:`replace_file` retries for a bounded time, then raises
:class:`FileInUse`, which says so in the user's language.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import BinaryIO

from boligsag.errors import UserError

# The temporary name is short and independent of the target's name: ".{name}.{hex}.tmp"
# made a valid 245-byte name 262 bytes long, over the 255-byte limit of most file systems.
# It also carries no text of the target's name, which may hold a person's name.
TEMP_PREFIX = ".bs-"
TEMP_SUFFIX = ".tmp"


# Where a PermissionError from a rename means "in use, for now" rather than "not allowed".
IN_USE_PLATFORMS: Collection[str] = frozenset({"win32", "cygwin"})
# Waits between tries, doubling: about 2.5 s in all, longer than a scanner holds a new
# file, short enough that someone whose file is open in Excel hears of it at once.
IN_USE_DELAYS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)


class FileInUse(UserError):
    """The target stayed in use by another program (or may not be changed) through every
    try. No path in the message: a file name may hold a person's name. ``detail`` is the
    operating system's reason, for the command line and the log."""

    def __init__(self, detail: str) -> None:
        super().__init__("The file could not be replaced because another program is using "
                         "it (for example Excel or a virus scanner) or you may not change "
                         "it. Close it in the other program and try again; the file was "
                         "not changed.")
        self.detail = f"({detail})"


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
        replace_file(temp, path)
    except BaseException:
        discard(temp)
        raise
    fsync_directory(path.parent)


def in_use(error: OSError, platform: str | None = None) -> bool:
    """Whether a failed rename may succeed when tried again: a PermissionError on
    Windows, where it is what an open handle on the target gives. Elsewhere a
    PermissionError is a permission, and trying again changes nothing."""
    return isinstance(error, PermissionError) and (platform or sys.platform) in IN_USE_PLATFORMS


def replace_file(temp: Path, path: Path) -> None:
    """``os.replace(temp, path)``, tried again after :data:`IN_USE_DELAYS` while the
    target is in use (:func:`in_use`); :class:`FileInUse` when it stays so. Other
    errors propagate at once. The caller removes ``temp`` on failure; ``path`` is
    untouched then (a rename happens whole or not at all)."""
    for delay in IN_USE_DELAYS:
        try:
            os.replace(temp, path)
            return
        except OSError as error:
            if not in_use(error):
                raise
        time.sleep(delay)
    try:
        os.replace(temp, path)
    except OSError as error:
        if in_use(error):
            raise FileInUse(error.strerror or str(error)) from error
        raise


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
