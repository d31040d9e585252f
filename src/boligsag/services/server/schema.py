"""The team server database's schema revision (issue 11 §2, "server migrate").

A new version of Boligsag may bring Alembic migrations (the laptops' history, one for
both dialects). ``boligsag server migrate`` brings the server's database to this
program's head in one transaction with its audit entry; ``server run`` and the other
server commands (``init`` aside, which migrates the new database itself) refuse a
database at any other revision rather than meet a missing table in the middle of a
request. A database at a revision this program does not know
was upgraded by a newer Boligsag and is never touched, as on a laptop (storage/migrate.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.storage import migrate
from boligsag.storage.collation_upkeep import refresh_postgresql_if_icu_changed

from .accounts import ServerDb, audit_admin

# Fixed advisory-lock key (the bytes "BSMIGR" and 1): two `server migrate` runs at once
# (two machines of a several-instance set-up) run one after the other; the second finds
# the database at head and changes nothing.
MIGRATE_LOCK_KEY = 0x42534D49_47520001


class SchemaMissing(UserError):
    def __init__(self) -> None:
        super().__init__("The database has no Boligsag tables: set it up with `boligsag "
                         "server init`. Nothing was changed.")


class SchemaTooNew(UserError):
    def __init__(self, revision: str) -> None:
        super().__init__("The server database was upgraded by a newer version of Boligsag "
                         "(schema revision {revision}). Install that version here; nothing "
                         "was changed.", revision=revision)


class SchemaOutdated(UserError):
    def __init__(self, revision: str, head: str) -> None:
        super().__init__("The server database has an older schema (revision {revision}) "
                         "than this version of Boligsag ({head}). Stop the server, back it "
                         "up and run `boligsag server migrate` first.",
                         revision=revision, head=head)


@dataclass(frozen=True)
class Migrated:
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _known(connection: Connection) -> str:
    revision = migrate.revision_on(connection)
    if revision is None:
        raise SchemaMissing()
    if revision not in migrate.known_revisions():
        raise SchemaTooNew(revision)
    return revision


def check(server: ServerDb) -> None:
    """Refuses (SchemaMissing, SchemaTooNew, SchemaOutdated) a database whose schema is
    not this program's head."""
    with server.db.engine.connect() as connection:
        revision = _known(connection)
    head = migrate.head_revision()
    if revision != head:
        raise SchemaOutdated(revision, head)


def upgrade(server: ServerDb) -> Migrated:
    """Brings the database to this program's head: the migrations and their audit entry
    in one transaction (PostgreSQL's DDL is transactional, so a failed step leaves the
    database as it was). A database at head is left alone and nothing is audited, except
    that the Danish name indexes are rebuilt if the server's ICU version changed."""
    with server.write() as session:
        connection = session.connection()
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                           {"key": MIGRATE_LOCK_KEY})
        before = _known(connection)
        # The operating system's ICU may have changed since (a Debian upgrade): the
        # Danish name indexes are rebuilt in its order, at head or not.
        refresh_postgresql_if_icu_changed(connection)
        head = migrate.head_revision()
        if before == head:
            return Migrated(before, head)
        migrate.upgrade_on(connection)
        audit_admin(server, session, AuditAction.UPDATE, entity="database",
                    entity_uuid=None, detail=f"schema migrated from {before} to {head}")
        return Migrated(before, head)
