"""Which sync conflicts an actor may see on a laptop (services/sync_client/conflicts.py), and the
people each is about."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.permissions import Permission
from boligsag.services.casework_common import sees_all_restricted
from boligsag.services.context import AppContext
from boligsag.storage.models import Base, Person, SyncConflict

from .conflict_texts import people_of

__all__ = ["Visibility"]


class Visibility:
    """Which conflicts the actor may see: the record must be on this laptop (the
    server sent only what the user's scope holds), and the people it is about must not
    be a restricted case of another worker; a role without VIEW_PEOPLE sees only its
    own reminders and its own forms with nobody on them. A deleted record still shows:
    its deletion may be the very conflict."""

    def __init__(self, session: Session, ctx: AppContext, conflicts: list[SyncConflict]):
        self.ctx = ctx
        self.ids: dict[tuple[str, str], int] = {}
        self.people: dict[tuple[str, str], list[int]] = {}
        self.owner: dict[tuple[str, str], int | None] = {}
        by_table: dict[str, set[str]] = {}
        for c in conflicts:
            by_table.setdefault(c.table_name, set()).add(c.row_uuid)
        tables = Base.metadata.tables
        for table, uuids in by_table.items():
            if table not in tables or table == "sync_conflicts":
                continue
            t = tables[table]
            owner_col = {"reminders": "owner_user_id", "contacts": "staff_user_id"}.get(table)
            cols = [t.c.id, t.c.uuid] + ([t.c[owner_col]] if owner_col else [])
            found = {row[1]: row for row in session.execute(
                select(*cols).where(t.c.uuid.in_(sorted(uuids))))}
            persons = people_of(session, table, [r[0] for r in found.values()])
            for uuid, row in found.items():
                self.ids[(table, uuid)] = row[0]
                self.people[(table, uuid)] = persons.get(row[0], [])
                self.owner[(table, uuid)] = row[2] if owner_col else None
        wanted = {p for ps in self.people.values() for p in ps}
        self.persons = {p.id: p for p in session.scalars(
            select(Person).where(Person.id.in_(sorted(wanted))))} if wanted else {}

    def _person_ok(self, person: Person | None) -> bool:
        if person is None:
            return False
        return (not person.restricted or sees_all_restricted(self.ctx)
                or person.responsible_user_id == self.ctx.actor.user_id)

    def sees(self, c: SyncConflict) -> bool:
        key = (c.table_name, c.row_uuid)
        if key not in self.ids:
            return False
        me = self.ctx.actor.user_id
        if c.table_name == "reminders":
            return self.owner[key] == me
        people = self.people[key]
        if not self.ctx.actor.can(Permission.VIEW_PEOPLE):
            return c.table_name == "contacts" and not people and self.owner[key] == me
        return all(self._person_ok(self.persons.get(p)) for p in people)

    def person_of(self, c: SyncConflict) -> Person | None:
        for p in self.people.get((c.table_name, c.row_uuid), []):
            person = self.persons.get(p)
            if person is not None and person.deleted_at is None:
                return person
        return None
