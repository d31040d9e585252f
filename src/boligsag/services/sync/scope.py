"""Who may pull and push what on the team server (design.md "Scope", issue 11 §2).

:func:`visible` (and its SQL form :func:`visible_condition`, for a pull's bulk filter)
says which rows an actor sees; scope_rules.py holds those rules. A pushed change is
allowed when all of these hold, checked by :func:`may_write`:

- its table travels through sync at all: staff accounts, settings, reference data, the
  audit log and the server's own tables never do (accounts are managed with
  ``boligsag server add-user``; audit entries travel in the batch's own list);
- the actor's role has the permission the laptop's service asks for the same edit
  (domain/permissions.py), so a push is never looser than the screen;
- a row that already exists on the server is one the actor sees (scope_rules.py):
  nobody edits or deletes what they cannot pull;
- every person, household or case row the change points to (``person``, ``household``,
  a contact's ``people``, a new attendance tick…) is one the actor sees;
- a volunteer writes only network-mother forms in their own name with no person on
  them, and anyone writes only their own reminders;
- only someone with SSP access locks, unlocks, rewrites or deletes an SSP note
  (ssp_strip.py).

Moving a visible row out of one's own scope (a family moving to another area, a
restricted case handed to a colleague) is allowed: the laptop allows it too.

:func:`may_write_all` checks a whole batch with a few look-ups per table (call it before
applying anything); :func:`may_write` is the same for one change. A uuid that points to
no row is left to the engine, which refuses it as a bad batch, or is a row the same batch
creates, which its author may name. Reasons are English, for the HTTP body, and name
tables and fields only (the caller puts the change's table and uuid in front).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import ContactKind, Role
from boligsag.domain.permissions import Permission, has_permission
from boligsag.storage.models import Base

from .actor import SyncActor
from .scope_rules import EVERYONE_TABLES, visible, visible_condition
from .ssp_strip import locked_contacts, ssp_refusal

__all__ = ["NEVER_PUSHED", "WRITE_PERMISSION", "hidden_fields", "may_write", "may_write_all",
           "visible", "visible_condition"]

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
    # Only as a settlement (issue 12 §3): see _settlement. The record's own field, when
    # the settlement changes it, is a change of its own under its table's permission.
    "sync_conflicts": None,
}

# What a laptop may change on a conflict: who settled it, when and how (wire names).
SETTLEMENT_FIELDS = frozenset({"resolved_at", "resolved_by", "resolution"})

# Named so that the refusal can say so; any other table is refused the same way.
NEVER_PUSHED = frozenset({
    "users", "user_areas", "settings", "audit_entries", "channels", "topics",
    "focus_areas", "age_groups", "consent_scopes", "sync_changes", "sync_batches",
    "server_credentials", "server_devices", "server_login_failures",
    "sync_outbox", "sync_inbox", "sync_counter", "sync_applying",
})

# Fields of a visible row that a role still does not receive. A volunteer's laptop shows
# who wrote what and picks no letter's contact person, so it gets colleagues' names and
# roles but not their work phone, e-mail or title (data minimisation, GDPR art. 5(1)(c));
# staff need those for the letters they print (services/letters.py).
_HIDDEN_FIELDS: dict[Role, dict[str, frozenset[str]]] = {
    Role.VOLUNTEER: {"users": frozenset({"phone", "email", "title"})},
}


def hidden_fields(actor: SyncActor, table: str) -> frozenset[str]:
    """The wire fields of ``table`` left out of the rows ``actor`` pulls."""
    return _HIDDEN_FIELDS.get(Role(actor.role), {}).get(table, frozenset())


# Link lists that travel with their parent and name people (design.md "Wire fields");
# a session's attendance ticks name them too.
_PEOPLE_FIELD: dict[str, str] = {"contacts": "people"}
_CHUNK = 5000  # uuids per IN list: well under PostgreSQL's 65,535 bind parameters


def may_write(session: Session, actor: SyncActor, change: Mapping[str, Any]) -> str | None:
    """Why ``actor`` may not push ``change`` (e.g. "outside your scope"), or None when
    they may."""
    return may_write_all(session, actor, [change])[0]


def may_write_all(session: Session, actor: SyncActor,
                  changes: Sequence[Mapping[str, Any]]) -> list[str | None]:
    """:func:`may_write` for each of a batch's changes, with a few look-ups per table
    instead of several per change. A row that another change of the same batch creates
    counts as the actor's own when a change points to it: they may name what they make."""
    known = _Known(session, actor, changes)
    return [_reason(actor, change, known) for change in changes]


class _Known:
    """What the server holds of every row a batch names: for each (table, uuid) that
    exists, whether the actor sees it; and who is already on each session's attendance."""

    def __init__(self, session: Session, actor: SyncActor,
                 changes: Sequence[Mapping[str, Any]]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        sessions: list[str] = []
        for change in changes:
            table, uuid, fields = _parts(change)
            if table is None or uuid is None or fields is None:
                continue
            wanted[table].add(uuid)
            for name, target in _reference_fields(table):
                if isinstance(fields.get(name), str):
                    wanted[target].add(fields[name])
            wanted["people"].update(_people_named(table, fields))
            if table == "sessions" and "attendance" in fields:
                sessions.append(uuid)
        self.seen: dict[tuple[str, str], bool] = {}
        for table, uuids in wanted.items():
            self.seen.update(_visibility(session, actor, table, sorted(uuids)))
        self.attending = _attending(session, sessions)
        contacts = [uuid for (table, uuid) in self.seen if table == "contacts"]
        # Only for someone without SSP access: no one else is refused an SSP change.
        self.ssp_locked = (locked_contacts(session, contacts)
                           if contacts and not actor.ssp_access else set())

    def exists(self, table: str, uuid: str) -> bool:
        return (table, uuid) in self.seen

    def hidden(self, table: str, uuids: Iterable[str]) -> bool:
        """Whether one of ``uuids`` is an existing row the actor may not see (an unknown
        uuid is wire.py's bad batch, or a row this batch creates)."""
        return any(self.seen.get((table, uuid)) is False for uuid in uuids)


def _parts(change: Mapping[str, Any]) -> tuple[str | None, str | None,
                                               Mapping[str, Any] | None]:
    table = change.get("table")
    uuid = change.get("uuid")
    fields = change.get("fields") or {}
    return (table if isinstance(table, str) and table in WRITE_PERMISSION else None,
            uuid if isinstance(uuid, str) else None,
            fields if isinstance(fields, Mapping) else None)


def _reason(actor: SyncActor, change: Mapping[str, Any], known: _Known) -> str | None:
    table, uuid, fields = _parts(change)
    if table is None:
        name = change.get("table")
        name = name if isinstance(name, str) and name in NEVER_PUSHED else "this table"
        return f"{name} cannot be pushed through sync"
    if uuid is None or fields is None:
        return None  # malformed: the engine refuses it as a bad batch
    role = Role(actor.role)
    exists = known.exists(table, uuid)
    if table == "sync_conflicts":
        return _settlement(actor, change, fields, known, exists)
    if table == "contacts" and not has_permission(role, Permission.LOG_CONTACTS):
        if not has_permission(role, Permission.LOG_NETWORK_MOTHER):
            return f"a {role.value} may not change contacts"
        reason = _volunteer_form(actor, fields, create=not exists)
        if reason is not None:
            return reason
    else:
        permission = WRITE_PERMISSION[table]
        if permission is not None and not has_permission(role, permission):
            return f"a {role.value} may not change {table}"
    if known.hidden(table, [uuid]):
        return "outside your scope"
    if table == "contacts":
        reason = ssp_refusal(actor, exists, uuid in known.ssp_locked, change, fields)
        if reason is not None:
            return reason
    named = "owner_user" in fields or not exists
    if table == "reminders" and named and fields.get("owner_user") != actor.user_uuid:
        return "a reminder can only be its owner's own"
    for name, target in _reference_fields(table):
        value = fields.get(name)
        if isinstance(value, str) and known.hidden(target, [value]):
            return f"{name} is outside your scope"
    people = _people_named(table, fields)
    if table == "sessions":
        people = [p for p in people if p not in known.attending.get(uuid, set())]
    if known.hidden("people", people):
        return f"{_PEOPLE_FIELD.get(table, 'attendance')} names a person outside your scope"
    return None


def _settlement(actor: SyncActor, change: Mapping[str, Any], fields: Mapping[str, Any],
                known: _Known, exists: bool) -> str | None:
    """A conflict row is the server's record of two edits: a laptop may only settle one
    it sees (a writer of it, or a lead/administrator who sees the record), in its own
    name; never create, delete or rewrite one."""
    if not exists or change.get("base_version") is None:
        return "sync_conflicts are recorded by the server only"
    if change.get("deleted"):
        return "a conflict cannot be deleted; settle it"
    if known.hidden("sync_conflicts", [str(change.get("uuid"))]):
        return "outside your scope"
    extra = set(fields) - SETTLEMENT_FIELDS
    if extra:
        return f"only a conflict's settlement can be pushed, not {', '.join(sorted(extra))}"
    if fields.get("resolved_by") not in (None, actor.user_uuid):
        return "a conflict can only be settled in your own name"
    return None


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


@cache
def _reference_fields(table: str) -> tuple[tuple[str, str], ...]:
    """(wire field, referenced table) for each ``x_id`` column pointing to a row whose
    visibility is scoped (not the organisation's rows, not reference data)."""
    found = []
    for column in _tables()[table].columns:
        if not column.name.endswith("_id") or column.name == "id":
            continue
        for key in column.foreign_keys:
            target = key.column.table.name
            if target not in EVERYONE_TABLES and target in WRITE_PERMISSION:
                found.append((column.name[:-3], target))
    return tuple(found)


def _people_named(table: str, fields: Mapping[str, Any]) -> list[str]:
    """The person uuids in a change's people list or attendance ticks."""
    if table in _PEOPLE_FIELD and isinstance(fields.get(_PEOPLE_FIELD[table]), list):
        named = fields[_PEOPLE_FIELD[table]]
    elif table == "sessions" and isinstance(fields.get("attendance"), list):
        named = [tick.get("person") for tick in fields["attendance"]
                 if isinstance(tick, Mapping)]
    else:
        return []
    return [p for p in named if isinstance(p, str)]


def _visibility(session: Session, actor: SyncActor, table: str,
                uuids: list[str]) -> dict[tuple[str, str], bool]:
    """For each of ``uuids`` that exists in ``table``: whether ``actor`` sees it."""
    t = _tables()[table]
    seen = visible_condition(actor, table).label("seen")
    found: dict[tuple[str, str], bool] = {}
    for start in range(0, len(uuids), _CHUNK):
        query = select(t.c.uuid, seen).where(t.c.uuid.in_(uuids[start:start + _CHUNK]))
        found.update(((table, row_uuid), bool(flag))
                     for row_uuid, flag in session.execute(query))
    return found


def _attending(session: Session, session_uuids: list[str]) -> dict[str, set[str]]:
    """The people already on each session's attendance: only a person newly ticked must
    be one the actor sees, so a list sent back with a colleague's tick unchanged passes."""
    if not session_uuids:
        return {}
    tables = _tables()
    s, a, p = tables["sessions"], tables["attendance"], tables["people"]
    query = (select(s.c.uuid, p.c.uuid).join(a, a.c.person_id == p.c.id)
             .join(s, s.c.id == a.c.session_id).where(s.c.uuid.in_(session_uuids)))
    found: dict[str, set[str]] = defaultdict(set)
    for session_uuid, person_uuid in session.execute(query):
        found[session_uuid].add(person_uuid)
    return found
