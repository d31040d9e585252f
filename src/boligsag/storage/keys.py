"""Key hierarchy: one random database key, wrapped per user and by a printed recovery key.

The SQLCipher database is encrypted with a random 256-bit key that never changes when a
password does. Each user's password is stretched with Argon2id into a key-encryption key
(KEK) that wraps the database key with AES-GCM; the user's UUID is the associated data, so
an entry cannot be moved to another user. The wrapped keys
live in a JSON sidecar ``<db filename>.keys`` beside the database. Without the sidecar (or
the printed recovery key) the database cannot be opened, so it is written atomically and
must be in every backup.

This module is the key file: its paths, the lock every writer takes, the store read from
and written to it, and the users table's password hashes. One wrapped copy of the key is
``wrapped_key``; the printed recovery key's text is ``recovery_key``.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock
from cryptography.exceptions import InvalidTag

from boligsag.atomic import atomic_write
from boligsag.domain.usernames import fold_username
from boligsag.errors import UserError
from boligsag.storage.errors import (
    SidecarCorrupt,
    SidecarMissing,
    StrPath,
    WrongPassword,
    WrongRecoveryKey,
)
from boligsag.storage.kdf import KdfParams, password_bytes, phc_hash, phc_parse, phc_verify
from boligsag.storage.recovery_key import RECOVERY_BITS, format_recovery_key, normalize_recovery_key
from boligsag.storage.throttle import LoginFailures, UnlockThrottle, bucket_of
from boligsag.storage.wrapped_key import (
    DB_KEY_BYTES,
    UserKey,
    WrappedKey,
    b64,
    required_str,
    unb64,
)

__all__ = [
    "DEFAULT_KDF_PARAMS", "KDF_PARAMS", "KdfParams", "KeyFileBusy", "KeyStore", "UnlockThrottle",
    "edit_key_file", "hash_password", "keys_path_for", "new_database_key",
    "password_needs_rehash", "verify_password",
]

SIDECAR_FORMAT = "boligsag-keys"
SIDECAR_VERSION = 1
_RECOVERY_AAD = b"recovery"
# A real key file is a few kB per user (plus a bounded failure table); reading more than
# this would only let a damaged or planted file exhaust memory.
MAX_KEY_FILE_BYTES = 1024 * 1024


DEFAULT_KDF_PARAMS = KdfParams()
# What new wraps and hashes use. Read at call time, so tests can monkeypatch cheaper params.
KDF_PARAMS: KdfParams = DEFAULT_KDF_PARAMS


def _current_params(params: KdfParams | None) -> KdfParams:
    return params if params is not None else KDF_PARAMS


def new_database_key() -> bytes:
    return os.urandom(DB_KEY_BYTES)


def keys_path_for(db_path: StrPath) -> Path:
    """``boligsag.db`` -> ``boligsag.db.keys`` in the same folder."""
    p = Path(db_path)
    return p.with_name(p.name + ".keys")


def lock_path_for(keys_path: StrPath) -> Path:
    """``boligsag.db.keys`` -> ``boligsag.db.keys.lock``: the lock every writer takes."""
    p = Path(keys_path)
    return p.with_name(p.name + ".lock")


# Long enough for a queue of password changes (each one Argon2id run, ~0.2 s) to pass;
# short enough that a hung holder gives a clear error instead of a frozen window.
KEY_FILE_LOCK_TIMEOUT = 60.0


class KeyFileBusy(UserError):
    def __init__(self, path: StrPath) -> None:
        super().__init__("The key file {file} is being changed by another Boligsag "
                         "program. Try again in a moment.", file=os.fspath(path))
        self.path = Path(path)


# Edits this thread holds open, by key file: a nested edit of the same file (the audit
# anchor moving after a commit made inside a password change) shares the outer one's
# lock and store instead of waiting for itself.
_held = threading.local()


@contextlib.contextmanager
def edit_key_file(keys_path: StrPath, *, timeout: float | None = None) -> Iterator[KeyStore]:
    """Read-modify-write of the key file under an exclusive lock beside it.

    The file is loaded fresh while the lock is held, so a change another process saved a
    moment ago is in the store we yield and is not overwritten. On normal exit the store is
    saved atomically if its JSON changed; on an exception nothing is saved. Re-entrant in
    one thread: a nested edit of the same file yields the same store and saves it on its
    own normal exit, so whatever the outer edit changed so far is written then too.
    Lock order: take this lock before a database write transaction, never inside one.
    """
    keys_path = Path(keys_path)
    held: dict[Path, KeyStore] = _held.__dict__.setdefault("stores", {})
    ident = keys_path.resolve()
    if ident in held:
        store = held[ident]
        yield store
        if store._canonical() != store._saved:
            store.save(keys_path)
        return
    # preserve_lock_file: a lock file that is unlinked on release can let a waiter lock
    # the old inode while a newcomer locks a new one; an empty file left behind is harmless.
    lock = filelock.FileLock(lock_path_for(keys_path), mode=0o600, thread_local=False,
                             preserve_lock_file=True)
    try:
        lock.acquire(timeout=KEY_FILE_LOCK_TIMEOUT if timeout is None else timeout)
    except filelock.Timeout:
        raise KeyFileBusy(keys_path) from None
    try:
        store = KeyStore.load(keys_path)
        held[ident] = store
        try:
            yield store
        except KeyMismatch as exc:
            raise SidecarCorrupt(keys_path, str(exc)) from None
        finally:
            del held[ident]
        # Compared as text: the yielded store's dicts (audit_anchor) may be changed in place.
        # The body may have saved already (to order the save before a database commit).
        if store._canonical() != store._saved:
            store.save(keys_path)
    finally:
        lock.release()


class KeyMismatch(ValueError):
    """The key file's check value does not match the database key given (a damaged key
    file, an altered database id, or the key of another database)."""


@dataclass
class KeyStore:
    """The contents of one sidecar file. Mutating methods change memory only; call save()."""

    database_id: str
    users: list[UserKey] = field(default_factory=list)
    recovery: WrappedKey | None = None
    # HMAC of a fixed text under the database key: lets us refuse to wrap a wrong key
    # (which would silently lock a user, or a printed recovery key, out of the data).
    key_check: bytes | None = None
    # The audit log's head, kept outside the database so a cut-off tail is noticed. Its
    # content belongs to the audit module; this module only carries it through load/save.
    audit_anchor: dict[str, Any] | None = None
    # A key rotation under way: the next key's users, recovery, check and anchor, read
    # and acted on by key_rotation.py only.
    pending_rotation: dict[str, Any] | None = None
    # Failed log-ins per username bucket (see storage.throttle), for the pause and the audit.
    login_failures: LoginFailures = field(default_factory=LoginFailures)
    # The JSON text last loaded or saved: lets edit_key_file skip a save that changes nothing.
    _saved: str | None = field(default=None, repr=False, compare=False)

    # -- construction and files -------------------------------------------------------

    @classmethod
    def create(cls, database_id: str | uuid.UUID) -> KeyStore:
        return cls(database_id=str(uuid.UUID(str(database_id))))

    @classmethod
    def load(cls, path: StrPath) -> KeyStore:
        try:
            with open(path, "rb") as f:
                raw = f.read(MAX_KEY_FILE_BYTES + 1)
        except FileNotFoundError:
            raise SidecarMissing(path) from None
        except IsADirectoryError:
            raise SidecarCorrupt(path, "it is a folder") from None
        if len(raw) > MAX_KEY_FILE_BYTES:
            raise SidecarCorrupt(path, f"larger than {MAX_KEY_FILE_BYTES // 1024} KiB")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SidecarCorrupt(path, "not valid JSON") from None
        except RecursionError:  # e.g. 100,000 nested brackets
            raise SidecarCorrupt(path, "nested too deeply") from None
        try:
            store = cls._from_doc(doc)
        except ValueError as exc:
            raise SidecarCorrupt(path, str(exc)) from None
        store._saved = store._canonical()
        return store

    @classmethod
    def _from_doc(cls, doc: Any) -> KeyStore:
        if not isinstance(doc, dict) or doc.get("format") != SIDECAR_FORMAT:
            raise ValueError("not a Boligsag key file")
        if doc.get("version") != SIDECAR_VERSION:
            raise ValueError(f"unsupported version {doc.get('version')!r} "
                             f"(this Boligsag reads version {SIDECAR_VERSION})")
        try:
            database_id = str(uuid.UUID(required_str(doc, "database_id")))
        except ValueError:
            raise ValueError("field 'database_id' is not a UUID") from None
        store = cls(database_id=database_id)
        if not isinstance(doc.get("users"), list):
            raise ValueError("field 'users' is not a list")
        for entry in doc["users"]:
            must_change = entry.get("must_change_password", False)
            if not isinstance(must_change, bool):
                raise ValueError("field 'must_change_password' is not true or false")
            user = UserKey(required_str(entry, "user_uuid"), required_str(entry, "username"),
                           WrappedKey.from_json(entry), must_change)
            if store._find_uuid(user.user_uuid) or store._find(user.username):
                raise ValueError("the same user appears twice")
            store.users.append(user)
        if doc.get("recovery") is not None:
            store.recovery = WrappedKey.from_json(doc["recovery"])
        if doc.get("key_check") is not None:
            store.key_check = unb64(doc["key_check"], "key_check", 32)
        anchor = doc.get("audit_anchor")
        if anchor is not None and not isinstance(anchor, dict):
            raise ValueError("field 'audit_anchor' is not an object")
        store.audit_anchor = anchor
        pending = doc.get("pending_rotation")
        if pending is not None and not isinstance(pending, dict):
            raise ValueError("field 'pending_rotation' is not an object")
        store.pending_rotation = pending
        store.login_failures = LoginFailures.from_json(doc.get("login_failures"))
        return store

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SIDECAR_FORMAT, "version": SIDECAR_VERSION, "database_id": self.database_id,
            "users": [{"user_uuid": u.user_uuid, "username": u.username, **u.key.to_json(),
                       **({"must_change_password": True} if u.must_change else {})}
                      for u in self.users],
            "recovery": self.recovery.to_json() if self.recovery else None,
            "key_check": b64(self.key_check) if self.key_check else None,
            "audit_anchor": self.audit_anchor,
            "login_failures": self.login_failures.to_json(),
            **({"pending_rotation": self.pending_rotation} if self.pending_rotation else {}),
        }

    def _canonical(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)

    def save(self, path: StrPath) -> None:
        """Write the whole file atomically. A change to an existing key file belongs inside
        ``edit_key_file`` (which holds the lock and re-reads first)."""
        data = json.dumps(self.to_json(), indent=2, ensure_ascii=False).encode("utf-8")
        atomic_write(Path(path), data + b"\n")
        self._saved = self._canonical()

    def failure_bucket(self, username: str) -> str:
        """The failure-table bucket of a typed username (known or not; see storage.throttle)."""
        return bucket_of(username, self.database_id)

    # -- users --------------------------------------------------------------------------

    def has_user(self, username: str) -> bool:
        return self._find(username) is not None

    def add_user(self, user_uuid: str, username: str, password: str, db_key: bytes, *,
                 must_change: bool = False) -> None:
        if self._find_uuid(user_uuid) or self._find(username):
            raise ValueError("a user with this UUID or username already has a key")
        self._check_db_key(db_key)
        self.users.append(UserKey.wrap(user_uuid, username, password, db_key, KDF_PARAMS,
                                       must_change=must_change))

    def remove_user(self, user_uuid: str) -> None:
        user = self._find_uuid(user_uuid)
        if user is None:
            raise KeyError(user_uuid)
        if len(self.users) == 1 and self.recovery is None:
            raise ValueError("refusing to remove the last way to unlock the database")
        self.users.remove(user)

    def unwrap_for_user(self, username: str, password: str) -> tuple[str, bytes]:
        """Return ``(user_uuid, db_key)``; raise WrongPassword for any failure.

        An unknown username takes the same path as a known one (KDF and AES-GCM on a
        decoy entry with real-looking cost), so neither the error nor the time tells
        which usernames exist.
        """
        user = self._find(username)
        target = user if user is not None else self._decoy()
        try:
            db_key = target.key.unwrap(password_bytes(password), target.user_uuid.encode())
        except InvalidTag:
            raise WrongPassword() from None
        if user is None:  # unreachable in practice: the decoy cannot decrypt
            raise WrongPassword()
        return user.user_uuid, db_key

    def set_password(self, user_uuid: str, username: str, new_password: str,
                     db_key: bytes, *, must_change: bool = False) -> None:
        """The one way a password is set: the user's own change, an administrator's reset,
        or the first key for an existing account; replaces the entry. Needs the database
        key (the open database's), never the old password. ``must_change``: a one-time
        password, to be replaced at the next log-in."""
        self._check_db_key(db_key)
        other = self._find(username)
        if other is not None and other.user_uuid != user_uuid:
            raise ValueError("another user already has this username")
        entry = UserKey.wrap(user_uuid, username, new_password, db_key, KDF_PARAMS,
                             must_change=must_change)
        current = self._find_uuid(user_uuid)
        if current is None:
            self.users.append(entry)
        else:
            self.users[self.users.index(current)] = entry

    # -- recovery key -------------------------------------------------------------------

    def set_recovery(self, db_key: bytes) -> str:
        """Create a new recovery key (replacing any old one); return it for printing."""
        self._check_db_key(db_key)
        text = format_recovery_key(secrets.token_bytes(RECOVERY_BITS // 8))
        secret = normalize_recovery_key(text).encode("ascii")
        self.recovery = WrappedKey.wrap(secret, db_key, _RECOVERY_AAD, KDF_PARAMS)
        return text

    def unwrap_with_recovery(self, text: str) -> bytes:
        if self.recovery is None:
            raise WrongRecoveryKey("no recovery key has been set for this database")
        try:
            secret = normalize_recovery_key(text).encode("ascii")
        except ValueError as exc:
            raise WrongRecoveryKey(str(exc)) from None
        try:
            return self.recovery.unwrap(secret, _RECOVERY_AAD)
        except InvalidTag:
            raise WrongRecoveryKey() from None

    def must_change_password(self, user_uuid: str) -> bool:
        """Whether the user's current password is a one-time password."""
        user = self._find_uuid(user_uuid)
        return user is not None and user.must_change

    def has_uuid(self, user_uuid: str) -> bool:
        return self._find_uuid(user_uuid) is not None

    # -- helpers ------------------------------------------------------------------------

    def _find(self, username: str) -> UserKey | None:
        # Logins match however the name's case or width was typed ("Åse" is "åse").
        wanted = fold_username(username)
        return next((u for u in self.users if fold_username(u.username) == wanted), None)

    def _find_uuid(self, user_uuid: str) -> UserKey | None:
        return next((u for u in self.users if u.user_uuid == user_uuid), None)

    def _decoy(self) -> UserKey:
        # Same cost as a real entry so an unknown username takes the same time.
        params = self.users[0].key.kdf if self.users else KDF_PARAMS
        return UserKey(str(uuid.uuid4()), "", WrappedKey.decoy(params))

    def _check_db_key(self, db_key: bytes) -> None:
        if not isinstance(db_key, bytes) or len(db_key) != DB_KEY_BYTES:
            raise ValueError("the database key must be 32 bytes")
        check = hmac.new(db_key, b"boligsag key check " + self.database_id.encode(),
                         "sha256").digest()
        if self.key_check is None:
            self.key_check = check
        elif not hmac.compare_digest(check, self.key_check):
            raise KeyMismatch("this is not the key of the database this key file belongs to, "
                              "or its check value or database id was altered")


# -- password hash for the users table -----------------------------------------------------


def hash_password(password: str, params: KdfParams | None = None) -> str:
    """Argon2id PHC string ``$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>``."""
    return phc_hash(password, _current_params(params))


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string."""
    return phc_verify(password, stored)


def password_needs_rehash(stored: str, params: KdfParams | None = None) -> bool:
    """True when the stored hash is weaker than the current parameters (after a raise)."""
    try:
        found, _, _ = phc_parse(stored)
    except ValueError:
        return True
    return found.weaker_than(_current_params(params))
