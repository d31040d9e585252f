"""Creating a database and its key file all-or-nothing (``init``, ``demo``, first run).

A new database is built in a private staging folder beside its final place,
``.boligsag-new-<hex>/n.db`` (short names: the final name may already be near the file
system's limit), and moved into place only when it is complete and closed: first the
key file, then the database, whose arrival is the commit point. So the final names
never show a database without its key file, nor a half-filled database.

For as long as a creation runs it holds an advisory lock (``flock`` / ``msvcrt.locking``)
on ``.boligsag-new-<hex>.lock`` beside the staging folder. The operating system drops
that lock however the process ends, SIGKILL and power cuts included, so the next
creation in the same folder can tell an abandoned staging folder (nobody holds its lock)
from a running one and removes it. If the dead creator had already moved its key file
into place but not its database, that key file goes too: it is recognised by its file
identity (device, inode, size, mtime), recorded in the staging folder just before the
move, and only while no database sits beside it. Nothing else is ever touched.

SIGINT and SIGTERM (which ``boligsag.cli`` turns into an exception) unwind through
:func:`staged_database`, which removes the staging folder on the spot.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

from boligsag.atomic import atomic_write, fsync_directory
from boligsag.storage.errors import DatabaseExists
from boligsag.storage.keys import keys_path_for

__all__ = ["remove_abandoned", "staged_database"]

PREFIX = ".boligsag-new-"
_LOCK_NAME = re.compile(re.escape(PREFIX) + r"([0-9a-f]{12})\.lock")
_DB_NAME = "n.db"
_MOVED_KEYS = "moved-keys"


@contextlib.contextmanager
def staged_database(path: Path) -> Iterator[Path]:
    """Yield a temporary database path; on a normal exit move the database there and
    its key file into place at ``path``, on any exception remove everything.

    The caller creates the database and key file at the yielded path and must close
    every connection before leaving the block (the ``-wal`` belongs to the temporary
    name). Raises DatabaseExists if ``path`` or its key file exists, or appears meanwhile.
    """
    path = Path(path).absolute()
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    remove_abandoned(folder)
    keys_path = keys_path_for(path)
    for final in (path, keys_path):
        try:
            os.lstat(final)  # also fails early on a name the file system refuses
        except FileNotFoundError:
            continue
        raise DatabaseExists(final)
    token = secrets.token_hex(6)
    lock_path = folder / f"{PREFIX}{token}.lock"
    staging = folder / f"{PREFIX}{token}"
    lock_fd = -1
    try:
        # SIGTERM/SIGINT become exceptions (boligsag.cli); one landing between the
        # lock file's creation and ``lock_fd`` being set would leave it (or the
        # staging folder) behind.
        with _signals_deferred():
            lock_fd = _create_locked(lock_path)
            staging.mkdir(mode=0o700)
        yield staging / _DB_NAME
        _move_into_place(staging, path, keys_path)
    finally:
        if lock_fd >= 0:
            shutil.rmtree(staging, ignore_errors=True)
            os.close(lock_fd)  # before the unlink: Windows cannot remove an open file
            with contextlib.suppress(FileNotFoundError):
                os.unlink(lock_path)


def remove_abandoned(folder: Path) -> None:
    """Remove the staging folders in ``folder`` whose creator is gone (see module doc)."""
    try:
        entries = [entry.name for entry in os.scandir(folder)]
    except OSError:
        return
    for name in entries:
        match = _LOCK_NAME.fullmatch(name)
        if match is None:
            continue
        lock_path = folder / name
        try:
            fd = os.open(lock_path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:
            continue  # removed meanwhile by its creator or another cleaner
        try:
            if not _try_lock(fd):
                continue  # its creation is still running
            staging = folder / f"{PREFIX}{match.group(1)}"
            _roll_back_moved_keys(folder, staging)
            shutil.rmtree(staging, ignore_errors=True)
        finally:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)


# -- moving into place -----------------------------------------------------------------


def _move_into_place(staging: Path, path: Path, keys_path: Path) -> None:
    tmp = staging / _DB_NAME
    tmp_keys = keys_path_for(tmp)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-journal")):
        if leftover.exists() and leftover.stat().st_size:
            # Committed pages would be left behind in the staging folder.
            raise RuntimeError("the new database was not closed before moving it into place")
    atomic_write(staging / _MOVED_KEYS, _identity(tmp_keys).encode("ascii"))
    _move_no_replace(tmp_keys, keys_path)
    try:
        _move_no_replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(keys_path)  # ours: moved a moment ago, and no database beside it
        raise
    fsync_directory(path.parent)


def _move_no_replace(src: Path, dst: Path) -> None:
    """Rename that refuses to replace an existing ``dst`` (a concurrent creation's)."""
    try:
        if os.name == "nt":
            os.rename(src, dst)  # refuses an existing target on Windows
            return
        try:
            os.link(src, dst)  # atomic and refuses an existing target
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (FAT on a USB stick)
            if os.path.lexists(dst):
                raise FileExistsError(dst) from None
            os.rename(src, dst)
            return
        os.unlink(src)
    except FileExistsError:
        raise DatabaseExists(dst) from None


def _identity(path: Path) -> str:
    st = os.stat(path)
    return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}"


def _roll_back_moved_keys(folder: Path, staging: Path) -> None:
    """Remove the key file a dead creator moved into place without its database."""
    try:
        identity = (staging / _MOVED_KEYS).read_text("ascii")
    except (OSError, UnicodeDecodeError):
        return  # it never got as far as moving anything
    for entry in os.scandir(folder):
        if not entry.name.endswith(".keys") or not entry.is_file(follow_symlinks=False):
            continue
        with contextlib.suppress(OSError):
            if (_identity(Path(entry.path)) == identity
                    and not os.path.lexists(folder / entry.name[: -len(".keys")])):
                os.unlink(entry.path)


# -- advisory locks ----------------------------------------------------------------------


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for the block; one that arrived meanwhile is
    delivered (and raised by Python) right after it. A no-op where the OS has no
    signal masks (Windows)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _create_locked(lock_path: Path) -> int:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o600)
    if not _try_lock(fd):  # a fresh random name: nobody else can hold it
        os.close(fd)
        raise RuntimeError("could not lock a new temporary file")
    return fd


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock without waiting; the OS releases it when ``fd`` closes or
    the process dies."""
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
