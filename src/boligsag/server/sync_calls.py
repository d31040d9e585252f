"""One push or pull request: its unit of work around the sync engine (services/sync)
and the server's audit entry for it.

- A push runs in one write transaction: the engine applies the batch and appends the
  laptop's own audit entries; the server's entry ("push 12 changes, 0 conflicts, batch
  <uuid>") joins the same transaction, so a push is never committed without it. A batch
  sent again gets its stored result and another entry naming the same batch.
- A pull reads in one snapshot (a READ ONLY, REPEATABLE READ unit); when the page holds
  rows, the server's entry ("pull 37 rows") is committed before the rows are handed back:
  no person data leaves the server unaudited. The page also says, from the same
  snapshot, whether the stretch of the log it covered can have moved rows into or out
  of the caller's scope (``"rescope"``, services/sync/holdings_rescope.py): the laptop
  then compares its holdings with the server's (holdings_calls.py).
- The shared settings (letterhead, logo, limits; services/shared_settings.py) are read
  for any logged-in user and not audited: they hold no personal data.

Each runs in one thread of the pool on one database connection (ServerDb.one_connection):
the caller's check, the pull's read and its audit entry are units one after another on
it, so a request never waits in the pool for a second connection.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from boligsag.domain.enums import AuditAction
from boligsag.services import shared_settings
from boligsag.services.server import login as server_login
from boligsag.services.server.accounts import ServerDb, audit_admin
from boligsag.services.server.login import Caller, Claim
from boligsag.services.sync.actor import SyncActor

MAX_PULL_LIMIT = 5000
DEFAULT_PULL_LIMIT = 500


def actor_of(caller: Caller) -> SyncActor:
    return SyncActor(user_id=caller.user_id, user_uuid=caller.user_uuid, role=caller.role,
                     device_id=caller.device_id, ssp_access=caller.ssp_access)


def push_batch(server: ServerDb, claim: Claim, batch: dict[str, Any]) -> dict[str, Any]:
    with server.one_connection():
        return _push(server, server_login.caller(server, claim), batch)


def _push(server: ServerDb, caller: Caller, batch: dict[str, Any]) -> dict[str, Any]:
    # Imported here: the engine (and its wire tables) loads with the first sync request,
    # not when the CLI builds its parser.
    from boligsag.services.sync.push import push

    with server.write() as session:
        result = push(session, actor_of(caller), batch, audit_key=server.secret)
        applied = len(result.get("applied", ()))
        conflicts = len(result.get("conflicts", ()))
        if applied or conflicts:
            audit_admin(server, session, AuditAction.UPDATE, entity="sync",
                        entity_uuid=caller.device_id, user_id=caller.user_id,
                        username=caller.username,
                        detail=f"push {applied} changes, {conflicts} conflicts, batch "
                               f"{result.get('batch_id')}")
        return result


def pull_page(server: ServerDb, claim: Claim, cursor: str | None,
              limit: int) -> dict[str, Any]:
    with server.one_connection():
        return _pull(server, server_login.caller(server, claim), cursor, limit)


def _pull(server: ServerDb, caller: Caller, cursor: str | None,
          limit: int) -> dict[str, Any]:
    from boligsag.services.sync.holdings_rescope import rescope_between
    from boligsag.services.sync.pull import decode_cursor, pull, server_id

    actor = actor_of(caller)
    with server.read() as session:
        page = pull(session, actor, cursor, limit)
        database_id = server_id(session)  # pull accepted both cursors against it
        page["rescope"] = rescope_between(session, actor, decode_cursor(cursor, database_id),
                                          decode_cursor(page["cursor"], database_id))
    rows = page.get("rows", ())
    if rows:
        tables = Counter(str(row.get("table")) for row in rows)
        detail = f"pull {len(rows)} rows: " + ", ".join(
            f"{name} {count}" for name, count in sorted(tables.items()))
        with server.write() as session:
            audit_admin(server, session, AuditAction.VIEW, entity="sync",
                        entity_uuid=caller.device_id, user_id=caller.user_id,
                        username=caller.username, detail=detail[:300])
    return page


def settings(server: ServerDb, claim: Claim, etag: str | None) -> dict[str, Any]:
    """The organisation's shared settings, or only their etag when the laptop's is the
    same (services/shared_settings.answer)."""
    with server.one_connection():
        server_login.caller(server, claim)  # a disabled user or revoked device: refused
        with server.read() as session:
            return shared_settings.answer(session, etag)
