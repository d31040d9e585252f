"""A login, a push and a pull with plain httpx, through two server instances on one
database (issue 11 §2: stateless), each request that carries person data audited."""

from __future__ import annotations

import logging
import time
import uuid

import httpx
import pytest
from sqlalchemy import select

from boligsag.server import sync_calls
from boligsag.services.server.accounts import ServerDb
from boligsag.storage.models import AuditEntry, Service

from .conftest import ADMIN, ADMIN_PASSWORD, AREA, STAFF, Running, Setup, logged_in, serving


def _area_uuid(client: httpx.Client, headers: dict[str, str]) -> str:
    page = client.get("/v1/sync/pull", headers=headers, params={"limit": 500}).json()
    areas = [row for row in page["rows"] if row["table"] == "areas"]
    assert areas, page
    return str(areas[0]["uuid"])


def _pull_all(client: httpx.Client, headers: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    cursor = None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/sync/pull", headers=headers, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += page["rows"]
        cursor = page["cursor"]
        if not page["more"]:
            return rows


def test_a_push_through_one_instance_is_pulled_through_another(
        running: Running, setup: Setup, server_db: ServerDb) -> None:
    with serving(setup) as second, running.client() as a, second.client() as b:
        admin = logged_in(a, ADMIN, ADMIN_PASSWORD)
        staff = logged_in(a)
        area = _area_uuid(a, admin.headers)
        person = str(uuid.uuid4())
        batch = {"batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
            "table": "people", "uuid": person, "base_version": None, "deleted": False,
            "fields": {"first_name": "Amira", "last_name": "Hassan", "area": area}}]}
        pushed = a.post("/v1/sync/push", headers=admin.headers, json=batch)
        assert pushed.status_code == 200, pushed.text
        assert pushed.json()["applied"] == [{"table": "people", "uuid": person, "version": 1}]
        again = b.post("/v1/sync/push", headers=admin.headers, json=batch)  # token from A
        assert again.json() == pushed.json()  # the same batch twice changes nothing
        rows = _pull_all(b, staff.headers)  # Mette works in that area
        people = [row for row in rows if row["table"] == "people"]
        assert [(p["uuid"], p["fields"]["first_name"]) for p in people] == [(person, "Amira")]
        # The accounts and the area server init and add-user made reach laptops too,
        # without anything of the server passwords.
        users = {row["fields"]["username"]: row for row in rows if row["table"] == "users"}
        assert set(users) == {ADMIN, STAFF}
        assert not any("password" in name for row in users.values() for name in row["fields"])
        assert [r["fields"]["name"] for r in rows if r["table"] == "areas"] == [AREA]
        # So does the starter catalogue of services that server init loaded.
        with server_db.db.reading() as session:
            catalogue = set(session.scalars(select(Service.uuid)))
        assert catalogue and {r["uuid"] for r in rows if r["table"] == "services"} == catalogue
    with server_db.db.reading() as session:
        details = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "sync").order_by(AuditEntry.id)).all()
    pushes = [d for d in details if d.startswith("push ")]
    assert pushes == [f"push 1 changes, 0 conflicts, batch {batch['batch_id']}"] * 2
    assert details[0].startswith("pull ")  # the admin's first pull (areas, users)
    assert any(d.startswith("pull ") and "people 1" in d for d in details)


def test_bad_and_refused_batches_get_400_and_403(http: httpx.Client) -> None:
    staff = logged_in(http)
    bad = http.post("/v1/sync/push", headers=staff.headers, content=b"{not json")
    assert bad.status_code == 400 and bad.json()["error"] == "bad_request"
    malformed = http.post("/v1/sync/push", headers=staff.headers,
                          json={"batch_id": "x", "changes": "no"})
    assert malformed.status_code == 400
    refused = http.post("/v1/sync/push", headers=staff.headers, json={
        "batch_id": str(uuid.uuid4()), "audit": [], "changes": [{
            "table": "users", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": {"username": "x", "full_name": "X", "role": "staff"}}]})
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "refused"
    limit = http.get("/v1/sync/pull", headers=staff.headers, params={"limit": "0"})
    assert limit.status_code == 400


def test_a_cursor_from_another_server_gets_409_and_a_fresh_pull_works(
        http: httpx.Client) -> None:
    """The client is told to drop its position and pull everything again (after a
    restore, or when pointed at another organisation's server)."""
    staff = logged_in(http)
    first = http.get("/v1/sync/pull", headers=staff.headers, params={"limit": 50}).json()
    seq = first["cursor"].rsplit(".", 1)[1]
    elsewhere = f"c2.{uuid.uuid4()}.{seq}"
    response = http.get("/v1/sync/pull", headers=staff.headers,
                        params={"cursor": elsewhere, "limit": 50})
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "cursor_from_other_server"
    again = http.get("/v1/sync/pull", headers=staff.headers,
                     params={"cursor": first["cursor"], "limit": 50})
    assert again.status_code == 200, again.text


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


def test_an_unexpected_error_is_answered_500_and_logged_by_its_type_only(
        http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> dict:
        raise RuntimeError("Yasmin Abdirahman 0102851234")

    monkeypatch.setattr(sync_calls, "pull_page", broken)
    records = _Records()
    loggers = [logging.getLogger(), logging.getLogger("uvicorn"),
               logging.getLogger("uvicorn.error"), logging.getLogger("boligsag")]
    for logger in loggers:
        logger.addHandler(records)
    try:
        staff = logged_in(http)
        response = http.get("/v1/sync/pull", headers=staff.headers)
        # The server logs after the answer has gone out: wait for its line.
        deadline = time.monotonic() + 10
        while not any("unexpected error" in line for line in records.lines):
            assert time.monotonic() < deadline, records.lines
            time.sleep(0.01)
    finally:
        for logger in loggers:
            logger.removeHandler(records)
    assert (response.status_code, response.json()) == (500, {"error": "internal"})
    log = "\n".join(records.lines)
    assert "unexpected error (RuntimeError)" in log
    assert "Yasmin" not in log and "0102851234" not in log and "Traceback" not in log
