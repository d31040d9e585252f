"""List fields that name people one by one: what an actor pulls and pushes of them is
only the part about people they may see (design.md "Scope", issue 11 §2).

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

One single reference is treated the same way (:data:`PERSON_REFS`): a child's consent
follows the child, but the custody holder who gave it may be hidden from the actor (a
colleague's restricted case, a parent outside her areas). Such a consent is pulled with
``given_by_person`` null and the giver in words, "Forælder med forældremyndighed",
unless it names the giver in words already. (Before, the laptop held the consent back
for ever, waiting for a person it would never get, and with it every referral resting
on the consent and their events: 1,968 rows of the bench team's staff member.) A push
never sends the field unless the user changed the giver (the outbox records changed
fields only), so the server keeps its hidden giver. The laptop fetches such consents
again when people come or go (sync_client/reconcile.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from . import scope, wire
from .actor import SyncActor
from .scope_rules import sees_everything
from .wire_ids import row_ids

__all__ = ["HIDDEN_GIVER", "PERSON_LISTS", "PERSON_REFS", "Hidden", "hidden_members",
           "strip_pulled", "with_hidden", "without_hidden"]


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
# (table, wire field) naming one person → (the field describing them in words, and the
# words used when the person is hidden from the actor).
PERSON_REFS: dict[tuple[str, str], tuple[str, str]] = {
    ("consents", "given_by_person"): ("given_by_name", HIDDEN_GIVER),
}
_STRIPPED = _TABLES | frozenset(table for table, _name in PERSON_REFS)

# (table, row uuid) → wire field → the server's items naming people the actor cannot see.
Hidden = dict[tuple[str, str], dict[str, list[Any]]]


def _named(table: str, fields: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for (list_table, name), person in PERSON_LISTS.items():
        if list_table == table and isinstance(fields.get(name), list):
            found.update(p for p in map(person, fields[name]) if isinstance(p, str))
    for ref_table, name in PERSON_REFS:
        if ref_table == table and isinstance(fields.get(name), str):
            found.add(fields[name])
    return found


def _hidden_refs(table: str, fields: Mapping[str, Any], seen: set[str]) -> dict[str, Any]:
    """The replacements for ``fields``' single person references to anyone not in
    ``seen``: the reference null, its words field the hidden person's description."""
    changes: dict[str, Any] = {}
    for (ref_table, name), (words, hidden_words) in PERSON_REFS.items():
        value = fields.get(name)
        if ref_table == table and isinstance(value, str) and value not in seen:
            changes[name] = None
            if name in fields and not fields.get(words):
                changes[words] = hidden_words
    return changes


def _keep(table: str, fields: dict[str, Any], seen: set[str]) -> None:
    """Drop, in place, the items of ``fields``' people lists naming anyone not in ``seen``
    (for a dict that is the caller's own: see :func:`_kept`)."""
    for (list_table, name), person in PERSON_LISTS.items():
        if list_table == table and isinstance(fields.get(name), list):
            fields[name] = [item for item in fields[name] if person(item) in seen]
    fields.update(_hidden_refs(table, fields, seen))


def _kept(table: str, fields: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    """``fields`` without the items of its people lists naming anyone not in ``seen``:
    ``fields`` itself when nothing goes, else a new dict (``fields`` is left as it is)."""
    out = fields
    for (list_table, name), person in PERSON_LISTS.items():
        items = fields.get(name)
        if list_table == table and isinstance(items, list):
            visible = [item for item in items if person(item) in seen]
            if len(visible) != len(items):
                out = {**out, name: visible}
    refs = _hidden_refs(table, fields, seen)
    return {**out, **refs} if refs else out


def strip_pulled(session: Session, actor: SyncActor, rows: list[dict[str, Any]]) -> None:
    """Take out of pulled ``rows`` the list items and single references about people
    ``actor`` may not see: in the rows themselves, and in the two values of a conflict
    about one.

    A row that loses something is replaced in ``rows`` by a changed copy; no row is
    changed itself, for a pull's rows are shared with other pulls (pull_cache.py)."""
    if sees_everything(actor):
        return
    conflicts: list[tuple[int, str, str, Any]] = []  # (row index, key, table, value)
    named: set[str] = set()
    for index, row in enumerate(rows):
        fields = row["fields"]
        if row["table"] in _STRIPPED:
            named |= _named(row["table"], fields)
        elif row["table"] == "sync_conflicts" and fields.get("table_name") in _STRIPPED:
            for key in ("kept_value", "other_value"):
                value = json.loads(fields[key])
                conflicts.append((index, key, fields["table_name"], value))
                named |= _named(fields["table_name"], _as_fields(fields["field"], value))
    if not named:
        return
    seen = scope.visible(session, actor, "people", sorted(named))
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
        named = set().union(*(_named(table, row["fields"]) for row in rows))
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
