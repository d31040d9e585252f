"""Statements run once on every pooled connection of an engine, before its first use.

The summary engine needs its temporary tables on PostgreSQL before a read unit begins,
because a READ ONLY transaction refuses CREATE TABLE even for a temporary table
(services/summaries/temp.py explains why the unit stays READ ONLY). Temporary tables
live as long as the connection, so creating them once per pooled connection, in a short
transaction of their own, is enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, event

_DONE = "boligsag_connection_setup"  # key in a pooled connection's info: names run
_INSTALLED: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()


def run_once_per_connection(engine: Engine, name: str, statements: Sequence[str]) -> None:
    """Run ``statements`` (committed on their own) on each connection the engine hands
    out, once per connection and ``name``. Installing the same name twice is a no-op."""
    installed = _INSTALLED.setdefault(engine, set())
    if name in installed:
        return
    installed.add(name)
    statements = tuple(statements)

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # The pool hands out an idle connection (its last transaction rolled back), so
        # this transaction is its own and ends before the unit's first statement.
        done = record.info.setdefault(_DONE, set())
        if name in done:
            return
        with dbapi_connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        dbapi_connection.commit()
        done.add(name)

    event.listen(engine, "checkout", on_checkout)
