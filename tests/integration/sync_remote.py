"""The team server's sync calls in process, as the HTTP routes run them
(server/sync_calls.py, server/holdings_calls.py), for one device of a
:class:`~tests.integration.sync_server.SyncServer`: a ``Remote`` for
services/sync_client/engine.py without HTTP. A cursor from another server database
raises CursorRejected, as the laptop's transport does for the route's 409."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from boligsag.services import shared_settings
from boligsag.services.sync import holdings as holdings_module
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync import push as push_module
from boligsag.services.sync.errors import CursorFromOtherServer
from boligsag.services.sync.holdings_rescope import rescope_between
from boligsag.services.sync_client.errors import CursorRejected

from .sync_server import AUDIT_SECRET, SyncServer


@dataclass
class InProcessRemote:
    server: SyncServer
    device: str
    calls: list[str] = field(default_factory=list)  # the route of each call, in order

    @property
    def _actor(self) -> Any:
        return self.server.actors[self.device]

    def push(self, batch: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("push")
        now = self.server.tick()
        with self.server.db.writing(None) as session:
            return push_module.push(session, self._actor, batch, audit_key=AUDIT_SECRET,
                                    now=now)

    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        self.calls.append("pull")
        with self.server.db.reading() as session:
            try:
                page = pull_module.pull(session, self._actor, cursor, limit)
            except CursorFromOtherServer:
                raise CursorRejected() from None
            database_id = pull_module.server_id(session)
            page["rescope"] = rescope_between(
                session, self._actor, pull_module.decode_cursor(cursor, database_id),
                pull_module.decode_cursor(page["cursor"], database_id))
            return page

    def holdings(self) -> dict[str, Any]:
        self.calls.append("holdings")
        with self.server.db.reading() as session:
            return holdings_module.holdings(session, self._actor)

    def holdings_list(self, table: str, buckets: Sequence[str]) -> dict[str, Any]:
        self.calls.append("holdings_list")
        with self.server.db.reading() as session:
            return holdings_module.listed(session, self._actor, table, list(buckets))

    def fetch(self, table: str, uuids: Sequence[str]) -> dict[str, Any]:
        self.calls.append("fetch")
        with self.server.db.reading() as session:
            return holdings_module.fetch(session, self._actor, table, list(uuids))

    def settings(self, etag: str | None) -> dict[str, Any]:
        self.calls.append("settings")
        with self.server.db.reading() as session:
            return shared_settings.answer(session, etag)
