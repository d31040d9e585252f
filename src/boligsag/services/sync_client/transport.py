"""The laptop's HTTPS connection to the team server (issue 12): ``ServerConnection``.

- Pinned: the server must show the certificate whose SHA-256 fingerprint the laptop was
  given; that is checked right after each connection's TLS handshake, before a byte of
  any request is written (pinning.py says how and why there). A mismatch is
  FingerprintMismatch, never a "continue anyway". No proxy (``trust_env=False``): the
  pin is checked on the connection to the server itself, and environment variables
  such as HTTPS_PROXY or SSL_CERT_FILE change nothing.
- Logging in: ``login`` sends the password once and keeps only the token (15 minutes on
  the server) and its expiry. The password is held no longer than the call: no
  attribute, no retry after a dropped connection, no exception that keeps the request's
  frame (errors are raised outside the ``except`` that caught the transport's). When
  the token has run out the server answers ``token_expired`` and the caller gets
  TokenExpired: the app asks for the password again (or uses its unlock), the client
  never logs in again by itself.
- Timeouts: connect ``CONNECT_TIMEOUT`` (10 s); read ``READ_TIMEOUT`` (60 s), the
  server's ``CLIENT_TIMEOUT`` (server/gate.py): a request may wait up to its queue wait
  (server.json ``queue_wait_seconds``, default 20 s, at most 50 s) for a database turn
  and then does its work, so a shorter read timeout would give up on requests the
  server still answers, and send them again into the same queue.
- Retries, at most ``tries`` (3) sends of one request: after a 503 (busy, database
  unavailable), waiting its Retry-After (at most ``MAX_RETRY_WAIT``); and after a
  connection dropped without an answer (a keep-alive connection the server closed) for
  idempotent requests only: every request but a login (a push is idempotent by its
  batch id; the server returns the stored result of a batch it has). A timeout is not
  retried: the server may still be working on the request.
- Errors: the family in errors.py, by the server's status and error code.

The team snapshot (snapshot_client.py) is the one answer that is not JSON: it is
streamed into the caller's file a megabyte at a time, never held in memory whole.

One connection serves one thread at a time (the app runs it off the GUI thread). Bodies
travel as JSON encoded and decoded with orjson; nothing of a body is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import httpx
import orjson

from boligsag import __version__

from .errors import (
    BadRequest,
    CursorRejected,
    DeviceRevoked,
    FingerprintMismatch,
    LoginRefused,
    LoginThrottled,
    ServerBusy,
    ServerFailed,
    ServerRefused,
    ServerUnreachable,
    SnapshotUnavailable,
    SyncClientError,
    TokenExpired,
    UserDisabled,
)
from .pinning import PinnedContext, PinRefused
from .server_link import normalise_url

__all__ = ["CONNECT_TIMEOUT", "DEVICE_HEADER", "READ_TIMEOUT", "LoginAnswer",
           "ServerConnection"]

LOG = logging.getLogger("boligsag.sync_client")
CONNECT_TIMEOUT = 10.0  # seconds
READ_TIMEOUT = 60.0  # seconds: server/gate.py CLIENT_TIMEOUT (see the module docstring)
MAX_RETRY_WAIT = 30  # seconds: a longer Retry-After is cut to this
TRIES = 3
_DOWNLOAD_CHUNK = 1024 * 1024
DEVICE_HEADER = "X-Boligsag-Device"
# Errors of a connection that was open and then closed without an answer.
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_AUTH_REFUSALS: dict[str, type[SyncClientError]] = {
    "login_failed": LoginRefused, "device_revoked": DeviceRevoked,
    "user_disabled": UserDisabled, "token_expired": TokenExpired,
    "unauthenticated": TokenExpired,
}


@dataclass(frozen=True)
class LoginAnswer:
    token: str
    expires_at: int  # epoch seconds, the server's clock
    user: dict[str, Any]  # uuid, username, full_name, role


class ServerConnection:
    """Requests to one team server, pinned to its certificate's fingerprint."""

    def __init__(self, url: str, fingerprint: str, *, tries: int = TRIES,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """``url``: ``https://host[:port]``; ``fingerprint``: the SHA-256 that ``boligsag
        server init`` printed. ``sleep`` waits out a Retry-After (tests record it)."""
        self.url = normalise_url(url)
        self.context = PinnedContext(fingerprint)
        self.tries = max(1, tries)
        self._sleep = sleep
        self._token: str | None = None
        self.device_id: str | None = None
        self.expires_at: int | None = None
        self.user: dict[str, Any] | None = None
        self._client = httpx.Client(
            base_url=self.url, verify=self.context, trust_env=False, follow_redirects=False,
            timeout=httpx.Timeout(READ_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": f"Boligsag/{__version__}"})

    def __enter__(self) -> ServerConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    # -- the API ---------------------------------------------------------------------

    def health(self) -> None:
        """Returns when the server answers; ServerUnreachable, FingerprintMismatch ..."""
        self._call("GET", "/v1/health", authorised=False)

    def login(self, username: str, password: str, device_id: str,
              device_name: str) -> LoginAnswer:
        """Log in as ``username`` from this laptop (``device_id``, a uuid made once per
        laptop database; ``device_name`` shown to the server's administrator). Keeps the
        token for the other requests; LoginRefused, LoginThrottled, DeviceRevoked,
        UserDisabled, ServerBusy, ServerUnreachable, FingerprintMismatch."""
        self._forget()
        body = orjson.dumps({"username": username, "password": password,
                             "device_id": device_id, "device_name": device_name})
        del password  # only the encoded body holds it now, until _call returns
        try:
            doc = self._call("POST", "/v1/login", content=body, authorised=False,
                             idempotent=False)
        finally:
            del body
        try:
            answer = LoginAnswer(str(doc["token"]), int(doc["expires_at"]), dict(doc["user"]))
        except (KeyError, TypeError, ValueError):
            raise ServerFailed("the login answer lacks token, expires_at or user") from None
        self._token, self.expires_at, self.user = answer.token, answer.expires_at, answer.user
        self.device_id = device_id
        return answer

    def push(self, batch: dict[str, Any]) -> dict[str, Any]:
        """PushBatch -> PushResult (design.md); idempotent by ``batch["batch_id"]``."""
        return self._call_json("POST", "/v1/sync/push", batch)

    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]:
        """The next PullPage after ``cursor`` (None: from the start); CursorRejected if
        the cursor is from another server database."""
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        return self._dict(self._call("GET", "/v1/sync/pull", params=params))

    def holdings(self) -> dict[str, Any]:
        return self._dict(self._call("GET", "/v1/sync/holdings"))

    def holdings_list(self, table: str, buckets: Sequence[str]) -> dict[str, Any]:
        return self._call_json("POST", "/v1/sync/holdings/list",
                               {"table": table, "buckets": list(buckets)})

    def fetch(self, table: str, uuids: Sequence[str]) -> dict[str, Any]:
        return self._call_json("POST", "/v1/sync/fetch", {"table": table, "uuids": list(uuids)})

    def settings(self, etag: str | None = None) -> dict[str, Any]:
        """The organisation's shared settings (services/shared_settings.py): values, logo
        (base64) and etag; only ``{"etag", "unchanged": true}`` when ``etag`` is current."""
        params: dict[str, str | int] = {"etag": etag} if etag else {}
        return self._dict(self._call("GET", "/v1/sync/settings", params=params))

    def snapshot(self) -> dict[str, Any] | None:
        """The team snapshot this user may start a join from (services/server/
        snapshot.py: id, key, size, sha256, built_at, schema, rows), or None when the
        server has none for them (or is older than snapshots)."""
        try:
            return self._dict(self._call("GET", "/v1/sync/snapshot"))
        except SnapshotUnavailable:
            return None

    def download_snapshot(self, snapshot_id: str, out: BinaryIO,
                          received: Callable[[int], None]) -> None:
        """Write the snapshot file ``snapshot_id`` to ``out`` as it arrives, calling
        ``received`` with the bytes so far after each chunk (it may raise to stop).
        SnapshotUnavailable when a newer snapshot replaced it meanwhile. Not retried:
        the caller starts over or falls back to a first pull."""
        headers = self._headers(True, False)
        done = 0
        failure: SyncClientError | None = None
        try:
            with self._client.stream("GET", "/v1/sync/snapshot/file",
                                     params={"id": snapshot_id}, headers=headers) as response:
                if response.status_code != 200:
                    response.read()
                    self._answer(response)  # raises the status's error
                    raise ServerFailed("the snapshot answer is not a file")
                for chunk in response.iter_bytes(_DOWNLOAD_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    received(done)
        except httpx.TransportError as error:
            failure = _transport_failure(error)
        if failure is not None:  # raised outside the except, as _call does
            raise failure

    # -- one request -----------------------------------------------------------------

    def _call_json(self, method: str, path: str, doc: Any) -> dict[str, Any]:
        return self._dict(self._call(method, path, content=orjson.dumps(doc)))

    @staticmethod
    def _dict(doc: Any) -> dict[str, Any]:
        if not isinstance(doc, dict):
            raise ServerFailed("the answer is not a JSON object")
        return doc

    def _forget(self) -> None:
        self._token = self.expires_at = self.user = None

    def _headers(self, authorised: bool, has_body: bool) -> dict[str, str]:
        headers = {"Content-Type": "application/json"} if has_body else {}
        if authorised:
            if self._token is None or self.device_id is None:
                raise TokenExpired()
            headers["Authorization"] = f"Bearer {self._token}"
            headers[DEVICE_HEADER] = self.device_id
        return headers

    def _call(self, method: str, path: str, *, content: bytes | None = None,
              params: dict[str, str | int] | None = None, authorised: bool = True,
              idempotent: bool = True) -> Any:
        headers = self._headers(authorised, content is not None)
        try:
            for attempt in range(1, self.tries + 1):
                last = attempt == self.tries
                failure: SyncClientError | None = None
                retry = False
                try:
                    response = self._client.request(method, path, content=content,
                                                    params=params, headers=headers)
                except httpx.TransportError as error:
                    failure = _transport_failure(error)
                    retry = idempotent and not last and isinstance(error, _DROPPED)
                    if retry:
                        LOG.info("%s %s: connection closed without an answer (%s); trying "
                                 "again", method, path, type(error).__name__)
                if failure is not None:  # raised here, outside the except: see above
                    if retry:
                        continue
                    raise failure
                if response.status_code == 503 and not last:
                    wait = _retry_after(response) or 1
                    LOG.info("%s %s: server busy (503); trying again in %d s", method, path,
                             wait)
                    self._sleep(min(wait, MAX_RETRY_WAIT))
                    continue
                return self._answer(response)
            raise AssertionError("unreachable: the last try returns or raises")
        finally:
            content = None  # no frame of a raised error keeps the body (a password)

    def _answer(self, response: httpx.Response) -> Any:
        status = response.status_code
        doc = _json_or_none(response.content)
        if status == 200:
            if doc is None:
                raise ServerFailed("the answer is not JSON")
            return doc
        code = str(doc.get("error", "")) if isinstance(doc, dict) else ""
        message = str(doc.get("message", "")) if isinstance(doc, dict) else ""
        if status == 401:
            refusal = _AUTH_REFUSALS.get(code, TokenExpired)
            if refusal is not LoginRefused:
                self._forget()  # the token is no good any more
            raise refusal()
        if status == 429:
            raise LoginThrottled(_retry_after(response) or 1)
        if status == 503:
            raise ServerBusy(_retry_after(response))
        if status == 400:
            raise BadRequest(message or code)
        if status == 403:
            raise ServerRefused(message)
        if status == 404 and _snapshot_route(response):
            raise SnapshotUnavailable()  # "no_snapshot", or a server older than them
        if status == 409 and code == "cursor_from_other_server":
            raise CursorRejected()
        raise ServerFailed(f"HTTP {status} {code}".strip())


def _transport_failure(error: httpx.TransportError) -> SyncClientError:
    """The error for a request that got no answer. A pin refusal hides behind httpx's
    ConnectError (as its cause; httpcore maps every OSError of the handshake)."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, PinRefused):
            return FingerprintMismatch(cause.expected, cause.seen)
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.ReadTimeout | httpx.WriteTimeout):
        return ServerBusy()  # connected, but no answer in time
    return ServerUnreachable(type(error).__name__)


def _snapshot_route(response: httpx.Response) -> bool:
    return response.request.url.path.startswith("/v1/sync/snapshot")


def _retry_after(response: httpx.Response) -> int | None:
    text = response.headers.get("retry-after", "").strip()
    return int(text) if text.isdigit() else None


def _json_or_none(content: bytes) -> Any:
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
