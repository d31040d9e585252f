"""Sync conflicts on a laptop replica: listed for the people who may see them, and
settled by a person's choice (issue 12 §3).

Conflicts are ``sync_conflicts`` rows the team server recorded (services/sync/merge.py)
and the laptop pulled. ``kept`` is the value that stands on the server (the first change
to reach it), ``other`` the one that could not stand. Nothing is dropped until someone
chooses; settling is a LOCAL edit, so the outbox triggers (storage/sync_triggers.py)
record it and the next push carries it: the record's field (when it changes) and the
conflict's ``resolved_at``, ``resolved_by``, ``resolution``.

What each choice does (``settle``), by kind:

- ``same_field``: ``"kept"`` keeps what the record holds now and writes nothing to it;
  ``"other"`` writes the other value into the field; ``"merged"`` writes a text the
  person merged by hand, only for a free-text field (a note, a reason, goals).
- ``edit_of_deleted`` (someone deleted the record, then another person's edit of it
  reached the server): ``"kept"`` keeps it deleted; ``"other"`` brings it back as a
  NEW record (a new uuid): the deleted one's values with the edit on top, created here
  and pushed as any new record. Not by clearing the tombstone: the server cannot tell a
  chosen undelete from a stale edit (both arrive as "not deleted" at the tombstone's
  version) and records another conflict, and the laptops' pull never clears a
  tombstone, so the laptop would hold a live record nobody else has. Only for records
  nothing else hangs off (the leaf records below); a person, a household, a referral
  … is refused with a message (the edit stays in the conflict, nothing is lost).
- ``delete_of_edited`` (a deletion reached the server after someone else's edit, and
  the record stayed): ``"kept"`` keeps the record; ``"other"`` deletes it anyway, as a
  tombstone, but only for records that nothing else hangs off (a contact, a reminder,
  a consent, a referral step, a job follow-up, a parent–child link). A person, a
  household, a referral, a job … is deleted from its own page, where the app asks
  about what hangs off it; here that choice is refused with a message saying so.
- ``created_twice`` (the same new record arrived twice with different values):
  ``"kept"`` writes the server's values into the local row ("keep theirs"),
  ``"other"`` writes this side's values ("take mine"), which the push then carries as
  an edit.
- ``contact_for_deleted`` (a contact logged for a person who was deleted or merged on
  the server in the meantime): the contact itself stands; ``"kept"``/``"other"`` only
  mark the conflict as seen, after the person opened the contact and corrected it.

Every write gives the record a new local version (so an open form sees it changed),
refuses an already settled conflict, checks that the actor may edit that kind of
record (the same permissions the app's services and the server's scope use: a
volunteer is refused), and is audited with the conflict's person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.changes import Entity, writes
from boligsag.services.context import AppContext
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.scope import WRITE_PERMISSION
from boligsag.services.sync.wire_read import rows_to_wire
from boligsag.services.sync.wire_write import apply_change
from boligsag.storage.models import Base, SyncConflict, User, new_uuid

from . import server_link
from .conflict_texts import (
    WHOLE_RECORD,
    Lookup,
    field_label,
    is_text_field,
    record_kind_label,
    short_name,
)
from .conflict_visibility import Visibility

__all__ = ["CHOICES", "AlreadySettled", "CannotSettle", "ConflictRow", "is_team_replica",
           "list_conflicts", "open_count", "settle"]

CHOICES = ("kept", "other", "merged")
# Records a tombstone alone deletes cleanly: nothing else hangs off them.
_LEAF_TABLES = frozenset({"contacts", "reminders", "consents", "referral_events",
                          "job_follow_ups", "person_relations"})


class AlreadySettled(UserError):
    def __init__(self) -> None:
        super().__init__("This conflict has already been settled.")


class CannotSettle(UserError):
    """The choice does not fit this conflict (``source`` says why)."""


@dataclass(frozen=True)
class ConflictRow:
    uuid: str
    kind: str  # services/sync/merge.py's CONFLICT_KINDS (or "contact_for_deleted")
    table: str
    record_kind: str  # "Kontakt", "Person", …
    record_label: str  # "Kontakt 03.12.2026 med Aisha H."
    person_id: int | None  # the person page "Åbn sag" opens, if any
    person_uuid: str | None
    field: str  # wire name, or "*"
    field_label: str
    kept_text: str  # the value that stands now, in words
    other_text: str
    kept_by: str
    kept_at: datetime | None
    other_by: str
    other_at: datetime | None
    explanation: str
    keep_choice: str  # what "kept" means for this kind, in words
    other_choice: str
    mergeable: bool  # a free-text field: "merged" is offered
    kept_raw: str  # the plain texts, for the merge dialog
    other_raw: str
    resolved: bool
    resolution: str


def is_team_replica(ctx: AppContext) -> bool:
    """Whether the open database is a team laptop's replica (has a server link)."""
    with ctx.db.reading() as session:
        return server_link.current(session) is not None


def _query(include_resolved: bool) -> Any:
    query = select(SyncConflict).where(SyncConflict.deleted_at.is_(None))
    if not include_resolved:
        query = query.where(SyncConflict.resolved_at.is_(None))
    return query.order_by(SyncConflict.other_at.desc(), SyncConflict.id.desc())


def list_conflicts(ctx: AppContext, *, include_resolved: bool = False) -> list[ConflictRow]:
    """The conflicts about records this actor may see, newest first. One VIEW entry in
    the audit log per person whose data the list shows."""
    with ctx.read() as unit:
        session = unit.session
        conflicts = list(session.scalars(_query(include_resolved)))
        seen = Visibility(session, ctx, conflicts)
        lookup = Lookup(session)
        rows = [_row(session, lookup, seen, c) for c in conflicts if seen.sees(c)]
        for person_uuid in sorted({r.person_uuid for r in rows if r.person_uuid}):
            unit.audit(AuditAction.VIEW, entity="sync_conflicts", person_uuid=person_uuid,
                       detail="conflict list")
    return rows


def open_count(ctx: AppContext) -> int:
    """Unsettled conflicts this actor may see (the navigation's badge). Not audited:
    a number shows nobody's data."""
    with ctx.read() as unit:
        conflicts = list(unit.session.scalars(_query(False)))
        seen = Visibility(unit.session, ctx, conflicts)
        return sum(1 for c in conflicts if seen.sees(c))


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _user_name(session: Session, user_id: int | None) -> str:
    if user_id is None:
        return tr("Unknown")
    user = session.get(User, user_id)
    return user.full_name if user is not None else tr("Unknown")


def _record_label(session: Session, lookup: Lookup, seen: Visibility,
                  c: SyncConflict) -> str:
    table, key = c.table_name, (c.table_name, c.row_uuid)
    t = Base.metadata.tables.get(table)
    people = [seen.persons[p] for p in seen.people.get(key, []) if p in seen.persons]
    if table == "people" and people:
        return f"{people[0].first_name} {people[0].last_name}".strip()
    if table == "contacts" and t is not None:
        at = session.scalar(select(t.c.occurred_at).where(t.c.uuid == c.row_uuid))
        day = short_date(at.date()) if at is not None else ""
        if people:
            names = ", ".join(short_name(p.first_name, p.last_name) for p in people)
            return tr("Contact {date} with {names}", date=day, names=names)
        return tr("Contact {date}", date=day)
    if people:
        return tr("{kind} · {name}", kind=record_kind_label(table),
                  name=f"{people[0].first_name} {people[0].last_name}".strip())
    if t is not None and "name" in t.c:
        return lookup.name(table, c.row_uuid)
    return record_kind_label(table)


def _explanation(kind: str, kept_by: str, other_by: str) -> str:
    texts = {
        "same_field": tr("{kept_by} and {other_by} changed the same field without seeing "
                         "each other's change. {kept_by}'s value reached the server first "
                         "and is the one shown now.", kept_by=kept_by, other_by=other_by),
        "edit_of_deleted": tr("{other_by} changed the record after {kept_by} had deleted "
                              "it. It is still deleted; the change is kept here.",
                              kept_by=kept_by, other_by=other_by),
        "delete_of_edited": tr("{other_by} deleted the record after {kept_by} had changed "
                               "it. It was not deleted.", kept_by=kept_by, other_by=other_by),
        "created_twice": tr("The same new record arrived twice with different values, from "
                            "{kept_by} and from {other_by}.", kept_by=kept_by,
                            other_by=other_by),
        "contact_for_deleted": tr("{other_by} logged this contact for a person {kept_by} "
                                  "had deleted or merged in the meantime. The contact is "
                                  "kept; open it and choose the right person.",
                                  kept_by=kept_by, other_by=other_by),
    }
    return texts.get(kind, "")


def _choices(kind: str) -> tuple[str, str]:
    return {
        "edit_of_deleted": (tr("Keep it deleted"), tr("Bring it back as a new record with "
                                                      "the change")),
        "delete_of_edited": (tr("Keep the record"), tr("Delete it anyway")),
        "created_twice": (tr("Keep the server's values"), tr("Use the other values")),
        "contact_for_deleted": (tr("Seen, keep the contact"), tr("Seen, keep the contact")),
    }.get(kind, (tr("Keep the current value"), tr("Use the other value")))


def _row(session: Session, lookup: Lookup, seen: Visibility, c: SyncConflict) -> ConflictRow:
    kept, other = _decode(c.kept_value), _decode(c.other_value)
    kept_by, other_by = _user_name(session, c.kept_user_id), _user_name(session, c.other_user_id)
    person = seen.person_of(c)
    keep_choice, other_choice = _choices(c.kind)
    mergeable = c.kind == "same_field" and is_text_field(c.table_name, c.field)
    return ConflictRow(
        uuid=c.uuid, kind=c.kind, table=c.table_name,
        record_kind=record_kind_label(c.table_name),
        record_label=_record_label(session, lookup, seen, c),
        person_id=person.id if person else None, person_uuid=person.uuid if person else None,
        field=c.field, field_label=field_label(c.field),
        kept_text=(tr("Deleted: {names}", names=lookup.value_text(c.table_name, c.field, kept))
                   if c.kind == "contact_for_deleted"
                   else lookup.value_text(c.table_name, c.field, kept)),
        other_text=lookup.value_text(c.table_name, c.field, other),
        kept_by=kept_by, kept_at=c.kept_at, other_by=other_by, other_at=c.other_at,
        explanation=_explanation(c.kind, kept_by, other_by),
        keep_choice=keep_choice, other_choice=other_choice, mergeable=mergeable,
        kept_raw=kept if mergeable and isinstance(kept, str) else "",
        other_raw=other if mergeable and isinstance(other, str) else "",
        resolved=c.resolved_at is not None, resolution=c.resolution)


# -- settling ------------------------------------------------------------------------------


@writes(Entity.CONFLICTS, Entity.PEOPLE, Entity.HOUSEHOLDS, Entity.CONTACTS,
        Entity.FOLLOW_UPS, Entity.TIMELINE, Entity.CONSENTS, Entity.REFERRALS, Entity.JOBS,
        Entity.ENROLLMENTS, Entity.SESSIONS, Entity.ACTIVITIES, Entity.REMINDERS)
def settle(ctx: AppContext, conflict_uuid: str, choice: str,
           merged_text: str | None = None) -> None:
    """Settle one conflict by ``choice`` ("kept", "other" or "merged" with
    ``merged_text``), in one transaction; see the module docstring for what each does."""
    if choice not in CHOICES:
        raise CannotSettle("Choose one of the two values.")
    with ctx.write(None) as unit:
        session = unit.session
        conflict = session.scalars(select(SyncConflict).where(
            SyncConflict.uuid == conflict_uuid, SyncConflict.deleted_at.is_(None))).first()
        if conflict is None:
            raise NotFound("conflict")
        seen = Visibility(session, ctx, [conflict])
        if not seen.sees(conflict):
            raise NotFound("conflict")
        if conflict.resolved_at is not None:
            raise AlreadySettled()
        _require_edit(ctx, seen, conflict)
        _apply(session, ctx, conflict, choice, merged_text)
        now = ctx.clock.now()
        conflict.resolved_at = now
        conflict.resolved_by_id = ctx.actor.user_id
        conflict.resolution = choice
        conflict.updated_at, conflict.updated_by_id = now, ctx.actor.user_id
        session.flush()
        person = seen.person_of(conflict)
        unit.audit(AuditAction.UPDATE, entity="sync_conflicts", entity_uuid=conflict.uuid,
                   person_uuid=person.uuid if person else None,
                   detail=f"settled {conflict.kind} {conflict.table_name}."
                          f"{conflict.field}: {choice}")


def _require_edit(ctx: AppContext, seen: Visibility, conflict: SyncConflict) -> None:
    table = conflict.table_name
    if table == "reminders":
        return  # Visibility showed it only to its owner
    if table not in WRITE_PERMISSION:
        raise PermissionDenied()
    permission = WRITE_PERMISSION[table]
    if permission is not None:
        ctx.require(permission)


def _apply(session: Session, ctx: AppContext, conflict: SyncConflict, choice: str,
           merged_text: str | None) -> None:
    kind, table, name = conflict.kind, conflict.table_name, conflict.field
    kept, other = _decode(conflict.kept_value), _decode(conflict.other_value)
    if choice == "merged":
        if kind != "same_field" or not is_text_field(table, name):
            raise CannotSettle("Only two versions of a text can be merged.")
        if merged_text is None:
            raise CannotSettle("Write the merged text first.")
        _write(session, ctx, conflict, {name: merged_text})
        return
    if kind == "contact_for_deleted":
        return  # the contact stands either way: settling says someone looked at it
    if kind == "same_field":
        if choice == "other":
            _write(session, ctx, conflict, {name: other})
        return
    if kind == "edit_of_deleted":
        if choice == "other":
            if table not in _LEAF_TABLES:
                raise CannotSettle("A deleted person, household or case cannot be brought "
                                   "back from here. The change is kept in the conflict; "
                                   "register it again by hand if it is still needed.")
            _recreate(session, ctx, conflict, _fields(other))
        return
    if kind == "delete_of_edited":
        if choice == "other":
            if table not in _LEAF_TABLES:
                raise CannotSettle("Delete this record from its own page: the app asks "
                                   "there about what belongs to it.")
            _tombstone(session, ctx, conflict)
        return
    if kind == "created_twice":
        values = _fields(kept if choice == "kept" else other)
        if values:
            _write(session, ctx, conflict, values)
        return
    raise CannotSettle("This kind of conflict cannot be settled here.")


def _fields(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if k != "deleted"}


def _current(session: Session, conflict: SyncConflict) -> tuple[int, int, Any]:
    t = Base.metadata.tables[conflict.table_name]
    row = session.execute(select(t.c.id, t.c.version, t.c.deleted_at)
                          .where(t.c.uuid == conflict.row_uuid)).first()
    if row is None:
        raise NotFound("record")
    return row[0], row[1], row[2]


def _write(session: Session, ctx: AppContext, conflict: SyncConflict,
           values: dict[str, Any]) -> None:
    """The values into the record, as a local edit: a new version, the triggers record
    the changed fields for the next push."""
    if conflict.field == WHOLE_RECORD and conflict.kind == "same_field":
        raise CannotSettle("This kind of conflict cannot be settled here.")
    _id, version, deleted_at = _current(session, conflict)
    if deleted_at is not None:
        raise NotFound("record")
    try:
        apply_change(session, conflict.table_name, conflict.row_uuid, values, create=False,
                     user_id=ctx.actor.user_id, now=ctx.clock.now(), version=version + 1)
    except BadBatch:
        # A value that refers to something this laptop does not hold (a person outside
        # the user's areas), or one the field no longer takes.
        raise CannotSettle("The other value cannot be used here: it refers to something "
                           "this computer does not have. Keep the current value and "
                           "correct the record by hand.") from None


def _recreate(session: Session, ctx: AppContext, conflict: SyncConflict,
              edit: dict[str, Any]) -> None:
    """A copy of the deleted record with ``edit`` on top, under a new uuid: the outbox
    triggers record it as created here, and the push creates it on the server."""
    row_id, _version, _deleted_at = _current(session, conflict)
    (row,) = rows_to_wire(session, conflict.table_name, [row_id])
    try:
        apply_change(session, conflict.table_name, new_uuid(), {**row["fields"], **edit},
                     create=True, user_id=ctx.actor.user_id, now=ctx.clock.now())
    except BadBatch:
        raise CannotSettle("The other value cannot be used here: it refers to something "
                           "this computer does not have. Keep the current value and "
                           "correct the record by hand.") from None


def _tombstone(session: Session, ctx: AppContext, conflict: SyncConflict) -> None:
    t = Base.metadata.tables[conflict.table_name]
    row_id, version, deleted_at = _current(session, conflict)
    if deleted_at is not None:
        return
    now = ctx.clock.now()
    session.execute(update(t).where(t.c.id == row_id).values(
        deleted_at=now, deleted_by_id=ctx.actor.user_id, version=version + 1,
        updated_at=now, updated_by_id=ctx.actor.user_id))
