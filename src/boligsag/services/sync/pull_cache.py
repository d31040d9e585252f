"""The wire form of recently pulled rows, kept in the server process so that the laptops
of a team pulling the same changes do not each pay for turning them into wire rows.

When a colleague's push reaches the server, every laptop that may see it pulls the same
rows at the same versions within minutes. Turning a row into its wire form (the uuids
behind its foreign keys, its link lists, its children: wire_read.py) is most of a pull's
work in the server process; for 50 laptops pulling one another's changes, it was done 50
times per row.

A row's wire form is a function of its table, uuid and version: every change a push
makes to a row or to the link rows and children that travel with it moves the row's
version on (merge.py, the model's version counter), uuids never change, and vocabulary
keys are the same in every installation. What does differ between laptops (fields hidden
from a role, people-list items about people one may not see) is taken out by the caller
in a copy of the row, never in the kept row (pull.py, people_lists.strip_pulled).

The cache belongs to one engine (one server database) and is keyed by that database's
identity too: a database restored from a backup gets a new identity
(installer/server/README.md), and a row there may reach an old version number again with
other contents. It is bounded (:data:`CAPACITY` rows, least recently used first out), so
a team lead's first pull of every row passes through it without keeping it all.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

__all__ = ["CAPACITY", "WireCache", "for_session"]

CAPACITY = 20_000  # rows; about 30 MB of wire rows

WireRow = dict[str, Any]
_Key = tuple[str, str, str, int]  # database identity, table, uuid, version

_CACHES: weakref.WeakKeyDictionary[Engine, WireCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


class WireCache:
    """A bounded, thread-safe map (database, table, uuid, version) → wire row; pulls run
    in the server's thread pool, several at once."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._rows: OrderedDict[_Key, WireRow] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def get_many(self, database: str, table: str,
                 keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], WireRow]:
        """The kept rows among ``keys`` (uuid, version), as kept: copy before changing."""
        found: dict[tuple[str, int], WireRow] = {}
        with self._lock:
            for row_uuid, version in keys:
                key = (database, table, row_uuid, version)
                row = self._rows.get(key)
                if row is not None:
                    self._rows.move_to_end(key)
                    found[(row_uuid, version)] = row
        return found

    def put_many(self, database: str, rows: Sequence[WireRow]) -> None:
        with self._lock:
            for row in rows:
                self._rows[(database, row["table"], row["uuid"], row["version"])] = row
            while len(self._rows) > self.capacity:
                self._rows.popitem(last=False)


def for_session(session: Session) -> WireCache:
    """The cache of the engine ``session`` works on."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _CACHES_LOCK:
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = WireCache()
        return cache
