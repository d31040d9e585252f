"""List fields that name people one by one, and single references: what an actor pulls
and pushes of them is only the part about rows they may see (design.md "Scope", issue 11
§2).

A session is visible to every staff member, but its attendance ticks name participants
some of them may not see (another area's family, a colleague's restricted case). So:

- a pull sends only the ticks of people the actor sees (:func:`strip_pulled`), also
  inside a sync conflict about a session's attendance: no uuid of a hidden person
  reaches a laptop that may not hold them;
- a push changes only the ticks of people the pusher sees: the server's ticks of the
  others are kept (:func:`hidden_members`, used by merge.py), since the pusher's
  laptop never had them and sends the list without them. The merge compares and
  records conflicts over the visible part only, and writes it back with the hidden
  ticks added.

A contact's ``people`` is not such a list: a contact is visible only when every person
on it is (scope_rules.py), so it travels whole or not at all.

Single references to a row the actor may not see are sent as null (:data:`HIDDEN_REFS`):
a child's consent follows the child, but the custody holder who gave it may be hidden
from the actor (a colleague's restricted case, a parent outside her areas); it is pulled
with ``given_by_person`` null and the giver in words, "Forælder med forældremyndighed",
unless it names the giver in words already. A reminder follows its owner, but the
person, contact or referral it is about may have left the owner's scope. (Before, the
laptop held such a row back for ever, waiting for a row it would never get, and with a
consent every referral resting on it and their events: 1,968 rows of the bench team's
staff member; a reminder kept the person it named on the laptop after they left.) A
push never sends the field unless the user changed it (the outbox records changed
fields only), so the server keeps its value. The laptop fetches such rows again when
people come, and before the row they name leaves it (sync_client/reconcile.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from . import scope, wire
from .actor import SyncActor
from .scope_rules import sees_everything
from .wire_ids import row_ids

__all__ = ["HIDDEN_GIVER", "HIDDEN_REFS", "PERSON_LISTS", "Hidden", "HiddenRef",
           "hidden_members", "strip_pulled", "with_hidden", "without_hidden"]


def _tick_person(item: object) -> object:
    return item.get("person") if isinstance(item, Mapping) else None


# (table, wire field) → the person uuid an item of the list names.
PERSON_LISTS: dict[tuple[str, str], Callable[[object], object]] = {
    ("sessions", "attendance"): _tick_person,
}
_TABLES = frozenset(table for table, _name in PERSON_LISTS)

# The giver of a consent as a laptop that may not see them shows it: on screen and on
# the printed form, which the custody holder signs.
HIDDEN_GIVER = "Forælder med forældremyndighed"


@dataclass(frozen=True)
class HiddenRef:
    """What a pull sends for a single reference to a row the actor may not see: null,
    and ``words`` (a field of the same row) set to ``hidden_words`` when it is empty."""

    target: str  # the table the reference points at
    words: str | None = None
    hidden_words: str = ""


# (table, wire field) → how a reference to a row hidden from the actor is sent. A
# consent follows its person, and a reminder its owner, but what they name may be
# hidden from that person's worker or that owner.
HIDDEN_REFS: dict[tuple[str, str], HiddenRef] = {
    ("consents", "given_by_person"): HiddenRef("people", "given_by_name", HIDDEN_GIVER),
    ("reminders", "person"): HiddenRef("people"),
    ("reminders", "contact"): HiddenRef("contacts"),
    ("reminders", "referral"): HiddenRef("referrals"),
}
_STRIPPED = _TABLES | frozenset(table for table, _name in HIDDEN_REFS)

# (table, row uuid) → wire field → the server's items naming people the actor cannot see.
Hidden = dict[tuple[str, str], dict[str, list[Any]]]
# table → uuids of its rows (named by the rows of a pull; seen by the actor).
Named = dict[str, set[str]]


def _named(table: str, fields: Mapping[str, Any]) -> Named:
    found: Named = defaultdict(set)
    for (list_table, name), person in PERSON_LISTS.items():
        if list_table == table and isinstance(fields.get(name), list):
            found["people"].update(p for p in map(person, fields[name])
                                   if isinstance(p, str))
    for (ref_table, name), ref in HIDDEN_REFS.items():
        if ref_table == table and isinstance(fields.get(name), str):
            found[ref.target].add(fields[name])
    return found


def _hidden_refs(table: str, fields: Mapping[str, Any], seen: Named) -> dict[str, Any]:
    """The replacements for ``fields``' single references to rows not in ``seen``: the
    reference null, and its words field (if it has one and it is empty) the words."""
    changes: dict[str, Any] = {}
    for (ref_table, name), ref in HIDDEN_REFS.items():
        value = fields.get(name)
        if ref_table == table and isinstance(value, str) and value not in seen[ref.target]:
            changes[name] = None
            if ref.words is not None and not fields.get(ref.words):
                changes[ref.words] = ref.hidden_words
    return changes


def _keep(table: str, fields: dict[str, Any], seen: Named) -> None:
    """Drop, in place, the items of ``fields``' people lists and the references naming
    rows not in ``seen`` (for a dict that is the caller's own: see :func:`_kept`)."""
    for (list_table, name), person in PERSON_LISTS.items():
        if list_table == table and isinstance(fields.get(name), list):
            fields[name] = [item for item in fields[name] if person(item) in seen["people"]]
    fields.update(_hidden_refs(table, fields, seen))


def _kept(table: str, fields: dict[str, Any], seen: Named) -> dict[str, Any]:
    """``fields`` without what :func:`_keep` drops: ``fields`` itself when nothing
    goes, else a new dict (``fields`` is left as it is)."""
    out = fields
    for (list_table, name), person in PERSON_LISTS.items():
        items = fields.get(name)
        if list_table == table and isinstance(items, list):
            visible = [item for item in items if person(item) in seen["people"]]
            if len(visible) != len(items):
                out = {**out, name: visible}
    refs = _hidden_refs(table, fields, seen)
    return {**out, **refs} if refs else out


def strip_pulled(session: Session, actor: SyncActor, rows: list[dict[str, Any]]) -> None:
    """Take out of pulled ``rows`` the list items about people ``actor`` may not see,
    and the single references to rows they may not see (:data:`HIDDEN_REFS`): in the
    rows themselves, and in the two values of a conflict about one.

    A row that loses something is replaced in ``rows`` by a changed copy; no row is
    changed itself, for a pull's rows are shared with other pulls (pull_cache.py)."""
    if sees_everything(actor):
        return
    conflicts: list[tuple[int, str, str, Any]] = []  # (row index, key, table, value)
    named: Named = defaultdict(set)
    for index, row in enumerate(rows):
        fields = row["fields"]
        if row["table"] in _STRIPPED:
            found = _named(row["table"], fields)
        elif row["table"] == "sync_conflicts" and fields.get("table_name") in _STRIPPED:
            found = defaultdict(set)
            for key in ("kept_value", "other_value"):
                value = json.loads(fields[key])
                conflicts.append((index, key, fields["table_name"], value))
                for target, uuids in _named(fields["table_name"],
                                            _as_fields(fields["field"], value)).items():
                    found[target] |= uuids
        else:
            continue
        for target, uuids in found.items():
            named[target] |= uuids
    if not any(named.values()):
        return
    seen: Named = defaultdict(set, {
        target: scope.visible(session, actor, target, sorted(uuids))
        for target, uuids in named.items() if uuids})
    for index, row in enumerate(rows):
        if row["table"] in _STRIPPED:
            fields = _kept(row["table"], row["fields"], seen)
            if fields is not row["fields"]:
                rows[index] = {**row, "fields": fields}
    for index, key, table, value in conflicts:
        row = rows[index]
        as_fields = _as_fields(row["fields"]["field"], value)  # parsed here: ours to change
        _keep(table, as_fields, seen)
        if row["fields"]["field"] != "*":
            value = as_fields[row["fields"]["field"]]
        rows[index] = {**row, "fields": {**row["fields"],
                                         key: json.dumps(value, ensure_ascii=False)}}


def _as_fields(field: str, value: Any) -> dict[str, Any]:
    """A conflict's value as a dict of fields: a whole-record conflict's already is
    one (the same object, so changes to it show); one field's is wrapped."""
    if field == "*":
        return value if isinstance(value, dict) else {}
    return {field: value}


def hidden_members(session: Session, actor: SyncActor,
                   changes: Sequence[Any]) -> Hidden:
    """For each existing row a change pushes a people list of: the server's items of
    that list that name people ``actor`` may not see (only rows that have some)."""
    if sees_everything(actor):
        return {}
    wanted: dict[str, list[str]] = {}
    for change in changes:
        if change.table in _TABLES and any(
                (change.table, name) in PERSON_LISTS for name in change.fields):
            wanted.setdefault(change.table, []).append(change.uuid)
    hidden: Hidden = {}
    for table, uuids in wanted.items():
        ids = row_ids(session).ids_of(session, {table: uuids})[table]
        rows = wire.rows_to_wire(session, table, [ids[u] for u in uuids if u in ids])
        named = set().union(*(_named(table, row["fields"])["people"] for row in rows))
        seen = scope.visible(session, actor, "people", sorted(named)) if named else set()
        for row in rows:
            for (list_table, name), person in PERSON_LISTS.items():
                items = row["fields"].get(name) if list_table == table else None
                others = [item for item in items or () if person(item) not in seen]
                if others:
                    hidden.setdefault((table, row["uuid"]), {})[name] = others
    return hidden


def without_hidden(hidden: Hidden, table: str, uuid: str,
                   values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with the hidden items taken out of their lists (what the actor sees,
    pushed or on the server)."""
    lists = hidden.get((table, uuid))
    if not lists:
        return dict(values)
    result = dict(values)
    for name, others in lists.items():
        if isinstance(result.get(name), list):
            person = PERSON_LISTS[(table, name)]
            gone = {json.dumps(person(item)) for item in others}
            result[name] = [item for item in result[name]
                            if json.dumps(person(item)) not in gone]
    return result


def with_hidden(hidden: Hidden, table: str, uuid: str,
                values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` to write: each list the actor pushed, plus the server's hidden items."""
    result = without_hidden(hidden, table, uuid, values)
    for name, others in hidden.get((table, uuid), {}).items():
        if isinstance(result.get(name), list):
            result[name] = result[name] + others
    return result
