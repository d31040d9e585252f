"""The laptop's connection to the team server (services/sync_client/transport.py)
against the real server over HTTPS: login, push, pull and holdings; the pinned
certificate refused before a password leaves the laptop; each refusal as its own error,
with an English text for the command line and a Danish one for the app; 503 and a
dropped connection tried again."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import pytest
from sqlalchemy import func, select

from boligsag.domain.enums import AuditAction
from boligsag.i18n import current_language, set_language
from boligsag.server import gate, holdings_calls
from boligsag.services.server.accounts import ServerDb
from boligsag.services.sync_client import errors
from boligsag.services.sync_client.transport import READ_TIMEOUT, ServerConnection
from boligsag.storage.models import AuditEntry, ServerLoginFailure

from .conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    STAFF,
    STAFF_PASSWORD,
    Running,
    Setup,
    cli,
    serving,
)

OTHER_FINGERPRINT = ":".join(["5A"] * 32)
Connect = Callable[..., ServerConnection]


@pytest.fixture
def danish() -> Iterator[None]:
    before = current_language()
    set_language("da")
    yield
    set_language(before)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def connect(running: Running, setup: Setup,
            waits: list[float]) -> Iterator[Callable[..., ServerConnection]]:
    made: list[ServerConnection] = []

    def make(fingerprint: str = setup.fingerprint, url: str = running.base_url,
             ) -> ServerConnection:
        made.append(ServerConnection(url, fingerprint, sleep=waits.append))
        return made[-1]

    yield make
    for connection in made:
        connection.close()


def _login(connection: ServerConnection, username: str = STAFF,
           password: str = STAFF_PASSWORD, device: str | None = None) -> str:
    device = device or str(uuid.uuid4())
    connection.login(username, password, device, "Bærbar 7")
    return device


def _pull_all(connection: ServerConnection) -> list[dict]:
    rows: list[dict] = []
    cursor = None
    while True:
        page = connection.pull(cursor, 100)
        rows += page["rows"]
        cursor = page["cursor"]
        if not page["more"]:
            return rows


def _login_traces(server_db: ServerDb) -> tuple[int, int]:
    """Audit entries of logins (good and failed) and throttle rows on the server."""
    with server_db.db.reading() as session:
        entries = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action.in_([AuditAction.LOGIN, AuditAction.LOGIN_FAILED])))
        throttled = session.scalar(select(func.count()).select_from(ServerLoginFailure))
    return int(entries or 0), int(throttled or 0)


def test_login_push_pull_and_holdings_through_the_pinned_connection(connect: Connect) -> None:
    admin = connect()
    answer = admin.login(ADMIN, ADMIN_PASSWORD, str(uuid.uuid4()), "Kontorets bærbare")
    assert answer.user["username"] == ADMIN and admin.logged_in
    area = next(r["uuid"] for r in _pull_all(admin) if r["table"] == "areas")
    person = str(uuid.uuid4())
    batch = {"batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
        "table": "people", "uuid": person, "base_version": None, "deleted": False,
        "fields": {"first_name": "Amira", "last_name": "Hassan", "area": area}}]}
    result = admin.push(batch)
    assert result["applied"] == [{"table": "people", "uuid": person, "version": 1}]
    assert admin.push(batch) == result  # idempotent by batch id

    staff = connect()
    _login(staff)
    people = [r for r in _pull_all(staff) if r["table"] == "people"]
    assert [(p["uuid"], p["fields"]["first_name"]) for p in people] == [(person, "Amira")]
    held = staff.holdings()
    assert "people" in held["tables"]
    listed = staff.holdings_list("people", [f"{n:02x}" for n in range(256)])
    assert listed == {"table": "people", "rows": [[person, 1]]}
    assert staff.fetch("people", [person])["rows"] == people


def test_a_wrong_fingerprint_is_refused_before_the_password_is_sent(
        connect: Connect, setup: Setup, server_db: ServerDb, caplog: pytest.LogCaptureFixture,
        danish: None) -> None:
    caplog.set_level(logging.INFO, logger="boligsag.server.requests")
    before = _login_traces(server_db)
    impostor = connect(OTHER_FINGERPRINT)
    with pytest.raises(errors.FingerprintMismatch) as refused:
        _login(impostor)
    assert refused.value.expected == OTHER_FINGERPRINT
    assert refused.value.seen == setup.fingerprint  # what the server really showed
    assert "does not match the fingerprint" in str(refused.value)
    assert "fingeraftryk" in refused.value.user_message()
    assert not impostor.logged_in
    with pytest.raises(errors.FingerprintMismatch):
        impostor.health()
    # The server never saw a login: no request, no counted attempt, no audit entry.
    assert "/v1/login" not in caplog.text and "/v1/health" not in caplog.text
    assert _login_traces(server_db) == before
    # The control: the same login through the right pin reaches the server.
    _login(connect())
    assert "POST /v1/login 200" in caplog.text
    assert _login_traces(server_db)[0] == before[0] + 1


def test_the_pin_is_typed_in_any_form_and_nonsense_is_refused(connect: Connect,
                                                              setup: Setup) -> None:
    plain = setup.fingerprint.replace(":", "").lower()
    connect(plain).health()
    with pytest.raises(errors.InvalidFingerprint):
        connect(plain[:-2])


def test_refusals_are_their_own_errors_in_english_and_danish(
        connect: Connect, setup: Setup, monkeypatch: pytest.MonkeyPatch, danish: None) -> None:
    connection = connect()
    with pytest.raises(errors.LoginRefused) as wrong:
        _login(connection, password="forkert-kodeord-igen")
    with pytest.raises(errors.LoginRefused) as unknown:
        _login(connection, username="ingen-saadan")
    assert str(wrong.value) == str(unknown.value)  # one answer for both
    assert "username or password" in str(wrong.value)
    assert wrong.value.user_message() == ("Teamserveren godkendte ikke brugernavnet "
                                          "eller adgangskoden.")
    with pytest.raises(errors.TokenExpired):  # not logged in: nothing is sent
        connection.pull(None, 10)

    device = _login(connection)
    connection.pull(None, 10)
    assert cli(["server", "revoke-device", device, "--config", str(setup.folder)],
               monkeypatch) == 0
    with pytest.raises(errors.DeviceRevoked) as revoked:
        connection.pull(None, 10)
    assert "fjernet denne computer" in revoked.value.user_message()
    assert not connection.logged_in
    with pytest.raises(errors.DeviceRevoked):  # the right password changes nothing
        _login(connection, device=device)

    other = connect()
    _login(other)
    assert cli(["server", "disable-user", STAFF, "--config", str(setup.folder)],
               monkeypatch) == 0
    with pytest.raises(errors.UserDisabled) as disabled:
        other.holdings()
    assert "deaktiveret" in disabled.value.user_message()


def test_a_bad_request_and_a_refusal(connect: Connect) -> None:
    staff = connect()
    _login(staff)
    with pytest.raises(errors.BadRequest) as bad:
        staff.push({"batch_id": "nej", "changes": [], "audit": []})
    assert "batch_id" in str(bad.value)
    with pytest.raises(errors.BadRequest):
        staff.pull(None, 10**9)
    # A staff member may not create an area (only an administrator may).
    with pytest.raises(errors.ServerRefused):
        staff.push({"batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
            "table": "areas", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": {"name": "Nyt område"}}]})


def test_an_expired_token_is_token_expired_and_the_client_does_not_log_in_again(
        setup: Setup, waits: list[float]) -> None:
    now = [1_900_000_000.0]
    with serving(setup, lambda: now[0]) as instance, \
            ServerConnection(instance.base_url, setup.fingerprint, sleep=waits.append) as c:
        answer = c.login(STAFF, STAFF_PASSWORD, str(uuid.uuid4()), "Bærbar 7")
        assert answer.expires_at == now[0] + 15 * 60
        c.holdings()
        now[0] += 15 * 60 + 1
        with pytest.raises(errors.TokenExpired):
            c.holdings()
        assert not c.logged_in
        with pytest.raises(errors.TokenExpired):  # nothing kept to log in with
            c.holdings()


def test_a_stopped_server_is_unreachable(setup: Setup, waits: list[float]) -> None:
    server = ExitStack()
    instance = server.enter_context(serving(setup))
    connection = ServerConnection(instance.base_url, setup.fingerprint, sleep=waits.append)
    try:
        _login(connection)
        connection.holdings()
        # Stopped from a thread: the server waits for this client's kept-alive connection
        # to close, which it does when its next request finds it closed by the server.
        stopping = threading.Thread(target=server.close)
        stopping.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                connection.holdings()  # answered until the server stops listening
            except errors.ServerUnreachable as error:
                assert "cannot be reached" in str(error)
                break
        else:
            pytest.fail("the stopped server still answered")
        stopping.join(10)
        assert not stopping.is_alive()
        with pytest.raises(errors.ServerUnreachable):
            ServerConnection(instance.base_url, setup.fingerprint).health()
    finally:
        connection.close()
        server.close()


def test_busy_is_tried_again_after_its_retry_after(
        connect: Connect, monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
    staff = connect()
    _login(staff)
    real = holdings_calls.holdings_digest
    busy_left = [1]

    def sometimes_busy(*args: object, **kwargs: object) -> object:
        if busy_left[0]:
            busy_left[0] -= 1
            raise gate.ServerBusy()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(holdings_calls, "holdings_digest", sometimes_busy)
    assert "tables" in staff.holdings()
    assert waits == [gate.RETRY_AFTER]
    busy_left[0] = 10
    with pytest.raises(errors.ServerBusy) as busy:
        staff.holdings()
    assert busy.value.retry_after == gate.RETRY_AFTER
    assert waits == [gate.RETRY_AFTER] * 3  # three sends in all, two waits between


@contextmanager
def dropping_server(setup: Setup, drops: int) -> Iterator[tuple[str, list[bytes]]]:
    """A TLS server with the team server's certificate that reads each request and, for
    the first ``drops`` connections, closes without an answer (as a server closing a
    kept-alive connection does), then answers an empty pull page."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(setup.config.cert_path, setup.config.key_path)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    seen: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            with context.wrap_socket(raw, server_side=True) as tls:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    request += chunk
                seen.append(request.split(b"\r\n", 1)[0])
                if len(seen) > drops:
                    body = b'{"rows": [], "cursor": "c1", "more": false}'
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                                % (len(body), body))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}", seen
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() waiting in the thread
        listener.close()
        thread.join(10)


def test_a_dropped_connection_is_tried_again_but_never_a_login(setup: Setup) -> None:
    with dropping_server(setup, drops=1) as (url, seen), \
            ServerConnection(url, setup.fingerprint) as connection:
        connection._token, connection.device_id = "t", str(uuid.uuid4())  # no login here
        assert connection.pull(None, 10)["cursor"] == "c1"
        assert [line.split(b"?")[0] for line in seen] == [b"GET /v1/sync/pull"] * 2
    with dropping_server(setup, drops=1) as (url, seen), \
            ServerConnection(url, setup.fingerprint) as connection:
        with pytest.raises(errors.ServerUnreachable):
            _login(connection)
        assert seen == [b"POST /v1/login HTTP/1.1"]  # the password went once, not twice


def test_the_read_timeout_outlasts_the_servers_queue_wait() -> None:
    assert READ_TIMEOUT == gate.CLIENT_TIMEOUT > gate.MAX_QUEUE_WAIT


def _held_by_frames(error: BaseException, secret: str) -> list[str]:
    """Names of the traceback frames whose locals hold ``secret`` (text or encoded)."""
    found = []
    chain: BaseException | None = error
    while chain is not None:
        tb = chain.__traceback__
        while tb is not None:
            for value in tb.tb_frame.f_locals.values():
                if (isinstance(value, str) and secret in value) or (
                        isinstance(value, bytes) and secret.encode() in value):
                    found.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        chain = chain.__cause__ or chain.__context__
    return found


def test_a_failed_login_keeps_no_password_in_its_error(connect: Connect,
                                                        setup: Setup) -> None:
    password = "et-forkert-kodeord-" + uuid.uuid4().hex
    with pytest.raises(errors.LoginRefused) as wrong:
        _login(connect(), password=password)
    with dropping_server(setup, drops=1) as (url, _seen), \
            ServerConnection(url, setup.fingerprint) as dropping, \
            pytest.raises(errors.ServerUnreachable) as dropped:
        dropping.login(STAFF, password, str(uuid.uuid4()), "Bærbar 7")
    with pytest.raises(errors.FingerprintMismatch) as pinned:
        _login(connect(OTHER_FINGERPRINT), password=password)
    for caught in (wrong, dropped, pinned):
        # Only the test's own frame (which typed it) holds it, not the client's.
        assert set(_held_by_frames(caught.value, password)) <= {
            "test_a_failed_login_keeps_no_password_in_its_error", "_login"}
        assert caught.value.__context__ is None and caught.value.__cause__ is None
