"""A login's Argon2id check (about half a second) holds no database connection and no
lock: a burst of logins leaves the connections to the syncs, and parallel wrong guesses
at one name each count (services/server/login.py: begin, verify, finish)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from boligsag.server import gate
from boligsag.services.server.accounts import ServerDb
from boligsag.services.server.login import username_key
from boligsag.storage import kdf
from boligsag.storage.models import ServerLoginFailure

from .conftest import STAFF, STAFF_PASSWORD, Setup, logged_in, login, serving
from .test_server_load import with_connections

WAIT = 20  # seconds: far longer than any step here needs


def guess(client: httpx.Client, username: str) -> httpx.Response:
    with client:
        return login(client, username, "forkert-kode-her")


def test_logins_checking_passwords_leave_the_database_to_a_sync(
        setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    # One connection, and a request that finds no turn within 2 s is answered 503 busy.
    with_connections(setup, 1, queue_wait_seconds=2)
    real_verify = kdf.phc_verify
    checking = threading.Event()
    release = threading.Event()

    def held(password: str, stored: str) -> bool:
        checking.set()
        release.wait(WAIT)
        return real_verify(password, stored)

    with serving(setup) as running, running.client() as client:
        staff = logged_in(client)
        monkeypatch.setattr(kdf, "phc_verify", held)
        with ThreadPoolExecutor(3) as pool:
            logins = [pool.submit(guess, running.client(), f"gæst-{n}") for n in range(3)]
            try:
                assert checking.wait(WAIT), "no login reached its password check"
                # Logins are checking passwords (before, each held the one connection
                # meanwhile); a laptop's pull gets its turn and its rows.
                pulled = client.get("/v1/sync/pull", headers=staff.headers, timeout=10)
            finally:
                release.set()
            answers = [f.result(timeout=WAIT) for f in logins]
    assert pulled.status_code == 200, pulled.text
    assert [a.status_code for a in answers] == [401] * 3


def test_parallel_wrong_passwords_each_count_and_the_pause_still_holds(
        still: httpx.Client, server_db: ServerDb, monkeypatch: pytest.MonkeyPatch) -> None:
    real_verify = kdf.phc_verify
    together = threading.Barrier(2, timeout=WAIT)
    calls: list[str] = []

    def side_by_side(password: str, stored: str) -> bool:
        calls.append(stored)
        if len(calls) <= 2:
            together.wait()  # the first two checks run at the same time, or fail here
        return real_verify(password, stored)

    monkeypatch.setattr(kdf, "phc_verify", side_by_side)
    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(lambda _: login(still, STAFF, "gæt-nummer-x").status_code,
                                 range(2)))
    assert statuses == [401, 401]
    with server_db.read() as session:
        failures = session.scalar(select(ServerLoginFailure.failures).where(
            ServerLoginFailure.username_key == username_key(server_db.secret, STAFF)))
    assert failures == 2  # both counted, though checked side by side
    # The third failure starts the pause (storage/throttle.py: 1 s), which holds even
    # for the right password.
    assert login(still, STAFF, "gæt-nummer-y").status_code == 401
    throttled = login(still, STAFF, STAFF_PASSWORD, device=str(uuid.uuid4()))
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "1")
    assert len(calls) == 3  # the refused try checked no password


def test_a_login_answered_busy_was_not_counted(
        setup: Setup, server_db: ServerDb, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every password check is taken (held here); the next login waits for one, not
    for the database, and after the queue wait is answered 503 busy without having
    been counted against the name: the laptop's retry is not a failure."""
    with_connections(setup, 2, queue_wait_seconds=1)
    real_verify = kdf.phc_verify
    checking = threading.Semaphore(0)
    release = threading.Event()

    def held(password: str, stored: str) -> bool:
        checking.release()
        release.wait(WAIT)
        return real_verify(password, stored)

    monkeypatch.setattr(kdf, "phc_verify", held)
    with serving(setup) as running, running.client() as client, \
            ThreadPoolExecutor(gate.PASSWORD_CHECKS) as pool:
        holders = [pool.submit(guess, running.client(), f"gæst-{n}")
                   for n in range(gate.PASSWORD_CHECKS)]
        try:
            for _ in holders:
                assert checking.acquire(timeout=WAIT), "a login never reached its check"
            busy = login(client, STAFF, STAFF_PASSWORD)
        finally:
            release.set()
        assert [h.result(timeout=WAIT).status_code for h in holders] == \
            [401] * gate.PASSWORD_CHECKS
    assert (busy.status_code, busy.json()["error"]) == (503, "busy")
    with server_db.read() as session:
        counted = session.scalar(select(ServerLoginFailure.failures).where(
            ServerLoginFailure.username_key == username_key(server_db.secret, STAFF)))
    assert counted is None
