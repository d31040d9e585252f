"""Changes the team server refused, shown to the person who made them, who decides
(issue 12 §3: nothing is dropped without a person choosing).

When the server refuses one change of a push (the person left the user's areas while
she edited offline; her role may not change that kind of record), push_client SETS IT
ASIDE: the change as sent is kept in the org setting ``sync_refused_changes`` with the
server's reason, the time, who pushed it (``by``) and what named the record then
(``about``, refused_facts.py), and the rest of the push goes on. The reconcile that
follows brings the record back to the server's values, or removes it when it is no
longer the user's to hold, so the kept change is the only place its values remain.

- :func:`list_refused` describes each in words: which record (from the record while it
  is still on this laptop, else from what was noted at the refusal, else from the
  change's own values, else "En post der ikke længere er på denne computer"), the
  fields and values as the conflict list shows them (conflict_texts.py), the reason in
  the user's language, when. Audited as a VIEW per person the values are about, as
  conflicts.list_conflicts is.
- :func:`discard_refused` is the user's "Kassér ændringen": the kept change goes, in
  one audited transaction. "Kopiér værdier" needs no service: the row's ``copy_text``
  is what she gives a colleague who still has the case.

Each user sees and discards only the changes she pushed herself (an entry without
``by``, pushed without an AppContext, is anyone's on this laptop). An entry has no id
of its own; :func:`entry_id` is a digest of its content, stable while it is kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.formatting import short_date, short_date_time
from boligsag.i18n import tr
from boligsag.services import org_settings
from boligsag.services.changes import Entity, writes
from boligsag.services.context import AppContext
from boligsag.services.errors import NotFound, PermissionDenied
from boligsag.storage.models import Base, Person

from . import push_client, refused_facts
from .conflict_texts import Lookup, field_label, record_kind_label, short_name
from .conflicts import open_count

__all__ = ["RefusedField", "RefusedRow", "attention_count", "discard_refused", "entry_id",
           "list_refused", "reason_text", "refused_count"]

_SETTING = "sync_refused_changes"  # push_client's store
_ROLE = re.compile(r"^an? [a-z_]+ may (not|only)\b")


@dataclass(frozen=True)
class RefusedField:
    label: str  # "Note"
    value: str  # the value in words


@dataclass(frozen=True)
class RefusedRow:
    id: str  # entry_id: what discard_refused takes
    table: str
    record_kind: str  # "Person", "Kontakt", …
    record_label: str  # "Amira Hassan", "Kontakt 03.12.2026 med Aisha H.", …
    still_here: bool  # the record is still on this laptop
    person_uuids: tuple[str, ...]  # whom the values are about (audit)
    action: str  # "Ændring", "Ny post", "Sletning"
    fields: tuple[RefusedField, ...]
    values_text: str  # "Note: …; Telefon: …" for one list cell
    reason: str  # in the user's language
    server_reason: str  # the server's own words (English), for the details
    at: datetime | None  # when the server refused it
    copy_text: str  # the values as plain text for a colleague ("Kopiér værdier")


def entry_id(entry: dict[str, Any]) -> str:
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def reason_text(server_reason: str) -> str:
    """The server's refusal (services/sync/scope.py, English) in the user's words."""
    reason = server_reason.strip()
    if "outside your scope" in reason:
        return tr("The person no longer belongs to your areas")
    if _ROLE.match(reason):
        return tr("Your role may not change this")
    if reason.startswith("a reminder can only be"):
        return tr("A personal reminder can only be its owner's own")
    return tr("The team server did not accept the change")


def _mine(ctx: AppContext, entry: dict[str, Any]) -> bool:
    return entry.get("by") in (None, ctx.actor.user_uuid)


def refused_count(ctx: AppContext) -> int:
    """Refused changes this user may see (part of the navigation's badge). Not
    audited: a number shows nobody's data."""
    with ctx.read() as unit:
        return sum(1 for e in push_client.refused_changes(unit.session) if _mine(ctx, e))


def attention_count(ctx: AppContext) -> int:
    """The Konflikter badge: open conflicts and refused changes waiting for a choice."""
    return open_count(ctx) + refused_count(ctx)


def list_refused(ctx: AppContext) -> list[RefusedRow]:
    """This user's refused changes, newest first. One VIEW entry in the audit log per
    person the values are about."""
    with ctx.read() as unit:
        session = unit.session
        lookup = _Lookup(session)
        entries = [e for e in push_client.refused_changes(session) if _mine(ctx, e)]
        rows = [_row(session, lookup, e) for e in reversed(entries)]
        for person_uuid in sorted({p for r in rows for p in r.person_uuids}):
            unit.audit(AuditAction.VIEW, entity="sync_refused_changes",
                       person_uuid=person_uuid, detail="refused changes list")
    return rows


@writes(Entity.CONFLICTS)
def discard_refused(ctx: AppContext, refused_id: str) -> None:
    """"Kassér ændringen": the kept change goes for good, in one transaction, audited
    with the people it was about. Only the user who pushed it may."""
    with ctx.write(None) as unit:
        session = unit.session
        entries = push_client.refused_changes(session)
        index = next((i for i, e in enumerate(entries) if entry_id(e) == refused_id), None)
        if index is None:
            raise NotFound("refused change", "The change has already been discarded.")
        entry = entries.pop(index)
        if not _mine(ctx, entry):
            raise PermissionDenied()
        org_settings.set_setting(session, _SETTING, entries)
        change = entry.get("change") or {}
        people = _person_uuids(change, _facts(session, entry)[0]) or [None]
        for person_uuid in people:
            unit.audit(AuditAction.DELETE, entity="sync_refused_changes",
                       entity_uuid=str(change.get("uuid") or "") or None,
                       person_uuid=person_uuid,
                       detail=f"discarded a refused change of {change.get('table', '?')}")


# -- describing one ----------------------------------------------------------------------


class _Lookup(Lookup):
    def know(self, table: str, names: dict[str, str]) -> None:
        """Names from the notes taken at the refusal, for rows no longer here."""
        known = self._names.setdefault(table, {})
        for uuid, name in names.items():
            known.setdefault(uuid, name)


def _row(session: Session, lookup: _Lookup, entry: dict[str, Any]) -> RefusedRow:
    change = entry.get("change") or {}
    table = str(change.get("table", ""))
    facts, still_here = _facts(session, entry)
    lookup.know("people", {u: n for u, n in facts.get("people", [])})
    fields = tuple(RefusedField(field_label(name), lookup.value_text(table, name, value))
                   for name, value in (change.get("fields") or {}).items())
    if change.get("deleted"):
        action = tr("Deletion")
    elif change.get("base_version") is None:
        action = tr("New record")
    else:
        action = tr("Change")
    label = _label(table, facts, still_here)
    values = "; ".join(f"{f.label}: {f.value}" for f in fields)
    if change.get("deleted"):
        values = tr("Delete the record") + (f"; {values}" if values else "")
    reason = reason_text(str(entry.get("reason", "")))
    at = _when(entry.get("at"))
    kind = record_kind_label(table)
    copy = [f"{kind}: {label}", f"{action}:"]
    copy += [f"  {f.label}: {f.value}" for f in fields] or [f"  {values}"]
    if at is not None:
        copy.append(tr("Refused by the team server {when}: {reason}",
                       when=short_date_time(at), reason=reason))
    return RefusedRow(
        id=entry_id(entry), table=table, record_kind=kind, record_label=label,
        still_here=still_here, person_uuids=tuple(_person_uuids(change, facts)),
        action=action, fields=fields, values_text=values or tr("(empty)"), reason=reason,
        server_reason=str(entry.get("reason", "")), at=at, copy_text="\n".join(copy))


def _when(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def _facts(session: Session, entry: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """What names the record, and whether it is still here: the record itself, else
    the notes taken at the refusal, else the change's own values."""
    change = entry.get("change") or {}
    table, row_uuid = str(change.get("table", "")), str(change.get("uuid", ""))
    live = refused_facts.snapshot(session, table, row_uuid)
    t = Base.metadata.tables.get(table)
    still_here = bool(live) and t is not None and session.scalar(
        select(t.c.deleted_at).where(t.c.uuid == row_uuid)) is None
    if live:
        return live, still_here
    about = entry.get("about")
    if isinstance(about, dict) and about:
        return about, False
    return _from_fields(session, table, row_uuid, change.get("fields") or {}), False


def _from_fields(session: Session, table: str, row_uuid: str,
                 fields: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    if table == "people" and (fields.get("first_name") or fields.get("last_name")):
        name = f"{fields.get('first_name') or ''} {fields.get('last_name') or ''}".strip()
        facts["people"] = [[row_uuid, name]]
    else:
        named = fields.get("people") if isinstance(fields.get("people"), list) else []
        if isinstance(fields.get("person"), str):
            named = [fields["person"], *named]
        uuids = [u for u in named if isinstance(u, str)]
        if uuids:
            found = {p.uuid: f"{p.first_name} {p.last_name}".strip() for p in
                     session.scalars(select(Person).where(Person.uuid.in_(uuids)))}
            facts["people"] = [[u, found[u]] for u in uuids if u in found]
    if isinstance(fields.get("name"), str) and fields["name"].strip():
        facts["name"] = fields["name"].strip()
    when = next((fields[c] for c in refused_facts.WHEN_COLUMNS
                 if isinstance(fields.get(c), str)), None)
    if when:
        facts["when"] = when
    return facts


def _person_uuids(change: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    found = [u for u, _name in facts.get("people", []) if u]
    if change.get("table") == "people" and change.get("uuid") not in found:
        found.insert(0, str(change.get("uuid")))
    return list(dict.fromkeys(found))


def _day(facts: dict[str, Any]) -> str:
    when = facts.get("when")
    try:
        return short_date(date.fromisoformat(str(when)[:10])) if when else ""
    except ValueError:
        return ""


def _short(full_name: str) -> str:
    first, _, last = full_name.partition(" ")
    return short_name(first, last)


def _label(table: str, facts: dict[str, Any], still_here: bool) -> str:
    names = [n for _uuid, n in facts.get("people", []) if n]
    day = _day(facts)
    if table == "people" and names:
        return names[0]
    if table == "contacts" and (names or day):
        if names:
            return tr("Contact {date} with {names}", date=day,
                      names=", ".join(_short(n) for n in names))
        return tr("Contact {date}", date=day)
    if facts.get("name"):
        return str(facts["name"])
    if names:
        return tr("{kind} · {name}", kind=record_kind_label(table), name=names[0])
    if day:
        return tr("{kind} {date}", kind=record_kind_label(table), date=day)
    if still_here:
        return record_kind_label(table)
    return tr("A record that is no longer on this computer")
