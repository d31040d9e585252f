"""The database file and its key file, for the front-ends: whether a database is already
at a place, whether a typed recovery key has the right form, and ``boligsag check``.

The front-ends reach storage only through the services (DESIGN.md §4); these are the
few file-level questions they ask before or without unlocking a database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from boligsag.storage import keys, migrate, recovery_key
from boligsag.storage.engine import open_engine

from .audit_check import AuditReport, check_chain


def database_exists(path: Path) -> bool:
    """A database, or the key file of one, is at ``path``: creating one there would
    overwrite it (or be unreadable beside the other's key file)."""
    return path.exists() or keys.keys_path_for(path).exists()


def recovery_key_well_formed(typed: str) -> bool:
    """The typed text is a recovery key's form (32 letters and digits; case, spaces,
    dashes and O/0, I/L/1 mix-ups forgiven), checked before anything is unlocked."""
    try:
        recovery_key.normalize_recovery_key(typed)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class DatabaseCheck:
    cipher_version: str
    page_size: int
    hmac_algorithm: str
    journal_mode: str
    broken_foreign_keys: int
    revision: str
    head_revision: str
    audit: AuditReport

    @property
    def ok(self) -> bool:
        return (self.broken_foreign_keys == 0 and self.revision == self.head_revision
                and self.audit.ok)


def check_database(path: Path, username: str, ask_password: Callable[[], str]) -> DatabaseCheck:
    """Cipher settings, integrity, foreign keys, schema revision and the audit log (its
    keyed chain and the anchor in the key file) of the database at ``path``.

    The key file is read first, so a missing one is reported before ``ask_password``
    asks for anything. The database is opened read-only: no migration runs, nothing is
    written, and a -wal beside it is read, never folded into the file. Raises the
    storage's errors for a wrong password, a damaged file or wrong cipher settings.
    """
    store = keys.KeyStore.load(keys.keys_path_for(path))
    _, db_key = store.unwrap_for_user(username, ask_password())
    # open_engine verifies the cipher settings and runs the quick integrity check; it
    # raises a clear error for either.
    engine = open_engine(path, db_key, integrity_check=True, read_only=True)
    try:
        with engine.connect() as connection:
            cipher = connection.execute(text("PRAGMA cipher_version")).scalar()
            page = connection.execute(text("PRAGMA cipher_page_size")).scalar()
            hmac = connection.execute(text("PRAGMA cipher_hmac_algorithm")).scalar()
            journal = connection.execute(text("PRAGMA journal_mode")).scalar()
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        revision = migrate.check_revision(engine, path)
        # The anchor comes from the key file read above, before the log is read.
        with Session(engine) as session:
            audit = check_chain(session, db_key, store.audit_anchor)
    finally:
        engine.dispose()
    return DatabaseCheck(
        cipher_version=str(cipher), page_size=int(page or 0), hmac_algorithm=str(hmac),
        journal_mode=str(journal), broken_foreign_keys=len(broken), revision=revision,
        head_revision=migrate.head_revision(), audit=audit)
