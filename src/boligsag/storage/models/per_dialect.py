"""One expression spelled for each dialect (DESIGN.md §8: one schema, two dialects),
picked when a statement or an index is compiled for SQLite or PostgreSQL.

It lives beside the models because one of their indexes needs it (the summaries' month
index), and the models may not import the rest of ``boligsag.storage``;
storage/dialect.py builds the services' shared expressions on it.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, cast

from sqlalchemy import ColumnElement, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# The month of ``contacts.occurred_at`` as each dialect can index it: SQLite's ISO text,
# PostgreSQL's timestamp (date_trunc is immutable, so indexable).
MONTH_SQLITE = "substr(occurred_at, 1, 7)"
MONTH_POSTGRESQL = "date_trunc('month', occurred_at)"
T = TypeVar("T")


class _PerDialect(ColumnElement[Any]):
    """Two spellings of one expression; the statement's dialect picks one when it is
    compiled. Both are traversed children, so the statement cache keys on them."""

    inherit_cache = True
    _traverse_internals: ClassVar[Any] = [
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("postgresql", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, sqlite: ColumnElement[Any], postgresql: ColumnElement[Any]) -> None:
        self.sqlite, self.postgresql = sqlite, postgresql
        # The type without a collation: SQLAlchemy would repeat the collation on the
        # value compared with this expression, in the other dialect's spelling too.
        self.type = sqlite.type
        if getattr(self.type, "collation", None):
            self.type = String()
        # A condition stays a condition: SQLite would otherwise get "(…) = 1", which
        # no index answers.
        self._is_implicitly_boolean = sqlite._is_implicitly_boolean


@compiles(_PerDialect, SQLITE)
def _compile_sqlite(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.sqlite, **kw))


@compiles(_PerDialect, POSTGRESQL)
def _compile_postgresql(element: _PerDialect, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.postgresql, **kw))


def per_dialect(*, sqlite: ColumnElement[T], postgresql: ColumnElement[T]) -> ColumnElement[T]:
    return cast("ColumnElement[T]", _PerDialect(sqlite, postgresql))


def month_index_expression() -> ColumnElement[Any]:
    """The month expression for the model's Index, spelled by the dialect it meets."""
    return per_dialect(sqlite=literal_column(MONTH_SQLITE),
                       postgresql=literal_column(MONTH_POSTGRESQL))
