"""A laptop's comparison of what it holds with what it may hold now (services/sync/
holdings.py): the digest, a listing of some buckets, and a fetch of some rows, each
read in one snapshot (a READ ONLY, REPEATABLE READ unit) on the request's one database
connection, as a pull is (sync_calls.py).

The digest holds counts and hashes only. A listing (uuids of people and their cases)
and a fetch (their records) are person data: when they return any row, the server's
audit entry ("holdings list people 37 rows", "fetch contacts 12 rows") is committed
before the answer is handed back, so nothing personal leaves the server unaudited.
"""

from __future__ import annotations

from typing import Any

from boligsag.domain.enums import AuditAction
from boligsag.services.server import login as server_login
from boligsag.services.server.accounts import ServerDb, audit_admin
from boligsag.services.server.login import Caller, Claim

from .sync_calls import actor_of


def holdings_digest(server: ServerDb, claim: Claim) -> dict[str, Any]:
    # Imported here, as in sync_calls: the engine loads with the first sync request.
    from boligsag.services.sync.holdings import holdings

    with server.one_connection():
        caller = server_login.caller(server, claim)
        with server.read() as session:
            return holdings(session, actor_of(caller))


def holdings_list(server: ServerDb, claim: Claim, table: object,
                  buckets: object) -> dict[str, Any]:
    from boligsag.services.sync.holdings import listed

    with server.one_connection():
        caller = server_login.caller(server, claim)
        with server.read() as session:
            answer = listed(session, actor_of(caller), table, buckets)
        _audit(server, caller, f"holdings list {answer['table']} {len(answer['rows'])} rows",
               answer["rows"])
        return answer


def fetch_rows(server: ServerDb, claim: Claim, table: object,
               uuids: object) -> dict[str, Any]:
    from boligsag.services.sync.holdings import fetch

    with server.one_connection():
        caller = server_login.caller(server, claim)
        with server.read() as session:
            answer = fetch(session, actor_of(caller), table, uuids)
        _audit(server, caller, f"fetch {answer['table']} {len(answer['rows'])} rows",
               answer["rows"])
        return answer


def _audit(server: ServerDb, caller: Caller, detail: str, rows: list[Any]) -> None:
    if not rows:
        return
    with server.write() as session:
        audit_admin(server, session, AuditAction.VIEW, entity="sync",
                    entity_uuid=caller.device_id, user_id=caller.user_id,
                    username=caller.username, detail=detail)
