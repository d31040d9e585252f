"""Logging in to the team server over HTTPS: tokens, the throttle, and the refusals a
client meets at its next request (issue 11 §2 "Authentication")."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from boligsag.services.server import login as server_login
from boligsag.services.server.accounts import ServerDb
from boligsag.storage import kdf

from .conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    STAFF,
    STAFF_PASSWORD,
    Setup,
    cli,
    headers,
    logged_in,
    login,
    serving,
)


def _pull(client: httpx.Client, token: str, device: str) -> httpx.Response:
    return client.get("/v1/sync/pull", headers=headers(token, device))


def test_health_answers_without_a_login(http: httpx.Client) -> None:
    response = http.get("/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_gives_a_token_that_opens_the_sync_routes(http: httpx.Client) -> None:
    device = str(uuid.uuid4())
    response = login(http, device=device)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["username"] == STAFF and body["user"]["role"] == "staff"
    assert body["user"]["full_name"] == "Mette Holm"
    assert set(body["user"]) == {"uuid", "username", "full_name", "role"}
    assert 14 * 60 <= body["expires_at"] - time.time() <= 15 * 60
    assert _pull(http, body["token"], device).status_code == 200
    refused = http.get("/v1/sync/pull", headers={"X-Boligsag-Device": device})
    assert refused.status_code == 401 and refused.json() == {"error": "unauthenticated"}


def test_unknown_user_and_wrong_password_get_the_same_answer_after_the_same_work(
        http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str] = []
    real_verify = kdf.phc_verify

    def counting(password: str, stored: str) -> bool:
        verified.append(stored)
        return real_verify(password, stored)

    monkeypatch.setattr(kdf, "phc_verify", counting)
    wrong = login(http, STAFF, "not-her-password")
    unknown_verified = len(verified)
    assert unknown_verified == 1
    unknown = login(http, "nobody-here", "not-her-password")
    assert len(verified) == 2  # one Argon2id run each (a dummy hash for the unknown name)
    assert verified[0] != verified[1]
    assert (wrong.status_code, wrong.content) == (unknown.status_code, unknown.content)
    assert wrong.status_code == 401
    assert set(wrong.headers) - {"date", "content-length"} == \
        set(unknown.headers) - {"date", "content-length"}


def test_repeated_failures_are_throttled_like_on_a_laptop(still: httpx.Client) -> None:
    # Two free failures, then a pause (storage/throttle.py: 1 s after the third).
    statuses = [login(still, STAFF, "wrong-password-1").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    throttled = login(still, STAFF, STAFF_PASSWORD)
    assert throttled.status_code == 429
    assert throttled.json()["error"] == "throttled"
    assert throttled.headers["Retry-After"] == "1"
    # Another name is not held back by Mette's failures.
    assert login(still, ADMIN, ADMIN_PASSWORD).status_code == 200


def test_an_unknown_name_is_throttled_like_a_known_one(still: httpx.Client) -> None:
    for _ in range(3):
        assert login(still, "nobody-here", "x" * 12).status_code == 401
    assert login(still, "nobody-here", "x" * 12).status_code == 429


def test_parallel_tries_of_one_name_get_no_extra_free_guesses(still: httpx.Client) -> None:
    """Eight wrong passwords sent at once: they are settled one at a time, so only the
    two free failures and the third are checked; the rest wait out the pause (429)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(lambda _: login(still, STAFF, "gæt-nummer-x").status_code,
                                   range(8)))
    assert statuses == [401] * 3 + [429] * 5


def test_an_expired_token_is_refused(http: httpx.Client, setup: Setup) -> None:
    session = logged_in(http)
    user_uuid = http.post("/v1/login", json={
        "username": STAFF, "password": STAFF_PASSWORD, "device_id": session.device,
    }).json()["user"]["uuid"]
    secret = setup.config.secret_path.read_bytes()
    old, _ = server_login.issue_token(secret, user_uuid, session.device,
                                      now=time.time() - server_login.TOKEN_LIFETIME - 1)
    response = _pull(http, old, session.device)
    assert (response.status_code, response.json()) == (401, {"error": "token_expired"})


def test_a_token_is_refused_from_another_device_or_when_forged(http: httpx.Client) -> None:
    session = logged_in(http)
    other_device = str(uuid.uuid4())
    assert login(http, device=other_device).status_code == 200  # a known device too
    response = _pull(http, session.token, other_device)
    assert (response.status_code, response.json()) == (401, {"error": "unauthenticated"})
    payload, _, mac = session.token.partition(".")
    forged = _pull(http, f"{payload}.{mac[:-2]}AA", session.device)
    assert (forged.status_code, forged.json()) == (401, {"error": "unauthenticated"})


def test_a_disabled_user_is_refused_at_the_next_request(
        http: httpx.Client, setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    session = logged_in(http)
    assert _pull(http, session.token, session.device).status_code == 200
    assert cli(["server", "disable-user", STAFF, "--config", str(setup.folder)],
               monkeypatch) == 0
    response = _pull(http, session.token, session.device)
    assert (response.status_code, response.json()) == (401, {"error": "user_disabled"})
    again = login(http)
    assert (again.status_code, again.json()) == (401, {"error": "user_disabled"})
    # The laptops learn it at their next pull (the change is in the sync log).
    admin = logged_in(http, ADMIN, ADMIN_PASSWORD)
    rows = http.get("/v1/sync/pull", headers=admin.headers, params={"limit": 100}).json()
    mette = [r for r in rows["rows"] if r["table"] == "users"
             and r["fields"]["username"] == STAFF]
    assert [(r["fields"]["active"], r["version"]) for r in mette] == [(False, 2)]


def test_ssp_access_set_on_the_server_holds_at_the_next_request(
        http: httpx.Client, setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    session = logged_in(http)
    assert _pull(http, session.token, session.device).json()["ssp_access"] is False
    folder = ["--config", str(setup.folder)]
    assert cli(["server", "set-ssp", STAFF, "on", *folder], monkeypatch) == 0
    assert "may now read SSP-locked notes" in capsys.readouterr().out
    page = _pull(http, session.token, session.device).json()
    assert page["ssp_access"] is True  # the same token: read at each request
    mette = [r for r in page["rows"] if r["table"] == "users"
             and r["fields"]["username"] == STAFF]
    assert [r["fields"]["ssp_access"] for r in mette] == [True]
    assert cli(["server", "set-ssp", STAFF, "off", *folder], monkeypatch) == 0
    assert _pull(http, session.token, session.device).json()["ssp_access"] is False


def test_a_revoked_device_is_refused_at_the_next_request_and_cannot_log_in(
        http: httpx.Client, setup: Setup, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    session = logged_in(http)
    spare = logged_in(http)
    assert cli(["server", "devices", "--config", str(setup.folder)], monkeypatch) == 0
    listing = capsys.readouterr().out
    assert session.device in listing and spare.device in listing and "Bærbar 7" in listing
    assert cli(["server", "revoke-device", session.device, "--config", str(setup.folder)],
               monkeypatch) == 0
    response = _pull(http, session.token, session.device)
    assert (response.status_code, response.json()) == (401, {"error": "device_revoked"})
    again = login(http, device=session.device)
    assert (again.status_code, again.json()) == (401, {"error": "device_revoked"})
    assert _pull(http, spare.token, spare.device).status_code == 200  # only that laptop


def test_logins_are_audited_without_the_typed_name_of_a_failure(
        http: httpx.Client, server_db: ServerDb) -> None:
    from sqlalchemy import select

    from boligsag.storage.models import AuditEntry

    logged_in(http)
    assert login(http, "Kodeord123-typed-as-name", "whatever-it-is").status_code == 401
    with server_db.db.reading() as session:
        entries = session.execute(select(AuditEntry.action, AuditEntry.username,
                                         AuditEntry.detail)).all()
    actions = [str(entry.action) for entry in entries]
    assert "login" in actions and "login_failed" in actions
    assert not any("Kodeord123" in f"{entry.username} {entry.detail}" for entry in entries)


def test_failures_through_one_instance_hold_back_the_next_try_on_another(
        setup: Setup) -> None:
    frozen = time.time()
    with serving(setup, lambda: frozen) as first, serving(setup, lambda: frozen) as second, \
            first.client() as a, second.client() as b:
        for _ in range(3):
            assert login(a, STAFF, "wrong-password-1").status_code == 401
        assert login(b, STAFF, STAFF_PASSWORD).status_code == 429
