"""The SQLite triggers that record a laptop's local changes in ``sync_outbox`` (issue 12).

Why triggers and not ORM events: every write path (ORM flushes, Core statements, the
first-topic trigger's own updates, deletions, imports) is caught in the transaction of
the write, and a service added later cannot forget to record its changes.

What the triggers record, per synced row (storage/models/sync_client.py):

- an INSERT: the row is new here (``fields`` ``["*"]``, ``base_version`` NULL);
- an UPDATE: the wire fields whose column changed (``OLD.c IS NOT NEW.c``; a foreign key
  under its wire name), added to those already recorded; ``base_version`` is OLD.version
  of the first change since the last acknowledgement (the upsert keeps it), ``deleted``
  follows ``deleted_at``. The ``updated_*`` stamps, ``first_topic_id`` and the other
  columns that do not travel are never fields. An update that moves the version but
  changes no wire field (a sign-in's ``last_login_at``; a session saved for its
  attendance alone, whose row is updated before its attendance rows) leaves an entry
  with no fields: nothing to push, but it keeps the server's version as the base of
  whatever follows, because after it OLD.version is a local number the server never
  had. An update that moves neither (the first-topic trigger's) records nothing;
- an insert, update or delete of a link or child row (a contact's people, a session's
  attendance): the parent row's list field.

Each recording bumps the one-row ``sync_counter`` and stores its value as the entry's
``local_seq``. Every trigger is silent while ``sync_applying`` has a row, which only
the transaction writing pulled or acknowledged rows can see (storage/sync_applying.py).

The SQL is built from a plain description of the synced tables (:class:`Tracked`), not
from the live wire specs: a migration creates the triggers from the description frozen
at its revision, :func:`tracked_from_specs` gives the description the current models
imply, and a test compares the triggers in ``sqlite_master`` with the SQL of the latter,
so a column added to a synced model fails loudly until a migration replaces the triggers
(:func:`replace_statements`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["PREFIX", "Member", "Tracked", "create_statements", "drop_statements",
           "replace_statements", "tracked", "tracked_from_specs", "trigger_names"]

# Every trigger of this module is named so; a migration that regenerates them drops
# exactly these.
PREFIX = "sync_outbox_"
_NOT_APPLYING = "NOT EXISTS (SELECT 1 FROM sync_applying)"
_BUMP = ("INSERT INTO sync_counter (id, local_seq) VALUES (1, 1) "
         "ON CONFLICT (id) DO UPDATE SET local_seq = local_seq + 1;")
_SEQ = "(SELECT local_seq FROM sync_counter WHERE id = 1)"
_COLUMNS = "(table_name, row_uuid, base_version, fields, deleted, local_seq)"
_CONFLICT = "ON CONFLICT (table_name, row_uuid) DO UPDATE SET"
# The fields already recorded and the new ones, as one sorted JSON array; a row created
# here stays ["*"] (all of it goes in the push).
_UNION = ("CASE WHEN sync_outbox.fields = '[\"*\"]' THEN sync_outbox.fields "
          "ELSE (SELECT json_group_array(value) FROM (SELECT value FROM "
          "json_each(sync_outbox.fields) UNION SELECT value FROM json_each(excluded.fields) "
          "ORDER BY value)) END")


@dataclass(frozen=True)
class Member:
    """A link or child table whose rows make up one list field of their parent row:
    ``columns`` are the member columns whose change changes the list (the parent
    column included)."""

    field: str
    table: str
    parent_column: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Tracked:
    """A synced table as the triggers see it: ``fields`` pairs each column that travels
    with its wire name, ``members`` are its link and child tables."""

    table: str
    fields: tuple[tuple[str, str], ...]
    members: tuple[Member, ...] = ()


def tracked(fields: Mapping[str, Sequence[str]],
            members: Iterable[tuple[str, str, str, str, Sequence[str]]]) -> tuple[Tracked, ...]:
    """The description from its compact spelling (a migration's frozen copy): per table
    its columns, ``"area_id:area"`` for a column with another wire name; members as
    (parent table, wire field, member table, parent column, other member columns)."""
    by_parent: dict[str, list[Member]] = {}
    for parent, field, table, parent_column, others in members:
        by_parent.setdefault(parent, []).append(
            Member(field, table, parent_column, (parent_column, *others)))
    return tuple(
        Tracked(table, tuple(_pair(column) for column in columns),
                tuple(by_parent.pop(table, ())))
        for table, columns in fields.items())


def _pair(spelling: str) -> tuple[str, str]:
    column, _, wire = spelling.partition(":")
    return column, wire or column


class _FieldSpec(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def column(self) -> str: ...


class _LinkSpec(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def parent_column(self) -> str: ...
    @property
    def child_column(self) -> str: ...


class _ChildrenSpec(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def table(self) -> str: ...
    @property
    def parent_column(self) -> str: ...
    @property
    def fields(self) -> Sequence[_FieldSpec]: ...


class _TableSpec(Protocol):
    @property
    def fields(self) -> Sequence[_FieldSpec]: ...
    @property
    def links(self) -> Sequence[_LinkSpec]: ...
    @property
    def children(self) -> Sequence[_ChildrenSpec]: ...


def tracked_from_specs(specs: Mapping[str, _TableSpec]) -> tuple[Tracked, ...]:
    """The description the current wire specs imply (services/sync/wire_tables.SPECS,
    passed in: storage does not import the services)."""
    result = []
    for table, spec in specs.items():
        members = [Member(link.name, link.table, link.parent_column,
                          (link.parent_column, link.child_column)) for link in spec.links]
        members += [Member(child.name, child.table, child.parent_column,
                           (child.parent_column, *(f.column for f in child.fields)))
                    for child in spec.children]
        result.append(Tracked(table, tuple((f.column, f.name) for f in spec.fields),
                              tuple(members)))
    return tuple(result)


def trigger_names(tables: Iterable[Tracked]) -> list[str]:
    names = []
    for t in tables:
        names += [f"{PREFIX}{t.table}_insert", f"{PREFIX}{t.table}_update"]
        for m in t.members:
            names += [f"{PREFIX}{m.table}_{event}" for event in ("insert", "update", "delete")]
    return names


def create_statements(tables: Iterable[Tracked]) -> list[str]:
    """CREATE TRIGGER statements, in the order of :func:`trigger_names`."""
    statements = []
    for t in tables:
        statements += [_insert_trigger(t), _update_trigger(t)]
        for m in t.members:
            statements += _member_triggers(t.table, m)
    return statements


def drop_statements(names: Iterable[str]) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names]


def replace_statements(existing: Iterable[str], tables: Iterable[Tracked]) -> list[str]:
    """What a later migration runs when a synced table gains or loses a column: drop the
    triggers this module made (``existing``: the ``sqlite_master`` names starting with
    :data:`PREFIX`) and create them from that migration's own frozen description."""
    return [*drop_statements(n for n in existing if n.startswith(PREFIX)),
            *create_statements(tables)]


def _differs(column: str) -> str:
    # Quoted: referral_events has a column named "on".
    return f'OLD."{column}" IS NOT NEW."{column}"'


def _header(name: str, event: str, table: str, condition: str = "") -> str:
    return (f"CREATE TRIGGER {PREFIX}{name} AFTER {event} ON {table}\n"
            f"WHEN {_NOT_APPLYING}{condition}\nBEGIN\n{_BUMP}\n")


def _insert_trigger(t: Tracked) -> str:
    return (_header(f"{t.table}_insert", "INSERT", t.table)
            + f"INSERT INTO sync_outbox {_COLUMNS}\n"
            f"VALUES ('{t.table}', NEW.uuid, NULL, '[\"*\"]', NEW.deleted_at IS NOT NULL, "
            f"{_SEQ})\n"
            f"{_CONFLICT} fields = '[\"*\"]', deleted = excluded.deleted, "
            "local_seq = excluded.local_seq;\nEND")


def _update_trigger(t: Tracked) -> str:
    changed = " OR ".join(["OLD.version IS NOT NEW.version",
                           "(OLD.deleted_at IS NULL) IS NOT (NEW.deleted_at IS NULL)",
                           *(_differs(column) for column, _ in t.fields)])
    names = ", ".join(f"CASE WHEN {_differs(column)} THEN '{wire}' END"
                      for column, wire in t.fields)
    fields = (f"(SELECT json_group_array(value) FROM json_each(json_array({names})) "
              "WHERE value IS NOT NULL)")
    return (_header(f"{t.table}_update", "UPDATE", t.table, f" AND ({changed})")
            + f"INSERT INTO sync_outbox {_COLUMNS}\n"
            f"SELECT '{t.table}', NEW.uuid, OLD.version, {fields}, "
            f"NEW.deleted_at IS NOT NULL, {_SEQ} WHERE true\n"
            f"{_CONFLICT} fields = {_UNION}, deleted = excluded.deleted, "
            "local_seq = excluded.local_seq;\nEND")


def _mark_parent(parent: str, m: Member, row: str, extra: str = "") -> str:
    """Record the list field ``m.field`` of the parent of ``row`` (NEW or OLD); nothing
    when the parent is gone (its link rows deleted with it)."""
    return (f"INSERT INTO sync_outbox {_COLUMNS}\n"
            f"SELECT '{parent}', p.uuid, p.version, '[\"{m.field}\"]', "
            f"p.deleted_at IS NOT NULL, {_SEQ} FROM {parent} AS p "
            f"WHERE p.id = {row}.\"{m.parent_column}\"{extra}\n"
            f"{_CONFLICT} fields = {_UNION}, local_seq = excluded.local_seq;\n")


def _member_triggers(parent: str, m: Member) -> list[str]:
    changed = " OR ".join(_differs(column) for column in m.columns)
    moved = f" AND {_differs(m.parent_column)}"
    return [
        _header(f"{m.table}_insert", "INSERT", m.table) + _mark_parent(parent, m, "NEW")
        + "END",
        _header(f"{m.table}_update", "UPDATE", m.table, f" AND ({changed})")
        + _mark_parent(parent, m, "OLD") + _mark_parent(parent, m, "NEW", moved) + "END",
        _header(f"{m.table}_delete", "DELETE", m.table) + _mark_parent(parent, m, "OLD")
        + "END",
    ]
