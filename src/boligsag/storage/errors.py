"""Errors raised by the storage layer.

Each is a :class:`~boligsag.errors.UserError` with its own message id (the calm text the
log-in window shows, in Danish there) and, where there is one, an English technical
``detail`` (SQLite's reason, the damaged line of a key file) that only the command line
and the log show. Messages never contain personal data or key material; file paths are
allowed, because the administrator needs them.
"""

from __future__ import annotations

import os
from pathlib import Path

from boligsag.errors import UserError
from boligsag.i18n import tr_in

StrPath = str | os.PathLike[str]


def _file(path: StrPath) -> str:
    return os.fspath(path)


class WrongPassword(UserError):
    """Unknown user or wrong password: deliberately the same error, message and timing."""

    def __init__(self) -> None:
        super().__init__("Wrong username or password.")


class WrongRecoveryKey(UserError):
    def __init__(self, reason: str = "it does not unlock this database") -> None:
        super().__init__("The recovery key does not unlock this database. Check the letters "
                         "and digits against the printed sheet.")
        self.reason = reason
        self.detail = f"({reason})"


class SidecarMissing(UserError):
    def __init__(self, path: StrPath) -> None:
        super().__init__("The key file {file} is missing. The database cannot be opened "
                         "without it: restore it from the backup that belongs to this "
                         "database.", file=_file(path))
        self.path = Path(path)


class SidecarCorrupt(UserError):
    def __init__(self, path: StrPath, reason: str) -> None:
        super().__init__("The key file {file} is damaged or not a Boligsag key file. Restore "
                         "it from the backup that belongs to this database.", file=_file(path))
        self.path = Path(path)
        self.reason = reason
        self.detail = f"({reason})"


class NotABoligsagDatabase(UserError):
    def __init__(self, path: StrPath, detail: str = "") -> None:
        super().__init__("{file} is not a Boligsag database, or it does not belong to the key "
                         "file beside it.", file=_file(path))
        self.path = Path(path)
        self.detail = f"({detail})" if detail else ""


class DatabaseTooNew(UserError):
    def __init__(self, path: StrPath, found_revision: str) -> None:
        super().__init__("This database was saved by a newer version of Boligsag. Install "
                         "the newer version to open it.")
        self.path = Path(path)
        self.found_revision = found_revision
        self.detail = f"({_file(path)}: schema revision {found_revision})"


class DatabaseLocked(UserError):
    """Another program holds the database; ``waited_s`` is how long a write waited for
    it (None: it was refused at once)."""

    def __init__(self, path: StrPath | None = None, *, waited_s: float | None = None) -> None:
        if waited_s is None:
            super().__init__("The database is in use by another program or another Boligsag "
                             "window. Close it there and try again.")
        else:
            super().__init__("The database is being changed by another Boligsag, and it did "
                             "not finish within {seconds} seconds. Try again in a moment.",
                             seconds=f"{waited_s:g}")
        self.path = Path(path) if path is not None else None
        self.waited_s = waited_s
        self.detail = f"({_file(path)})" if path is not None else ""


class IntegrityFailed(UserError):
    def __init__(self, path: StrPath, detail: str) -> None:
        super().__init__("The database failed its integrity check. Do not use it: ask your "
                         "administrator to restore the latest backup.")
        self.path = Path(path)
        self.detail = f"({_file(path)}: {detail})"


class DatabaseDamaged(UserError):
    """A write refused because the database was found damaged earlier in this session
    (storage/damage.py)."""

    def __init__(self, path: StrPath) -> None:
        super().__init__("The database is damaged, so nothing more is saved in it. "
                         "Ask your administrator to restore the latest backup.")
        self.path = Path(path)
        self.detail = f"({_file(path)}: found damaged earlier in this session)"


class WriteFailed(UserError):
    """The disk refused a write (full, a quota, a failing or removed drive)."""

    def __init__(self, path: StrPath, code: str) -> None:
        super().__init__("Boligsag could not write to the disk; it may be full or failing. "
                         "What was saved before is kept. Free some space (or ask your IT "
                         "support) and save again.")
        self.path = Path(path)
        self.detail = f"({_file(path)}: {code})"


class CipherSettingsMismatch(UserError):
    def __init__(self, path: StrPath, detail: str) -> None:
        super().__init__("The encryption library on this computer does not match the "
                         "database. Ask your administrator for help.")
        self.path = Path(path)
        self.detail = f"({_file(path)}: {detail})"


class DatabaseMissing(UserError):
    def __init__(self, path: StrPath) -> None:
        super().__init__("The database file {file} does not exist.", file=_file(path))
        self.path = Path(path)


class DatabaseExists(UserError):
    def __init__(self, path: StrPath) -> None:
        super().__init__("{file} already exists. Boligsag never creates a new database over "
                         "an existing one.", file=_file(path))
        self.path = Path(path)


class DatabaseWalMismatch(UserError):
    """A ``-wal`` beside the database that replaying would damage it with."""

    def __init__(self, path: StrPath, reason: str) -> None:
        file = _file(path)
        super().__init__("The file {wal} beside the database does not belong to it, so "
                         "Boligsag did not open the database. Nothing has been changed. Move "
                         "{wal} and {shm} to another folder, then open the database again.",
                         wal=f"{file}-wal", shm=f"{file}-shm")
        self.path = Path(path)
        self.reason = reason
        self.detail = f"({reason})"


class DatabaseReadOnly(UserError):
    def __init__(self, path: StrPath, reason: str) -> None:
        super().__init__("Boligsag can't write to {file}: {reason}. Boligsag needs to write "
                         "to the database (for the audit log). Ask your administrator for "
                         "help.", file=_file(path))
        self.path = Path(path)
        self.reason = reason
        self.detail = f"({reason})"

    def params_in(self, language: str) -> dict[str, object]:
        # The message gives the likely cause in the reader's language; SQLite's own
        # reason is English, so it is the detail.
        return {**self.params,
                "reason": tr_in(language, "the file, its folder or the drive is read-only")}
