"""How a laptop database's rows fit into a team server that already holds what ``server
init`` and ``server add-user`` made (accounts, housing areas, a plan, reference data,
settings): which of the laptop's rows are the server's own already, which ids the others
take, and how each copied row's references follow (services/server/import_laptop.py
copies them).

The rules, table by table:

- ``users``: a laptop user whose username (folded as at log-in) names a server account
  *is* that account: the server's row stays as it is (name, role, areas, server
  password), and the laptop's rows that name the user name the account. Every other
  laptop user comes across as a new row with its uuid and no server password.
- ``areas``: an area of the same name (any case) is the server's row, which takes the
  laptop's municipality, postal code and city; others come across as new rows.
- Reference data (channels, focus areas, topics, age groups, consent scopes): matched by
  their codes (both sides load them from the same resources); a code the server lacks
  is added.
- ``services``: the laptop's catalogue replaces the starter catalogue ``server init``
  loaded, which nothing on a server without case data refers to.
- ``plans``: the laptop's plans replace the plan ``server init`` made (when the laptop
  has any; otherwise init's plan stays), so a replica never meets two first plans.
- ``settings``: a key the server has keeps the server's value (its ``database_id``,
  which laptops' pull cursors name, and the organisation's name given to ``init``);
  the laptop's other settings are added.
- ``user_areas`` of a user who is a server account already are the server's.
- Every other table is empty on the server (import_laptop.refuse_case_data) and its rows
  keep their ids. The server's own tables (accounts' passwords, devices, the change
  log) are not copied, and the audit trail is appended, not copied (import_audit.py).
- Rows new to ``users``, ``areas`` and the reference tables take ids after the
  server's largest, in the laptop's order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select

from boligsag.domain.usernames import fold_username
from boligsag.storage.models import Base

__all__ = ["NOT_COPIED", "ImportPlan", "plan_import"]

# The server's own tables, the audit trail (appended to the server's chain instead), and
# a laptop's own sync bookkeeping (its outbox, inbox, change counter and applying flag).
NOT_COPIED = frozenset({"audit_entries", "server_credentials", "server_devices",
                        "server_login_failures", "sync_changes", "sync_batches",
                        "sync_outbox", "sync_inbox", "sync_counter", "sync_applying"})


def _area_key(name: str) -> str:
    return name.strip().casefold()


# Tables the server may hold rows of before an import, with the key that says two rows
# are the same, from the row's columns (and the id maps of tables before it).
_MATCHED: dict[str, Callable[[Any, dict[str, dict[Any, Any]]], Hashable]] = {
    "users": lambda r, _ids: fold_username(r.username),
    "areas": lambda r, _ids: _area_key(r.name),
    "channels": lambda r, _ids: r.code,
    "focus_areas": lambda r, _ids: (r.period, r.code),
    "topics": lambda r, ids: (r.category, r.code,
                              ids["focus_areas"].get(r.focus_area_id, r.focus_area_id)),
    "age_groups": lambda r, _ids: r.code,
    "consent_scopes": lambda r, _ids: r.code,
}
# The server's rows hold server ids already: their keys need no map.
_AS_THEY_ARE: dict[str, dict[Any, Any]] = {"focus_areas": {}}
AREA_DETAILS = ("municipality", "postal_code", "city")


@dataclass
class _TableRule:
    """One table's rewrite: the primary-key column's index and its map (None: kept), the
    foreign-key columns' indexes and maps, and a test that drops a row."""

    pk: tuple[int, dict[Any, Any]] | None
    references: list[tuple[int, dict[Any, Any]]]
    drop: Callable[[Sequence[Any]], bool] | None


@dataclass
class ImportPlan:
    # table -> laptop id -> server id, for the tables whose rows are renumbered
    ids: dict[str, dict[Any, Any]] = field(default_factory=dict)
    # table -> laptop primary keys of rows the server has already (not copied)
    matched: dict[str, set[Any]] = field(default_factory=dict)
    server_settings: frozenset[str] = frozenset()
    # (laptop area id, server area id) of the areas both have
    same_areas: list[tuple[int, int]] = field(default_factory=list)
    # per synced table with rows before the import: its largest id then
    ids_before: dict[str, int] = field(default_factory=dict)
    _rules: dict[str, _TableRule] = field(default_factory=dict)

    def server_user_id(self, laptop_id: int | None) -> int | None:
        if laptop_id is None:
            return None
        return self.ids.get("users", {}).get(laptop_id, laptop_id)

    def rows(self, table: Table, batch: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """The rows of ``batch`` that go into the server, with server ids
        (storage/copy_database.RowFilter)."""
        rule = self._rules.get(table.name) or self._rule(table)
        if rule.drop is None and rule.pk is None and not rule.references:
            return list(batch)  # a table whose rows keep every value
        out: list[Sequence[Any]] = []
        for row in batch:
            if rule.drop is not None and rule.drop(row):
                continue
            if rule.pk is None and not rule.references:
                out.append(row)
                continue
            values = list(row)
            if rule.pk is not None:
                index, mapping = rule.pk
                values[index] = mapping[values[index]]
            for index, mapping in rule.references:
                value = values[index]
                if value is not None:
                    # A laptop value missing from the map would be a broken reference
                    # there; PostgreSQL's foreign key refuses it here (and rolls back).
                    values[index] = mapping.get(value, value)
            out.append(values)
        return out

    def _rule(self, table: Table) -> _TableRule:
        names = [column.name for column in table.columns]
        pk = None
        if table.name in self.ids:
            pk = (names.index("id"), self.ids[table.name])
        references = []
        for i, column in enumerate(table.columns):
            for key in column.foreign_keys:
                mapping = self.ids.get(key.column.table.name)
                if mapping is not None and key.column.name == "id":
                    references.append((i, mapping))
        drop = self._drop(table, names)
        rule = _TableRule(pk, references, drop)
        self._rules[table.name] = rule
        return rule

    def _drop(self, table: Table, names: list[str]) -> Callable[[Sequence[Any]], bool] | None:
        matched = self.matched.get(table.name)
        if matched:
            key_index = names.index(table.primary_key.columns.values()[0].name)
            return lambda row: row[key_index] in matched
        if table.name == "settings":
            key_index, kept = names.index("key"), self.server_settings
            return lambda row: row[key_index] in kept
        if table.name == "user_areas" and self.matched.get("users"):
            user_index, accounts = names.index("user_id"), self.matched["users"]
            return lambda row: row[user_index] in accounts
        return None


def plan_import(laptop: Connection, server: Connection) -> ImportPlan:
    """Compare the laptop's rows of the tables the server may hold with the server's
    (in the server's open transaction) and say where each goes."""
    plan = ImportPlan()
    tables = Base.metadata.tables
    for name, key in _MATCHED.items():
        table = tables[name]
        pk = table.primary_key.columns.values()[0].name
        laptop_rows = laptop.execute(select(table).order_by(table.c[pk])).all()
        server_query = select(table)
        if name == "areas":  # a deleted area on the server is nobody's area
            server_query = server_query.where(table.c.deleted_at.is_(None))
        theirs = {key(row, _AS_THEY_ARE): getattr(row, pk)
                  for row in server.execute(server_query)}
        matched: set[Any] = set()
        mapping: dict[Any, Any] = {}
        next_id = (server.execute(select(func.max(table.c[pk]))).scalar() or 0) \
            if pk == "id" else 0
        if name in ("users", "areas"):
            plan.ids_before[name] = next_id
        for row in laptop_rows:
            here = getattr(row, pk)
            there = theirs.get(key(row, plan.ids))
            if there is not None:
                matched.add(here)
                mapping[here] = there
                if name == "areas":
                    plan.same_areas.append((here, there))
            elif pk == "id":
                next_id += 1
                mapping[here] = next_id
        plan.matched[name] = matched
        if pk == "id":
            plan.ids[name] = mapping
    plan.server_settings = frozenset(server.execute(
        select(tables["settings"].c.key)).scalars())
    return plan
