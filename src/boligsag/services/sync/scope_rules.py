"""Who sees which rows on the team server (design.md "Scope", issue 11 §2); scope.py is
the public face (``visible``, ``visible_condition``, ``may_write``).

One SQL condition per synced table, built for one :class:`SyncActor`, decides what a pull
may return and what a push may touch (``scope.may_write``):

- administrators and team leads see every row on the server, restricted cases included;
- staff see the people of the areas they work in (``user_areas``; a person's own area or
  their household's), the people they are responsible for and the people they
  registered, but a restricted case only when they are its responsible worker: a
  laptop hides restricted cases of others the same way (casework_common.visible_person),
  so the server is never looser than a laptop;
- the records hanging off a person follow the person; a contact needs every person on it
  visible (a laptop hides a contact with a hidden restricted case on it too); a contact
  with no person (anonymous, or a network mother's form) follows its area or its author;
  a household shows by its area, a visible member or its author; a parent–child link
  needs both ends; activity sessions travel to all staff;
- a volunteer sees only the network-mother forms logged in their name, with no person
  attached: never people, households or other case rows;
- everyone sees the organisation's rows (areas, plans, services, activities, the staff
  list), and only their own reminders: reminders are private on a laptop too;
- a sync conflict shows with its record, to staff and volunteers only when they were
  one of its two writers.

Tombstoned and anonymised rows keep their scope, so deletions reach the laptops that
hold the row. A table without a rule here is visible to nobody.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    exists,
    false,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from boligsag.domain.enums import ContactKind, Role
from boligsag.storage.models import Base, contact_people, user_areas

from .actor import SyncActor

__all__ = ["EVERYONE_TABLES", "PERSON_TABLES", "sees_everything", "visible",
           "visible_condition"]

# The organisation's rows: nothing personal, and every laptop needs them (pickers, labels).
EVERYONE_TABLES = frozenset({"areas", "plans", "services", "activities", "users"})
# Rows whose visibility follows one person column.
PERSON_TABLES = frozenset({"referrals", "consents", "jobs", "enrollments"})

_CHUNK = 5000  # uuids per IN list: well under PostgreSQL's 65,535 bind parameters


def sees_everything(actor: SyncActor) -> bool:
    return Role(actor.role) in (Role.ADMINISTRATOR, Role.TEAM_LEAD)


def _table(name: str) -> FromClause:
    return Base.metadata.tables[name]


class _Rules:
    """The conditions for one actor; each method answers for one table (alias)."""

    def __init__(self, actor: SyncActor) -> None:
        self.actor = actor
        self.uid = actor.user_id
        self.role = Role(actor.role)

    # -- building blocks ---------------------------------------------------------------

    def my_areas(self) -> Select[tuple[int]]:
        return select(user_areas.c.area_id).where(user_areas.c.user_id == self.uid)

    def in_my_areas(self, column: ColumnElement[int | None]) -> ColumnElement[bool]:
        return and_(column.is_not(None), column.in_(self.my_areas()))

    def is_me(self, column: ColumnElement[int | None]) -> ColumnElement[bool]:
        """True or false, never NULL (a NULL column is "not me"): conditions built of
        these may be negated safely."""
        return column.is_not_distinct_from(self.uid)

    def person(self, p: FromClause) -> ColumnElement[bool]:
        """A person row this staff member sees; never NULL, so ``not_`` of it is exact."""
        households = _table("households")
        household_in_my_areas = p.c.household_id.in_(
            select(households.c.id).where(self.in_my_areas(households.c.area_id)))
        anchored = or_(self.in_my_areas(p.c.area_id),
                       and_(p.c.household_id.is_not(None), household_in_my_areas),
                       self.is_me(p.c.responsible_user_id),
                       self.is_me(p.c.created_by_id))
        return and_(or_(p.c.restricted.is_(False), self.is_me(p.c.responsible_user_id)),
                    anchored)

    def people_ids(self) -> Select[tuple[int]]:
        p = _table("people").alias("scope_people")
        if sees_everything(self.actor):
            return select(p.c.id)
        if self.role == Role.VOLUNTEER:
            return select(p.c.id).where(false())
        return select(p.c.id).where(self.person(p))

    def about_visible_person(self, column: ColumnElement[int | None]) -> ColumnElement[bool]:
        return and_(column.is_not(None), column.in_(self.people_ids()))

    # -- one condition per table -------------------------------------------------------

    def condition(self, table: str, t: FromClause) -> ColumnElement[bool]:
        if table == "reminders":
            return self.reminders(t)
        if table == "sync_conflicts":
            return self.conflicts(t)
        if table in EVERYONE_TABLES:
            return true()
        if sees_everything(self.actor):
            return true() if table in _RULED else false()
        if self.role == Role.VOLUNTEER:
            return self.volunteer_contacts(t) if table == "contacts" else false()
        if self.role != Role.STAFF:
            return false()
        rule = _STAFF_RULES.get(table)
        return rule(self, t) if rule is not None else false()

    def people(self, t: FromClause) -> ColumnElement[bool]:
        return self.person(t)

    def households(self, t: FromClause) -> ColumnElement[bool]:
        p = _table("people").alias("scope_members")
        members = select(p.c.household_id).where(p.c.household_id.is_not(None),
                                                  self.person(p))
        return or_(self.in_my_areas(t.c.area_id), t.c.id.in_(members),
                   self.is_me(t.c.created_by_id))

    def person_relations(self, t: FromClause) -> ColumnElement[bool]:
        return and_(self.about_visible_person(t.c.parent_id),
                    self.about_visible_person(t.c.child_id))

    def by_person(self, t: FromClause) -> ColumnElement[bool]:
        return self.about_visible_person(t.c.person_id)

    def referral_events(self, t: FromClause) -> ColumnElement[bool]:
        r = _table("referrals").alias("scope_referrals")
        return t.c.referral_id.in_(select(r.c.id).where(self.by_person(r)))

    def job_follow_ups(self, t: FromClause) -> ColumnElement[bool]:
        j = _table("jobs").alias("scope_jobs")
        return t.c.job_id.in_(select(j.c.id).where(self.by_person(j)))

    def contacts(self, t: FromClause) -> ColumnElement[bool]:
        cp = contact_people
        has_people = exists().where(cp.c.contact_id == t.c.id)
        # A person on the contact whom this staff member may not see. The person is
        # judged in the same row (not against a list of every visible person), and
        # OFFSET 0 keeps PostgreSQL from turning this EXISTS into a hash over every
        # contact's links: a pull page asks about a few thousand contacts, which one
        # index probe each answers far sooner, and the planner's cost estimate stays
        # small enough not to start the JIT compiler (seconds per page when it did).
        p = _table("people").alias("scope_on_contact")
        hidden_person = exists(
            select(cp.c.contact_id).join(p, p.c.id == cp.c.person_id)
            .where(cp.c.contact_id == t.c.id, not_(self.person(p)))
            .offset(0))
        by_area_or_author = or_(self.in_my_areas(t.c.area_id),
                                self.is_me(t.c.staff_user_id),
                                self.is_me(t.c.created_by_id))
        return or_(and_(has_people, not_(hidden_person)),
                   and_(not_(has_people), by_area_or_author))

    def volunteer_contacts(self, t: FromClause) -> ColumnElement[bool]:
        return and_(t.c.kind == ContactKind.NETWORK_MOTHER.value,
                    t.c.staff_user_id == self.uid,
                    not_(exists().where(contact_people.c.contact_id == t.c.id)))

    def sessions(self, t: FromClause) -> ColumnElement[bool]:
        """An activity's meeting, with its anonymous head counts and attendance ticks:
        all staff record and see them, as on a laptop (which counts the participants
        it hides; the ticks name participants by uuid only)."""
        return true()

    def reminders(self, t: FromClause) -> ColumnElement[bool]:
        own = t.c.owner_user_id == self.uid
        if self.role != Role.VOLUNTEER:
            return own
        # A volunteer's reminder may name only their own forms, never a person's case.
        c = _table("contacts").alias("scope_forms")
        own_forms = select(c.c.id).where(self.volunteer_contacts(c))
        return and_(own, t.c.person_id.is_(None), t.c.referral_id.is_(None),
                    or_(t.c.contact_id.is_(None), t.c.contact_id.in_(own_forms)))

    def conflicts(self, t: FromClause) -> ColumnElement[bool]:
        """A conflict holds the record's values: it shows with the record, and to staff
        only when they are one of the two writers (issue 12 shows it to them)."""
        if sees_everything(self.actor):
            # Everything but other people's reminders: no per-table look-up needed.
            return or_(t.c.table_name != "reminders", self._about_visible(t, "reminders"))
        involved = or_(self.is_me(t.c.kept_user_id), self.is_me(t.c.other_user_id))
        return and_(involved, or_(*[self._about_visible(t, name)
                                    for name in sorted(_RULED - {"sync_conflicts"})]))

    def _about_visible(self, t: FromClause, name: str) -> ColumnElement[bool]:
        """The conflict is about a row of ``name`` this actor sees: one index probe per
        conflict (OFFSET 0: not a hash over the whole table, see ``contacts``)."""
        row = _table(name).alias(f"scope_conflict_{name}")
        return and_(t.c.table_name == name, exists(
            select(row.c.uuid).where(row.c.uuid == t.c.row_uuid, self.condition(name, row))
            .offset(0)))


_STAFF_RULES: dict[str, Callable[[_Rules, FromClause], ColumnElement[bool]]] = {
    "people": _Rules.people,
    "households": _Rules.households,
    "person_relations": _Rules.person_relations,
    **{name: _Rules.by_person for name in PERSON_TABLES},
    "referral_events": _Rules.referral_events,
    "job_follow_ups": _Rules.job_follow_ups,
    "contacts": _Rules.contacts,
    "sessions": _Rules.sessions,
}
# Every table some actor may see.
_RULED = frozenset(_STAFF_RULES) | EVERYONE_TABLES | {"reminders", "sync_conflicts"}


def visible_condition(actor: SyncActor, table: str,
                      alias: FromClause | None = None) -> ColumnElement[bool]:
    """SQL condition on ``table`` (or ``alias`` of it): the rows ``actor`` may see. For a
    pull's bulk filter, e.g. ``select(t.c.id).where(t.c.uuid.in_(...), condition)``."""
    if table not in _RULED or table not in Base.metadata.tables:
        return false()
    return _Rules(actor).condition(table, alias if alias is not None else _table(table))


def visible(session: Session, actor: SyncActor, table: str,
            uuids: Sequence[str]) -> set[str]:
    """The ``uuids`` of ``table`` that exist and that ``actor`` may see."""
    wanted = list(dict.fromkeys(uuids))
    if not wanted or table not in _RULED or table not in Base.metadata.tables:
        return set()
    t = _table(table)
    condition = visible_condition(actor, table)
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        found.update(session.scalars(select(t.c.uuid).where(t.c.uuid.in_(chunk), condition)))
    return found
