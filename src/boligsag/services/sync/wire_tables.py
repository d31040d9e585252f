"""Which tables sync, and the wire fields of each, read off the SQLAlchemy models.

A table's wire fields are its columns, except what the server sets itself (``id``,
``uuid``, ``version``, the ``created_*``/``updated_*``/``deleted_*`` stamps; deletion
travels as the change's ``deleted`` flag) and what no other installation may copy
(``contacts.first_topic_id``, kept by a trigger; ``users.last_login_at``, a fact about
one machine). A foreign key ``x_id`` travels as ``x``: the referenced row's uuid for a
record table, its natural key for a vocabulary (reference) table. Link tables travel
with their parent as list-valued fields (:data:`LINKS`), and a session's attendance and
head counts as lists of small objects (:data:`CHILDREN`).

Because the fields are derived, a column added to a model syncs without touching this
module; a column of a type this module does not know fails at import, loudly.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Time,
)

from boligsag.domain import enums
from boligsag.storage.models import Base

from . import wire_values as values
from .wire_values import Codec

# Parent before child: a row's references point only to earlier tables (jobs also to
# earlier jobs). Users come right after areas: every record names a user, and a user
# names their areas.
SYNCED_TABLES: tuple[str, ...] = (
    "areas", "users", "plans", "services", "households", "people", "person_relations",
    "activities", "consents", "referrals", "referral_events", "contacts", "enrollments",
    "sessions", "jobs", "job_follow_ups", "reminders", "sync_conflicts",
)

# Tables that never travel as rows, and why (a test checks that every table is either
# synced, a link or child of one, or listed here).
NOT_SYNCED: dict[str, str] = {
    "settings": "organisation settings (letterhead, logo, limits) are set per installation",
    "audit_entries": "laptops' audit entries travel in the push batch's own 'audit' list",
    "focus_areas": "vocabulary: the same rows in every installation, matched by code",
    "topics": "vocabulary: matched by category, code and focus area",
    "channels": "vocabulary: matched by code",
    "age_groups": "vocabulary: matched by code",
    "consent_scopes": "vocabulary: matched by code",
    "sync_changes": "the server's change log",
    "sync_batches": "the server's record of received pushes",
    "server_credentials": "server log-ins: password hashes never leave the server",
    "server_devices": "the server's device registry",
    "server_login_failures": "the server's log-in throttle",
    "sync_outbox": "a laptop's own changes waiting to be pushed (filled by its triggers)",
    "sync_inbox": "a laptop's pulled rows waiting for what they refer to",
    "sync_counter": "a laptop's numbering of its own changes",
    "sync_applying": "a laptop's flag, never committed: a sync is writing the server's rows",
}

SERVER_SET = frozenset({
    "id", "uuid", "version", "created_at", "created_by_id", "updated_at", "updated_by_id",
    "deleted_at", "deleted_by_id",
})
LOCAL_ONLY = frozenset({("contacts", "first_topic_id"), ("users", "last_login_at")})

# Vocabulary tables, by the column a foreign key points at (vocabulary.py keys them).
VOCABULARIES = frozenset({"channels", "focus_areas", "topics", "age_groups", "consent_scopes"})
# JSON columns holding a list of vocabulary codes.
CODE_LISTS: dict[tuple[str, str], str] = {("consents", "scope"): "consent_scopes"}
# Columns with a CHECK (… >= 0) constraint: refused here rather than by the database.
NON_NEGATIVE = frozenset({("head_counts", "count")})


@dataclass(frozen=True)
class Field:
    """One wire field backed by one column of the table.

    ``ref`` is the table a foreign key points at: a record table (uuid on the wire) or a
    vocabulary (its key); ``codec`` reads and writes any other value; ``code_list`` marks
    a JSON list of vocabulary codes."""

    name: str
    column: str
    nullable: bool
    required: bool  # must be given when the row is created (no default)
    codec: Codec | None = None
    ref: str | None = None
    code_list: str | None = None
    minimum: int | None = None

    @property
    def by_key(self) -> bool:
        return self.ref in VOCABULARIES


@dataclass(frozen=True)
class Link:
    """A list field kept in a link table: ``parent_column`` names the owner,
    ``child_column`` the linked row (record uuid or vocabulary key, by ``ref``)."""

    name: str
    table: str
    parent_column: str
    child_column: str
    ref: str

    @property
    def by_key(self) -> bool:
        return self.ref in VOCABULARIES


@dataclass(frozen=True)
class Children:
    """A list field of small objects, each a row of ``table`` owned through
    ``parent_column`` (a session's attendance and head counts); ``fields`` are the
    objects' keys and ``key`` the ones that identify an object within its parent."""

    name: str
    table: str
    parent_column: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    name: str
    table: Table
    fields: tuple[Field, ...]
    links: tuple[Link, ...]
    children: tuple[Children, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset([f.name for f in self.fields] + [x.name for x in self.links]
                         + [c.name for c in self.children])


LINKS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    # parent table: (wire name, link table, parent column, child column)
    "users": (("areas", "user_areas", "user_id", "area_id"),),
    "plans": (("areas", "plan_areas", "plan_id", "area_id"),
              ("focus_areas", "plan_focus_areas", "plan_id", "focus_area_id")),
    "contacts": (("people", "contact_people", "contact_id", "person_id"),
                 ("topics", "contact_topics", "contact_id", "topic_id")),
    "enrollments": (("topics", "enrollment_topics", "enrollment_id", "topic_id"),),
    "sessions": (("staff", "session_staff", "session_id", "user_id"),),
}
CHILDREN: dict[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    # parent table: (wire name, child table, parent column, identifying wire fields)
    "sessions": (("attendance", "attendance", "session_id", ("person",)),
                 ("head_counts", "head_counts", "session_id", ("age_group", "gender"))),
}


def wire_name(column: Column[object]) -> str:
    """``staff_user_id`` → ``staff_user``; a foreign key without the suffix (a
    vocabulary's code, ``age_group``) keeps its name."""
    if column.foreign_keys and column.name.endswith("_id"):
        return column.name[: -len("_id")]
    return column.name


def _enum_of(table: str, column: str) -> type[StrEnum] | None:
    """The domain enum a mapped column is annotated with (``Mapped[Gender | None]``):
    the database stores it as a plain string, so the model's annotation is the only
    place that says which values are allowed."""
    for mapper in Base.registry.mappers:
        if mapper.local_table.name != table:
            continue
        for cls in mapper.class_.__mro__:
            annotation = inspect.get_annotations(cls).get(column)
            if annotation is None:
                continue
            for name in re.findall(r"[A-Za-z_]\w*", str(annotation)):
                found = getattr(enums, name, None)
                if (isinstance(found, type) and issubclass(found, StrEnum)
                        and found is not StrEnum):
                    return found
            return None
    return None


def _codec(table: str, column: Column[object]) -> Codec:
    kind = column.type
    limit = getattr(kind, "length", None)
    enum = _enum_of(table, column.name)
    if enum is not None:
        return values.enum_codec(enum, limit)
    if isinstance(kind, Boolean):
        return values.BOOLEAN
    if isinstance(kind, Integer):
        return values.INTEGER
    if isinstance(kind, Numeric):
        return values.decimal_codec(kind.precision or 10, kind.scale or 0)
    if isinstance(kind, DateTime):
        return values.DATETIME
    if isinstance(kind, Date):
        return values.DATE
    if isinstance(kind, Time):
        return values.TIME
    if isinstance(kind, String | Text):
        return values.text_codec(limit)
    raise TypeError(f"{table}.{column.name}: no wire format for {kind!r}")


def _field(table: str, column: Column[object]) -> Field:
    required = (not column.nullable and column.default is None
                and column.server_default is None)
    common = {"name": wire_name(column), "column": column.name,
              "nullable": bool(column.nullable), "required": required}
    if column.foreign_keys:
        (fk,) = column.foreign_keys
        return Field(**common, ref=fk.column.table.name)  # type: ignore[arg-type]
    if isinstance(column.type, JSON):
        code_list = CODE_LISTS.get((table, column.name))
        if code_list is None:
            raise TypeError(f"{table}.{column.name}: no wire format for this JSON column")
        return Field(**common, code_list=code_list)  # type: ignore[arg-type]
    minimum = 0 if (table, column.name) in NON_NEGATIVE else None
    return Field(**common, codec=_codec(table, column), minimum=minimum)  # type: ignore[arg-type]


def _link_ref(link_table: str, child_column: str) -> str:
    (fk,) = Base.metadata.tables[link_table].c[child_column].foreign_keys
    return fk.column.table.name


def _children(parent: str) -> tuple[Children, ...]:
    result = []
    for name, table, parent_column, key in CHILDREN.get(parent, ()):
        columns = [c for c in Base.metadata.tables[table].c
                   if c.name not in ("id", parent_column)]
        result.append(Children(name, table, parent_column,
                               tuple(_field(table, c) for c in columns), key))
    return tuple(result)


def _spec(name: str) -> TableSpec:
    table = Base.metadata.tables[name]
    fields = tuple(_field(name, c) for c in table.c
                   if c.name not in SERVER_SET and (name, c.name) not in LOCAL_ONLY)
    links = tuple(Link(wire, link_table, parent_column, child_column,
                       _link_ref(link_table, child_column))
                  for wire, link_table, parent_column, child_column in LINKS.get(name, ()))
    return TableSpec(name, table, fields, links, _children(name))


SPECS: dict[str, TableSpec] = {name: _spec(name) for name in SYNCED_TABLES}
