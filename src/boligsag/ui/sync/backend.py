"""The service calls the app's sync makes, gathered in one value so a test can replace
the few that talk to a server (connect, log in, sync) and keep the rest real.

Imported lazily: a stand-alone installation builds the main window without loading the
team-server client at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boligsag.services.context import AppContext


@dataclass(frozen=True)
class SyncBackend:
    is_replica: Callable[[AppContext], bool]
    connect: Callable[[AppContext], Any]  # a Remote that can log in (ServerConnection)
    log_in: Callable[[AppContext, Any, str], None]
    sync_once: Callable[..., Any]  # engine.sync_once(ctx, remote, cancelled=...)
    waiting_changes: Callable[[AppContext], int]
    last_synced_at: Callable[[AppContext], datetime | None]
    forget_replica: Callable[[AppContext], None]
    server_address: Callable[[AppContext], str]


def _server_address(ctx: AppContext) -> str:
    from boligsag.services.sync_client import server_link

    with ctx.db.reading() as session:
        link = server_link.current(session)
    return link.url if link is not None else ""


def default_backend() -> SyncBackend:
    from boligsag.services.sync_client import engine, team

    return SyncBackend(
        is_replica=team.is_replica, connect=team.connect, log_in=team.log_in,
        sync_once=engine.sync_once, waiting_changes=engine.waiting_changes,
        last_synced_at=engine.last_synced_at, forget_replica=team.forget_replica,
        server_address=_server_address)
