"""``boligsag server import``: a team that has worked on one laptop moves onto a new team
server (issue 11). The laptop's encrypted database is read, never written, and every
row of it goes into the server database in one transaction:

1. the laptop database is opened read-only with a laptop administrator's password (a
   wrong one: WrongPassword, nothing read) and must be at this program's schema;
   its audit chain is verified under its own key (a break refuses the import, naming
   the first bad entry);
2. the server must hold no case data yet (``refuse_case_data``): loading a laptop into a
   server in use would be merging two registries, which laptops do through sync;
3. the rows are copied (storage/copy_database.py) with the server's ids where the server
   has the same account, area or reference row already (import_plan.py);
4. one change per copied row goes into the change log (services/sync/seed.py), so a
   laptop's first pull receives every row its user may see;
5. the laptop's audit entries are appended to the server's chain (import_audit.py),
   then the server's own entry "import of N rows from laptop database FILE".

The transaction holds the ordering lock (services/sync/ordering.py) from its start, so
no push commits between the check for case data and the import's commit; anything that
fails (or Ctrl-C) rolls it all back and the server is as it was. Laptop users who are
not server accounts yet come across as users without a server password: ``boligsag
server set-password USERNAME`` lets them log in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, Role
from boligsag.errors import UserError
from boligsag.storage import keys, migrate
from boligsag.storage.copy_database import copy_tables, vacuum_analyse
from boligsag.storage.database import Database
from boligsag.storage.engine import open_engine
from boligsag.storage.errors import DatabaseMissing
from boligsag.storage.models import Base, SyncChange, User

from .. import audit_check
from ..sync import wire
from ..sync.ordering import ORDER_LOCK_KEY, ChangeEntry, log_changes
from ..sync.seed import seed_change_log
from ..users import OneTimePasswordInUse
from .accounts import audit_admin, local_now
from .handle import ServerDb
from .import_audit import append_laptop_trail
from .import_plan import AREA_DETAILS, NOT_COPIED, ImportPlan, plan_import

__all__ = ["ImportResult", "import_laptop"]

Say = Callable[[str], None]  # a line of progress, for stderr


class NotAnAdministrator(UserError):
    def __init__(self, username: str) -> None:
        super().__init__("{username} is not an administrator of the laptop database: log "
                         "in as one to import it.", username=username)


class LaptopSchemaDiffers(UserError):
    def __init__(self, laptop: str, server: str) -> None:
        super().__init__("The laptop database is at schema revision {laptop}, this program "
                         "at {server}: they must be the same version of Boligsag (opening "
                         "an older laptop database once in this version upgrades it).",
                         laptop=laptop, server=server)


class LaptopAuditBroken(UserError):
    def __init__(self, problem: str) -> None:
        super().__init__("The laptop database's audit log is broken, so it cannot be "
                         "imported: {problem}", problem=problem)


class ServerHasCaseData(UserError):
    def __init__(self, table: str) -> None:
        super().__init__("The server database already holds case data ({table}). A laptop "
                         "database can only be imported into a new server (after `server "
                         "init`); laptops join a server in use through sync.", table=table)


@dataclass(frozen=True)
class ImportResult:
    rows: int                 # rows copied, all tables
    people: int
    contacts: int
    users_added: tuple[str, ...]     # active laptop users that are new on the server
    users_inactive: tuple[str, ...]  # deactivated laptop users, new on the server too
    users_matched: tuple[str, ...]   # laptop users that were server accounts already
    changes_logged: int
    audit_entries: int


def import_laptop(server: ServerDb, path: Path, username: str,
                  ask_password: Callable[[], str], *, say: Say | None = None) -> ImportResult:
    """Import the laptop database at ``path``, opened as ``username``, into ``server``.
    The key file is read before ``ask_password`` asks (a missing one is said first).
    Raises the storage's errors for the laptop file (WrongPassword, DatabaseMissing …)
    or one of this module's, and then nothing was written. Only the statistics update
    after the commit (VACUUM ANALYZE) can fail with the import done; PostgreSQL's
    autovacuum does it later then."""
    say = say or (lambda _line: None)
    if not path.exists():
        raise DatabaseMissing(path)
    with server.read() as session:  # said before any password is asked (checked again)
        refuse_case_data(session.connection())
    store = keys.KeyStore.load(keys.keys_path_for(path))
    user_uuid, db_key = store.unwrap_for_user(username, ask_password())
    if store.must_change_password(user_uuid):  # opens nothing but `boligsag passwd`
        raise OneTimePasswordInUse(username.strip())
    engine = open_engine(path, db_key, integrity_check=True, read_only=True)
    laptop = Database(engine, path)
    try:
        revision, head = migrate.current_revision(engine), migrate.head_revision()
        if revision != head:
            raise LaptopSchemaDiffers(str(revision), head)
        # One read transaction: the laptop's rows as of one moment, even if its own
        # Boligsag writes meanwhile.
        with laptop.reading() as reading:
            _check_laptop(reading, user_uuid, username.strip(), db_key, store.audit_anchor)
            say("laptop database opened; audit log verified")
            result = _import(server, reading.connection(), path.name, say)
    finally:
        engine.dispose()
    say("import committed; updating the server's planner statistics (VACUUM ANALYZE) …")
    vacuum_analyse(server.db.engine)
    return result


def _check_laptop(session: Session, user_uuid: str, username: str, db_key: bytes,
                  anchor: object) -> None:
    role = session.scalar(select(User.role).where(User.uuid == user_uuid))
    if role != Role.ADMINISTRATOR:
        raise NotAnAdministrator(username)
    report = audit_check.check_chain(session, db_key, anchor)
    if not report.ok:
        raise LaptopAuditBroken(audit_check.describe(report.problems[0], "en"))


# Synced tables ``server init`` fills: their rows are not case data unless a laptop
# pushed one (the starter catalogue of services and the first plan, which the laptop's
# own replace when it has any: _replace_init_rows).
_INIT_TABLES = ("services", "plans")


def refuse_case_data(connection: Connection) -> None:
    """Raise ServerHasCaseData if any synced table but users and areas holds a row, or a
    service or plan was ever pushed by a laptop (what ``server init`` made, logged with
    no device, is not case data)."""
    # The people first: what the message names is the most telling table with rows.
    for name in sorted(wire.SYNCED_TABLES, key=lambda n: n != "people"):
        if name in ("users", "areas", *_INIT_TABLES):
            continue
        table = Base.metadata.tables[name]
        if connection.execute(select(table.c.id).limit(1)).first() is not None:
            raise ServerHasCaseData(name)
    for name in _INIT_TABLES:
        if connection.execute(select(SyncChange.seq).where(
                SyncChange.table_name == name, SyncChange.device_uuid.is_not(None))
                .limit(1)).first() is not None:
            raise ServerHasCaseData(name)


def _import(server: ServerDb, laptop: Connection, file_name: str, say: Say) -> ImportResult:
    now = local_now()
    with server.write() as session:
        target = session.connection()
        # Held to the commit: no push numbers a change before this import commits.
        target.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ORDER_LOCK_KEY})
        refuse_case_data(target)
        plan = plan_import(laptop, target)
        _replace_init_rows(target, laptop, plan)
        tables = [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]
        counts = copy_tables(laptop, target, tables, rows=plan.rows,
                             progress=_progress(say))
        rows = sum(counts.values())
        say(f"copied {rows:,} rows")
        area_changes = _update_same_areas(target, laptop, plan, now)
        log_changes(session, area_changes, now=now)
        logged = seed_change_log(target, now=now, after_ids=plan.ids_before)
        say(f"change log: {logged + len(area_changes):,} entries")
        entries = append_laptop_trail(session, server.secret, laptop, plan.server_user_id)
        say(f"audit log: {entries:,} laptop entries appended")
        audit_admin(server, session, AuditAction.CREATE, entity="database", entity_uuid=None,
                    detail=f"import of {rows} rows from laptop database {file_name}")
        added, inactive, matched = _user_names(laptop, plan)
        return ImportResult(rows, counts.get("people", 0), counts.get("contacts", 0),
                            added, inactive, matched, logged + len(area_changes), entries)


def _replace_init_rows(target: Connection, laptop: Connection, plan: ImportPlan) -> None:
    """The starter catalogue goes, and init's plan when the laptop has plans (a laptop
    made by ``init`` or the wizard always has one), with their changes, so no pull sends
    them any more and the laptop's rows keep their ids. A laptop that pulled them already
    (none has pushed: refuse_case_data) drops those rows at its next holdings comparison
    (services/sync/holdings.py). A plan kept is logged already: not logged again."""
    tables = Base.metadata.tables
    replaced = ["services"]
    if laptop.execute(select(tables["plans"].c.id).limit(1)).first() is not None:
        replaced.append("plans")  # its plan_areas and plan_focus_areas rows cascade
    else:
        plan.ids_before["plans"] = target.execute(
            select(func.max(tables["plans"].c.id))).scalar() or 0
    for name in replaced:
        target.execute(tables[name].delete())
        target.execute(delete(SyncChange).where(SyncChange.table_name == name))


def _progress(say: Say) -> Callable[[str, int], None]:
    def progress(table: str, copied: int) -> None:
        if copied % 100_000 == 0:  # batches are 5,000 rows: a line per 100,000
            say(f"  {table}: {copied:,} rows …")
    return progress


def _update_same_areas(target: Connection, laptop: Connection, plan: ImportPlan,
                       now: datetime) -> list[ChangeEntry]:
    """The server's areas that the laptop has too take the laptop's details; each changed
    one gets a new version and a change for laptops to pull."""
    areas = Base.metadata.tables["areas"]
    changes = []
    for laptop_id, server_id in plan.same_areas:
        mine = laptop.execute(select(areas).where(areas.c.id == laptop_id)).one()
        theirs = target.execute(select(areas).where(areas.c.id == server_id)).one()
        changed = {name: getattr(mine, name) for name in AREA_DETAILS
                   if getattr(mine, name) != getattr(theirs, name)}
        if not changed:
            continue
        version = theirs.version + 1
        target.execute(update(areas).where(areas.c.id == server_id).values(
            **changed, version=version, updated_at=now))
        changes.append(ChangeEntry("areas", theirs.uuid, version, sorted(changed), False,
                                   None))
    return changes


def _user_names(laptop: Connection, plan: ImportPlan
                ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(new and active, new and deactivated, server accounts already), by username."""
    matched = plan.matched.get("users", set())
    rows = laptop.execute(select(User.id, User.username, User.active)
                          .order_by(User.username)).all()
    return (tuple(r.username for r in rows if r.id not in matched and r.active),
            tuple(r.username for r in rows if r.id not in matched and not r.active),
            tuple(r.username for r in rows if r.id in matched))

