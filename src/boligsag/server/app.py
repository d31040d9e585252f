"""The HTTP API (design.md "HTTP API"), a Starlette application.

Every route but ``/v1/health`` and ``/v1/login`` needs ``Authorization: Bearer <token>``
and ``X-Boligsag-Device: <device id>`` (the token is only good on the device it was
issued to). Bodies are JSON. The services are synchronous: a request's database work
runs in a worker thread once the gate (gate.py) gives it a turn.

A request that cannot have the database is answered 503 with Retry-After: ``busy`` (no
turn in time, a pool timeout, a transaction the database rolled back: deadlock,
serialization) or ``database_unavailable`` (the connection failed or was cut).

The request log (logger ``boligsag.server.requests``) has one line per request: method,
path without its query string, status and duration. Bodies, query strings and headers
are never logged, nor is an exception's text (it could quote a value); the 503s and an
unexpected error are logged by their type only, the latter answered with a bare 500.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
from psycopg.errors import QueryCanceled, TransactionRollback
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boligsag.services.server import login as server_login
from boligsag.services.server.accounts import ServerDb
from boligsag.services.server.login import (
    AuthRefused,
    BadLogin,
    Claim,
    LoginFailed,
    LoginThrottled,
)
from boligsag.services.server_audit import BadAuditEntry
from boligsag.services.sync.errors import BadBatch, CursorFromOtherServer, Refused

from . import holdings_calls, snapshot_calls, sync_calls
from .gate import DEFAULT_QUEUE_WAIT, RETRY_AFTER, DbGate, ServerBusy

REQUEST_LOG = logging.getLogger("boligsag.server.requests")
DEVICE_HEADER = "x-boligsag-device"
MAX_BODY = 64 * 1024 * 1024  # a first push of a big caseload fits; more is refused

Clock = Callable[[], float]


class SyncJson(JSONResponse):
    """A push's or pull's answer, encoded by orjson: the same compact UTF-8 JSON as
    Starlette's encoder, ten times as fast (a pull page of 5,000 contacts, 3.6 MB: 3.3 ms
    against 33 ms), and it runs on the event loop, where every other request waits."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error(status: int, code: str, message: str = "", **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": code, **extra}
    if message:
        body["message"] = message
    return JSONResponse(body, status_code=status)


async def _json_body(request: Request) -> Any:
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
        raise BadRequest("the body is too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest("the body is too large")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("the body is not JSON") from None


def create_app(server: ServerDb, *, clock: Clock = time.time,
               queue_wait: float = DEFAULT_QUEUE_WAIT,
               snapshot_folder: Path | None = None) -> ASGIApp:
    """The application for one instance; ``clock`` (epoch seconds) only for tests;
    ``queue_wait``: seconds a request may wait for its turn in the database (gate.py);
    ``snapshot_folder``: where the team snapshot is (None: the server offers none)."""
    gate = DbGate(server.connections, queue_wait)

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def login(request: Request) -> Response:
        doc = await _json_body(request)
        if not isinstance(doc, dict):
            raise BadRequest("the body must be an object")
        # Two short database turns with the password check between them, outside any
        # turn: logins never hold the connections the syncs need (services/server/login).
        # Its three turns come within one queue wait, as a single request's one does.
        deadline = gate.deadline()
        async with gate.password_check(deadline) as check:
            attempt = await gate.run_by(
                deadline, server_login.begin, server, doc.get("username"),
                doc.get("password"), doc.get("device_id"), doc.get("device_name", ""),
                now=clock())
            verified = await check(server_login.verify, attempt)
        result = await gate.run_by(deadline, server_login.finish, server, attempt, verified)
        return JSONResponse(result.to_json())

    def claim_of(request: Request) -> Claim:
        # The token alone; the database checks the user and device in the request's turn.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthRefused("unauthenticated")
        return server_login.check_token(server.secret, token.strip(),
                                        request.headers.get(DEVICE_HEADER), now=clock())

    async def push(request: Request) -> Response:
        claim = claim_of(request)
        batch = await _json_body(request)
        if not isinstance(batch, dict):
            raise BadBatch("the batch must be an object")
        return SyncJson(await gate.run(sync_calls.push_batch, server, claim, batch))

    async def pull(request: Request) -> Response:
        claim = claim_of(request)
        cursor = request.query_params.get("cursor") or None
        limit_text = request.query_params.get("limit", str(sync_calls.DEFAULT_PULL_LIMIT))
        if not limit_text.isdigit() or not 0 < int(limit_text) <= sync_calls.MAX_PULL_LIMIT:
            raise BadRequest(f"limit must be a number from 1 to {sync_calls.MAX_PULL_LIMIT}")
        return SyncJson(await gate.run(sync_calls.pull_page, server, claim, cursor,
                                       int(limit_text)))

    async def holdings(request: Request) -> Response:
        claim = claim_of(request)
        return SyncJson(await gate.run(holdings_calls.holdings_digest, server, claim))

    async def holdings_list(request: Request) -> Response:
        claim = claim_of(request)
        doc = await _json_body(request)
        if not isinstance(doc, dict):
            raise BadRequest("the body must be an object")
        return SyncJson(await gate.run(holdings_calls.holdings_list, server, claim,
                                       doc.get("table"), doc.get("buckets")))

    async def fetch(request: Request) -> Response:
        claim = claim_of(request)
        doc = await _json_body(request)
        if not isinstance(doc, dict):
            raise BadRequest("the body must be an object")
        return SyncJson(await gate.run(holdings_calls.fetch_rows, server, claim,
                                       doc.get("table"), doc.get("uuids")))

    async def settings(request: Request) -> Response:
        claim = claim_of(request)
        etag = request.query_params.get("etag") or None
        if etag is not None and len(etag) > 128:
            raise BadRequest("etag is too long")
        return SyncJson(await gate.run(sync_calls.settings, server, claim, etag))

    async def snapshot_offer(request: Request) -> Response:
        claim = claim_of(request)
        if snapshot_folder is None:
            raise snapshot_calls.NoSnapshot()
        return SyncJson(await gate.run(snapshot_calls.offer, server, claim, snapshot_folder))

    async def snapshot_file(request: Request) -> Response:
        claim = claim_of(request)
        snapshot_id = request.query_params.get("id", "")
        if snapshot_folder is None or not snapshot_id.isalnum() or len(snapshot_id) > 64:
            raise snapshot_calls.NoSnapshot()
        path = await gate.run(snapshot_calls.file_to_send, server, claim, snapshot_folder,
                              snapshot_id)
        # Streamed outside the database's gate: a download holds no connection.
        return FileResponse(path, media_type="application/octet-stream")

    routes = [
        Route("/v1/health", health, methods=["GET"]),
        Route("/v1/login", login, methods=["POST"]),
        Route("/v1/sync/push", push, methods=["POST"]),
        Route("/v1/sync/pull", pull, methods=["GET"]),
        Route("/v1/sync/holdings", holdings, methods=["GET"]),
        Route("/v1/sync/holdings/list", holdings_list, methods=["POST"]),
        Route("/v1/sync/fetch", fetch, methods=["POST"]),
        Route("/v1/sync/settings", settings, methods=["GET"]),
        Route("/v1/sync/snapshot", snapshot_offer, methods=["GET"]),
        Route("/v1/sync/snapshot/file", snapshot_file, methods=["GET"]),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        BadRequest: _bad_request, BadLogin: _bad_request, BadBatch: _bad_request,
        BadAuditEntry: _bad_request, Refused: _refused, AuthRefused: _auth_refused,
        CursorFromOtherServer: _other_server, snapshot_calls.NoSnapshot: _no_snapshot,
        LoginFailed: _login_failed, LoginThrottled: _throttled, ServerBusy: _busy,
        PoolTimeout: _busy, OperationalError: _database_error, Exception: _unexpected,
    }
    return RequestLog(Starlette(routes=routes, exception_handlers=handlers))


async def _bad_request(_request: Request, error: Exception) -> Response:
    message = getattr(error, "message", None) or str(error)
    return _error(400, "bad_request", message)


async def _refused(_request: Request, error: Exception) -> Response:
    return _error(403, "refused", getattr(error, "message", ""))


async def _other_server(_request: Request, error: Exception) -> Response:
    # A code of its own: the client drops its cursor and pulls everything again.
    return _error(409, "cursor_from_other_server", getattr(error, "message", ""))


async def _no_snapshot(_request: Request, _error_: Exception) -> Response:
    return _error(404, "no_snapshot")


async def _auth_refused(_request: Request, error: Exception) -> Response:
    assert isinstance(error, AuthRefused)
    return _error(401, error.reason)


async def _login_failed(_request: Request, _error_: Exception) -> Response:
    # One body for an unknown username and a wrong password.
    return _error(401, "login_failed", "wrong username or password")


async def _throttled(_request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginThrottled)
    response = _error(429, "throttled", "too many failed logins; wait and try again",
                      retry_after=error.retry_after)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _unavailable(code: str, error: Exception) -> Response:
    REQUEST_LOG.warning("database %s (%s)", code, type(error).__name__)
    response = _error(503, code, retry_after=RETRY_AFTER)
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


async def _busy(_request: Request, error: Exception) -> Response:
    return _unavailable("busy", error)


async def _database_error(_request: Request, error: Exception) -> Response:
    # DB-API's OperationalError: the database could not do the work, not the request's
    # fault. A rolled-back transaction (deadlock, serialization) or a cancelled statement
    # succeeds when tried again; anything else (refused or cut connection, shutdown,
    # out of connections or disk) is the database being unavailable.
    original = getattr(error, "orig", None)
    if isinstance(original, TransactionRollback | QueryCanceled):
        return _unavailable("busy", error)
    return _unavailable("database_unavailable", error)


async def _unexpected(_request: Request, _error_: Exception) -> Response:
    return _error(500, "internal")  # logged by RequestLog


class RequestLog:
    """Logs method, path (no query string), status and duration of every request.

    Outermost, around Starlette: Starlette answers an unexpected error with a 500 and
    then raises it again for the server to log with its traceback and text, which could
    quote personal data; here it ends, logged by its type only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app fails before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:  # answered already (Starlette's 500); see above
            REQUEST_LOG.error("unexpected error (%s)", type(error).__name__)
        finally:
            REQUEST_LOG.info("%s %s %d %.1f ms", scope["method"], scope["path"], status,
                             (time.perf_counter() - started) * 1000)
