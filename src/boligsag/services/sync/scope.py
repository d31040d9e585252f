"""Who may pull and push what on the team server (design.md "Scope", issue 11 §2).

:func:`visible` (and its SQL form :func:`visible_condition`, for a pull's bulk filter)
says which rows an actor sees; scope_rules.py holds those rules. A pushed change is
allowed when all of these hold, checked by :func:`may_write`:

- its table travels through sync at all: staff accounts, settings, reference data, the
  audit log and the server's own tables never do (accounts are managed with
  ``boligsag server add-user``; audit entries travel in the batch's own list);
- the actor's role has the permission the laptop's service asks for the same edit
  (domain/permissions.py), so a push is never looser than the screen;
- a row that already exists on the server is one the actor sees (scope_rules.py): nobody edits
  or deletes what they cannot pull;
- every person, household or case row the change points to (``person``, ``household``,
  a contact's ``people``, a new attendance tick…) is one the actor sees;
- a volunteer writes only network-mother forms in their own name with no person on
  them, and anyone writes only their own reminders.

Moving a visible row out of one's own scope (a family moving to another area, a
restricted case handed to a colleague) is allowed: the laptop allows it too.

Call it for each change in batch order, inside the push's transaction and just before
the change is applied, so that a row created earlier in the same batch counts as
existing. A uuid that points to no row is left to wire.py, which refuses it as a bad
batch. Reasons are English, for the HTTP body, and name tables and fields only (the
caller puts the change's table and uuid in front).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import ContactKind, Role
from boligsag.domain.permissions import Permission, has_permission
from boligsag.storage.models import Base

from .actor import SyncActor
from .scope_rules import EVERYONE_TABLES, visible, visible_condition

__all__ = ["NEVER_PUSHED", "WRITE_PERMISSION", "may_write", "visible", "visible_condition"]

# The permission a laptop's service requires for the same change; None: any signed-in
# user (reminders are their owner's own).
WRITE_PERMISSION: dict[str, Permission | None] = {
    "people": Permission.EDIT_PEOPLE,
    "households": Permission.EDIT_PEOPLE,
    "person_relations": Permission.EDIT_PEOPLE,
    "contacts": Permission.LOG_CONTACTS,  # or a volunteer's own form, see _volunteer_form
    "consents": Permission.MANAGE_CONSENTS,
    "referrals": Permission.MANAGE_REFERRALS,
    "referral_events": Permission.MANAGE_REFERRALS,
    "jobs": Permission.MANAGE_JOBS,
    "job_follow_ups": Permission.MANAGE_JOBS,
    "activities": Permission.MANAGE_ACTIVITIES,
    "enrollments": Permission.MANAGE_ACTIVITIES,
    "sessions": Permission.RECORD_SESSIONS,
    "services": Permission.MANAGE_SERVICES,
    "areas": Permission.MANAGE_SETTINGS,  # set up by the administrator (setup.py)
    "plans": Permission.MANAGE_SETTINGS,
    "reminders": None,
}

# Named so that the refusal can say so; any other table is refused the same way.
# sync_conflicts is written by the server only until issue 12 settles conflicts.
NEVER_PUSHED = frozenset({
    "users", "user_areas", "settings", "audit_entries", "channels", "topics",
    "focus_areas", "age_groups", "consent_scopes", "sync_changes", "sync_batches",
    "sync_conflicts", "server_credentials", "server_devices", "server_login_failures",
})

# Link lists that travel with their parent and name people (design.md "Wire fields").
_PEOPLE_LISTS: dict[str, str] = {"contacts": "people"}
_ATTENDANCE = ("sessions", "attendance")


def may_write(session: Session, actor: SyncActor, change: Mapping[str, Any]) -> str | None:
    """Why ``actor`` may not push ``change`` (e.g. "outside your scope"), or None when
    they may."""
    table = change.get("table")
    uuid = change.get("uuid")
    fields = change.get("fields") or {}
    if not isinstance(table, str) or table not in WRITE_PERMISSION:
        name = table if isinstance(table, str) and table in NEVER_PUSHED else "this table"
        return f"{name} cannot be pushed through sync"
    if not isinstance(uuid, str) or not isinstance(fields, Mapping):
        return None  # malformed: wire.py refuses it as a bad batch
    role = Role(actor.role)
    if table == "contacts" and not has_permission(role, Permission.LOG_CONTACTS):
        if not has_permission(role, Permission.LOG_NETWORK_MOTHER):
            return f"a {role.value} may not change contacts"
        reason = _volunteer_form(actor, fields, create=not _exists(session, table, uuid))
        if reason is not None:
            return reason
    else:
        permission = WRITE_PERMISSION[table]
        if permission is not None and not has_permission(role, permission):
            return f"a {role.value} may not change {table}"
    if _exists(session, table, uuid) and not visible(session, actor, table, [uuid]):
        return "outside your scope"
    if table == "reminders":
        reason = _own_reminder(session, actor, uuid, fields)
        if reason is not None:
            return reason
    return _references(session, actor, table, uuid, fields)


def _exists(session: Session, table: str, uuid: str) -> bool:
    t = _tables()[table]
    return session.execute(select(t.c.id).where(t.c.uuid == uuid)).first() is not None


def _tables() -> Mapping[str, Table]:
    return Base.metadata.tables


def _volunteer_form(actor: SyncActor, fields: Mapping[str, Any], *,
                    create: bool) -> str | None:
    """A volunteer's contact: a network-mother form, in their own name, with no person
    (services/contacts.py refuses a volunteer anything else on the laptop). An existing
    form must be theirs already: ``may_write`` checks it is visible to them."""
    kind = fields.get("kind", None if create else ContactKind.NETWORK_MOTHER.value)
    if kind != ContactKind.NETWORK_MOTHER.value:
        return "a volunteer may only write network-mother forms"
    staff = fields.get("staff_user", None if create else actor.user_uuid)
    if staff != actor.user_uuid:
        return "a volunteer may only write forms in their own name"
    if fields.get("people"):
        return "a volunteer may not put people on a form"
    return None


def _own_reminder(session: Session, actor: SyncActor, uuid: str,
                  fields: Mapping[str, Any]) -> str | None:
    named = "owner_user" in fields or not _exists(session, "reminders", uuid)
    if named and fields.get("owner_user") != actor.user_uuid:
        return "a reminder can only be its owner's own"
    return None


def _reference_fields(table: str) -> Iterator[tuple[str, str]]:
    """(wire field, referenced table) for each ``x_id`` column pointing to a row whose
    visibility is scoped (not the organisation's rows, not reference data)."""
    for column in _tables()[table].columns:
        if not column.name.endswith("_id") or column.name == "id":
            continue
        for key in column.foreign_keys:
            target = key.column.table.name
            if target not in EVERYONE_TABLES and target in WRITE_PERMISSION:
                yield column.name[:-3], target


def _references(session: Session, actor: SyncActor, table: str, uuid: str,
                fields: Mapping[str, Any]) -> str | None:
    for name, target in _reference_fields(table):
        value = fields.get(name)
        if isinstance(value, str) and _hidden(session, actor, target, [value]):
            return f"{name} is outside your scope"
    people: list[Any] = []
    if table in _PEOPLE_LISTS and isinstance(fields.get(_PEOPLE_LISTS[table]), list):
        people = fields[_PEOPLE_LISTS[table]]
    elif (table, "attendance") == _ATTENDANCE and isinstance(fields.get("attendance"), list):
        already = _attending(session, uuid)
        people = [tick.get("person") for tick in fields["attendance"]
                  if isinstance(tick, Mapping) and tick.get("person") not in already]
    named = [p for p in people if isinstance(p, str)]
    if named and _hidden(session, actor, "people", named):
        field = _PEOPLE_LISTS.get(table, "attendance")
        return f"{field} names a person outside your scope"
    return None


def _hidden(session: Session, actor: SyncActor, table: str, uuids: list[str]) -> bool:
    """Whether one of ``uuids`` is an existing row ``actor`` may not see (an unknown
    uuid is wire.py's bad batch, not a refusal)."""
    t = _tables()[table]
    existing = set(session.scalars(select(t.c.uuid).where(t.c.uuid.in_(uuids))))
    return bool(existing - visible(session, actor, table, list(existing)))


def _attending(session: Session, session_uuid: str) -> set[str]:
    """The people already on a session's attendance: only a person newly ticked must be
    one the actor sees, so a list sent back with a colleague's tick unchanged passes."""
    tables = _tables()
    s, a, p = tables["sessions"], tables["attendance"], tables["people"]
    query = (select(p.c.uuid).join(a, a.c.person_id == p.c.id)
             .join(s, s.c.id == a.c.session_id).where(s.c.uuid == session_uuid))
    return set(session.scalars(query))
