"""Errors raised by the storage layer.

Every error carries a stable ``code`` so the UI can show a translated message without
parsing English text, and an English ``str()`` for logs and the CLI that names the file
involved where there is one. Messages never contain personal data or key material.
"""

from __future__ import annotations

import os
from pathlib import Path

StrPath = str | os.PathLike[str]


class BoligsagStorageError(Exception):
    """Base class: anything the storage layer refuses to do, with a reason."""

    code: str = "storage_error"

    def __init__(self, message: str, path: StrPath | None = None) -> None:
        super().__init__(message)
        self.path: Path | None = Path(path) if path is not None else None


class WrongPassword(BoligsagStorageError):
    """Unknown user or wrong password: deliberately the same error, message and timing."""

    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__("Wrong username or password.")


class WrongRecoveryKey(BoligsagStorageError):
    code = "wrong_recovery_key"

    def __init__(self, reason: str = "it does not unlock this database") -> None:
        super().__init__(f"The recovery key is not valid: {reason}.")
        self.reason = reason


class SidecarMissing(BoligsagStorageError):
    code = "sidecar_missing"

    def __init__(self, path: StrPath) -> None:
        super().__init__(
            f"The key file {os.fspath(path)} is missing. The database cannot be unlocked "
            "without it; restore it from the backup that belongs to this database.",
            path,
        )


class SidecarCorrupt(BoligsagStorageError):
    code = "sidecar_corrupt"

    def __init__(self, path: StrPath | None, reason: str) -> None:
        where = os.fspath(path) if path is not None else "(unsaved key file)"
        super().__init__(
            f"The key file {where} is damaged or not a Boligsag key file: {reason}.", path
        )
        self.reason = reason


class NotABoligsagDatabase(BoligsagStorageError):
    code = "not_a_boligsag_database"

    def __init__(self, path: StrPath, detail: str = "") -> None:
        extra = f" ({detail})" if detail else ""
        super().__init__(
            f"{os.fspath(path)} is not a Boligsag database, or it does not belong to this key "
            f"file{extra}.",
            path,
        )
        self.detail = detail


class DatabaseTooNew(BoligsagStorageError):
    code = "database_too_new"

    def __init__(self, path: StrPath, found_revision: str) -> None:
        super().__init__(
            f"{os.fspath(path)} was written by a newer version of Boligsag (schema revision "
            f"{found_revision}). Install the newer version to open it.",
            path,
        )
        self.found_revision = found_revision


class DatabaseLocked(BoligsagStorageError):
    code = "database_locked"

    def __init__(self, path: StrPath | None = None, *, waited_s: float | None = None) -> None:
        where = os.fspath(path) if path is not None else "The database"
        if waited_s is None:
            message = f"{where} is in use by another program or another Boligsag window."
        else:
            message = (f"{where} is in use: another Boligsag or program kept it locked for "
                       f"writing for {waited_s:g} s; try again when it has finished.")
        super().__init__(message, path)
        self.waited_s = waited_s


class IntegrityFailed(BoligsagStorageError):
    code = "integrity_failed"

    def __init__(self, path: StrPath, detail: str) -> None:
        super().__init__(
            f"{os.fspath(path)} failed its integrity check ({detail}). Do not write to it; "
            "restore the latest backup.",
            path,
        )
        self.detail = detail


class CipherSettingsMismatch(BoligsagStorageError):
    code = "cipher_settings_mismatch"

    def __init__(self, path: StrPath, detail: str) -> None:
        super().__init__(
            f"The SQLCipher library does not use the settings {os.fspath(path)} needs: {detail}.",
            path,
        )
        self.detail = detail


class DatabaseMissing(BoligsagStorageError):
    code = "database_missing"

    def __init__(self, path: StrPath) -> None:
        super().__init__(f"The database file {os.fspath(path)} does not exist.", path)


class DatabaseExists(BoligsagStorageError):
    code = "database_exists"

    def __init__(self, path: StrPath) -> None:
        super().__init__(
            f"{os.fspath(path)} already exists; refusing to create a new database over it.", path
        )


class DatabaseWalMismatch(BoligsagStorageError):
    """A ``-wal`` beside the database that replaying would damage it with."""

    code = "database_wal_mismatch"

    def __init__(self, path: StrPath, reason: str) -> None:
        wal = f"{os.fspath(path)}-wal"
        super().__init__(
            f"{wal} does not belong to {os.fspath(path)} ({reason}). Nothing was changed; "
            f"move {wal} and {os.fspath(path)}-shm to another folder, then open again.",
            path,
        )
        self.reason = reason


class DatabaseReadOnly(BoligsagStorageError):
    code = "database_read_only"

    def __init__(self, path: StrPath, reason: str) -> None:
        super().__init__(
            f"{os.fspath(path)} can't be written: {reason}; Boligsag needs to write to it "
            "(audit log).",
            path,
        )
        self.reason = reason
