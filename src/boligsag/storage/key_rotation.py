"""Rotating the database key (issue 13 §6; DESIGN.md §5: "Rotation re-keys the
database"), crash-safe: after a kill at any moment the old key or the new one opens
the file, and the administrator's password finds whichever it is.

Why a new key is more than a new password: the key itself may have been seen (shown
to open the file in the stock ``sqlcipher`` shell in an emergency, or held by someone
who left), and a password change only rewraps it. A rotation gives the file a new
random key; every way in is made anew:

- the administrator keeps their password (rewrapped);
- every other account gets a one-time password, to be changed at the next log-in
  (nobody else's password is known here, so their wraps cannot be renewed otherwise);
- a new recovery key replaces the printed one, which no longer opens the file (a team
  laptop's replica, which has none, gets none);
- the audit log is re-chained under the audit key of the new key (audit.py derives it
  from the database key), after the whole chain was verified under the old one.

Backups taken before keep the old key and their own key files: they still restore with
the passwords of their time.

The steps, each leaving a state that opens:

1. an encrypted copy of the (checkpointed, closed to others) file under the OLD key,
   re-keyed to the new one, its audit log re-chained with a "key rotated" entry, and
   verified (integrity check, every table's row count);
2. the key file gains ``pending_rotation``: the new key's wraps, recovery, check and
   anchor, beside the current ones (atomic write; before step 1 it already names the
   copy, so that a kill during the copy leaves nothing behind for long);
3. the copy replaces the database file (atomic rename);
4. the pending part becomes the current one (atomic write).

On unlock, :func:`settle` finishes what a kill interrupted: a pending part with the
database still under the old key is dropped (with its copy); a database already under
the new key makes the pending part current.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.atomic import fsync_directory, temp_name
from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError

from . import audit, audit_anchor, keys
from .engine import key_opens, open_engine
from .file_checks import checkpoint
from .file_copies import rekey, verify_copy, write_copy
from .models import AuditEntry

__all__ = ["Rotated", "RotationRefused", "refuse_if_open", "rotate", "settle"]


class RotationRefused(UserError):
    pass


@dataclass(frozen=True)
class Rotated:
    recovery_key: str  # the new printed recovery key ("" for a file that had none)
    rows: int  # rows in the re-keyed file, verified
    audit_entries: int  # entries re-chained (the rotation's own included)


@dataclass(frozen=True)
class Admin:
    user_id: int
    user_uuid: str
    username: str
    password: str


def rotate(path: Path, old_key: bytes, admin: Admin, one_time: Mapping[str, str],
           at: datetime, *, new_key: bytes | None = None) -> Rotated:
    """Give the database at ``path``, which no program may have open, a new key (see
    the module docstring). ``one_time``: the other accounts' new one-time passwords by
    user uuid (each user in the key file besides ``admin`` must have one).
    RotationRefused when the file is or was opened meanwhile, or its audit log does not
    verify; nothing is changed then."""
    path = path.absolute()
    keys_path = keys.keys_path_for(path)
    new_key = new_key or keys.new_database_key()
    store = keys.KeyStore.load(keys_path)
    missing = [u.username for u in store.users
               if u.user_uuid != admin.user_uuid and u.user_uuid not in one_time]
    if missing:
        raise ValueError(f"no one-time password for {', '.join(missing)}")
    refuse_if_open(path)
    copy = path.with_name(temp_name())
    with keys.edit_key_file(keys_path) as current:  # named first: a kill leaves no stray copy
        current.pending_rotation = {"copy": copy.name}
    try:
        counts = _copy(path, old_key, copy)
        untouched = _stamp(path)  # what the file looks like, closed, after the copy
        rekey(copy, old_key, new_key)
        entries, head = _rechain(copy, old_key, new_key, admin, at, len(one_time))
        counts["audit_entries"] += 1
        verify_copy(copy, new_key, counts)
        new = keys.KeyStore.create(store.database_id)
        for user in store.users:
            if user.user_uuid == admin.user_uuid:
                new.add_user(user.user_uuid, user.username, admin.password, new_key)
            else:
                new.add_user(user.user_uuid, user.username, one_time[user.user_uuid],
                             new_key, must_change=True)
        # A team laptop's replica has no recovery key (a forgotten password joins anew):
        # it gets none now either.
        recovery_key = new.set_recovery(new_key) if store.recovery is not None else ""
        new.audit_anchor = audit_anchor.to_json(audit.derive_key(new_key), head)
        pending = {name: value for name, value in new.to_json().items()
                   if name in ("users", "recovery", "key_check", "audit_anchor")}
        with keys.edit_key_file(keys_path) as current:  # step 2
            current.pending_rotation = {**pending, "copy": copy.name}
        if _stamp(path) != untouched:  # a program opened (or wrote) it meanwhile
            _abandon(path)
            raise RotationRefused(
                "The database was opened while its key was being rotated; nothing was "
                "changed. Close every Boligsag that uses it, then try again.")
        _put_in_place(copy, path)  # step 3
    except BaseException:
        _remove_copy(copy)
        raise
    _finish(keys_path, new_key)  # step 4
    return Rotated(recovery_key, sum(counts.values()), entries)


def _put_in_place(copy: Path, path: Path) -> None:
    os.replace(copy, path)
    fsync_directory(path.parent)


def refuse_if_open(path: Path, *, left_wal: bool = True) -> None:
    """RotationRefused while a program has the file open (its -shm), and, with
    ``left_wal``, while one that was killed left a -wal (a log-in folds it in first)."""
    if Path(f"{path}-shm").exists() or (left_wal and Path(f"{path}-wal").exists()):
        raise RotationRefused(
            "{file} is open in Boligsag (or was not closed properly). Close every Boligsag "
            "that uses it, then rotate the key.", file=str(path))


def _stamp(path: Path) -> tuple[int, int, int, bool]:
    """The file's identity, size and time, and whether a -wal or -shm is beside it."""
    found = path.stat()
    beside = Path(f"{path}-shm").exists() or Path(f"{path}-wal").exists()
    return found.st_ino, found.st_size, found.st_mtime_ns, beside


def _copy(path: Path, old_key: bytes, copy: Path) -> dict[str, int]:
    engine = open_engine(path, old_key, integrity_check=True)
    try:
        checkpoint(engine)
        return write_copy(engine, old_key, copy)
    finally:
        engine.dispose()


def _rechain(copy: Path, old_key: bytes, new_key: bytes, admin: Admin, at: datetime,
             others: int) -> tuple[int, audit.Head]:
    """Verify the copy's audit chain under the old key, link it anew under the new one,
    and append the rotation's own entry; the count and the new head."""
    old_audit, new_audit = audit.derive_key(old_key), audit.derive_key(new_key)
    engine = open_engine(copy, new_key, integrity_check=False)
    try:
        with Session(engine) as session, session.begin():
            scan = audit.scan(session, old_audit)
            if scan.breaks or scan.legacy_entries:
                raise RotationRefused(
                    "The audit log does not verify (run 'boligsag check'); the key was not "
                    "rotated, nothing was changed.")
            prev = audit.GENESIS
            for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
                entry.prev_hash = prev
                entry.hash = audit.keyed_digest(new_audit, prev, entry)
                prev = entry.hash
            session.flush()
            entry = audit.append(
                session, new_audit, at=at, user_id=admin.user_id, username=admin.username,
                action=AuditAction.USER_CHANGED, entity="database",
                detail=f"database key rotated; {others} other account(s) given one-time "
                       "passwords; new recovery key")
            head = audit.Head(entry.id, entry.hash, entry.at)
            count = scan.entries + 1
        checkpoint(engine)
    finally:
        engine.dispose()
    for tail in ("-wal", "-shm"):  # closed and checkpointed: nothing left in them
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{copy}{tail}")
    return count, head


def _finish(keys_path: Path, new_key: bytes) -> None:
    """The pending part becomes the key file's current one."""
    with keys.edit_key_file(keys_path) as store:
        pending = store.pending_rotation
        if pending is None:
            return
        promoted = pending_store(store)
        if promoted.key_check is None:
            raise keys.KeyMismatch("the pending key file part has no key check")
        promoted._check_db_key(new_key)  # it is the key the file now has
        store.users, store.recovery = promoted.users, promoted.recovery
        store.key_check, store.audit_anchor = promoted.key_check, promoted.audit_anchor
        store.pending_rotation = None


def _abandon(path: Path) -> None:
    """A rotation killed before the file was replaced: drop its pending part and copy."""
    with keys.edit_key_file(keys.keys_path_for(path)) as store:
        pending = store.pending_rotation or {}
        name = pending.get("copy")
        if isinstance(name, str) and name == Path(name).name:
            _remove_copy(path.with_name(name))
        store.pending_rotation = None


def _remove_copy(copy: Path) -> None:
    """The copy and what SQLite keeps beside it (a rekey's rollback journal)."""
    for tail in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{copy}{tail}")


def pending_store(store: keys.KeyStore) -> keys.KeyStore:
    """The pending part as a key store of its own (to unwrap the new key)."""
    pending: dict[str, Any] = dict(store.pending_rotation or {})
    pending.pop("copy", None)
    return keys.KeyStore._from_doc({"format": keys.SIDECAR_FORMAT,
                                    "version": keys.SIDECAR_VERSION,
                                    "database_id": store.database_id, **pending})


def settle(path: Path, db_key: bytes, user_uuid: str | None,
           unwrap_pending: Callable[[keys.KeyStore], tuple[str | None, bytes]]
           ) -> tuple[str | None, bytes]:
    """At unlock, with the key the current part gave: finish or drop a rotation a kill
    interrupted; the user and key that open the file. ``unwrap_pending`` unwraps the
    new key from the pending part the same way (password or recovery key);
    WrongPassword or WrongRecoveryKey when it does not."""
    path = path.absolute()
    store = keys.KeyStore.load(keys.keys_path_for(path))
    if store.pending_rotation is None:
        return user_uuid, db_key
    if key_opens(path, db_key) or "users" not in store.pending_rotation:
        _abandon(path)
        return user_uuid, db_key
    new_uuid, new_key = unwrap_pending(pending_store(store))
    if key_opens(path, new_key):
        _finish(keys.keys_path_for(path), new_key)
    return new_uuid, new_key
