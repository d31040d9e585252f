"""A laptop's comparison of its holdings over HTTPS (server/holdings_calls.py): the
digest, a listing and a fetch, each answering only inside the caller's scope, audited
when it returns anything about people, refused like a push or pull when the caller or
the request is not right; and the pull page's ``rescope`` flag."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.services.server import accounts as server_accounts
from boligsag.services.server.accounts import ServerDb
from boligsag.services.sync.holdings_digest import digest
from boligsag.storage.models import AuditEntry

from .conftest import ADMIN, ADMIN_PASSWORD, STAFF, logged_in

ALL_BUCKETS = [f"{n:02x}" for n in range(256)]


def _pages(client: httpx.Client, headers: dict[str, str],
           cursor: str | None = None) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/sync/pull", headers=headers, params=params)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["cursor"]
        if not pages[-1]["more"]:
            return pages


def _people(client: httpx.Client, admin: dict[str, str]) -> dict[str, str]:
    """Amira in the staff member's area, Bilal in none: first name -> uuid."""
    rows = [row for page in _pages(client, admin) for row in page["rows"]]
    area = next(row["uuid"] for row in rows if row["table"] == "areas")
    people = {"Amira": str(uuid.uuid4()), "Bilal": str(uuid.uuid4())}
    changes = [{"table": "people", "uuid": people["Amira"], "base_version": None,
                "deleted": False, "fields": {"first_name": "Amira", "last_name": "Hassan",
                                             "area": area}},
               {"table": "people", "uuid": people["Bilal"], "base_version": None,
                "deleted": False, "fields": {"first_name": "Bilal", "last_name": "Ali"}}]
    pushed = client.post("/v1/sync/push", headers=admin, json={
        "batch_id": str(uuid.uuid4()), "audit": [], "changes": changes})
    assert pushed.status_code == 200, pushed.text
    return people


def _sync_audit(server_db: ServerDb) -> list[str]:
    with server_db.db.reading() as session:
        return list(session.scalars(select(AuditEntry.detail).where(
            AuditEntry.entity == "sync").order_by(AuditEntry.id)))


def test_holdings_listing_and_fetch_of_a_staff_member_audited_before_the_answer(
        http: httpx.Client, server_db: ServerDb) -> None:
    admin = logged_in(http, ADMIN, ADMIN_PASSWORD)
    people = _people(http, admin.headers)
    staff = logged_in(http)
    pages = _pages(http, staff.headers)
    assert pages[0]["rescope"] is True  # a first page: the server cannot know her replica
    amira = next(row for page in pages for row in page["rows"] if row["table"] == "people")
    assert amira["uuid"] == people["Amira"]
    again = _pages(http, staff.headers, pages[-1]["cursor"])
    assert [(p["rows"], p["rescope"]) for p in again] == [([], False)]  # nothing moved

    before = _sync_audit(server_db)
    digest_answer = http.get("/v1/sync/holdings", headers=staff.headers)
    assert digest_answer.status_code == 200, digest_answer.text
    held = digest_answer.json()
    assert held["cursor"] == pages[-1]["cursor"]
    assert held["tables"]["people"] == {
        name: list(pair) for name, pair in digest([(people["Amira"], 1)]).items()}
    assert _sync_audit(server_db) == before  # counts and hashes: no entry

    listed = http.post("/v1/sync/holdings/list", headers=staff.headers,
                       json={"table": "people", "buckets": ALL_BUCKETS})
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"table": "people", "rows": [[people["Amira"], 1]]}
    fetched = http.post("/v1/sync/fetch", headers=staff.headers, json={
        "table": "people", "uuids": [people["Bilal"], people["Amira"], str(uuid.uuid4())]})
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == {"table": "people", "rows": [amira]}  # as the pull sent it
    assert _sync_audit(server_db)[len(before):] == ["holdings list people 1 rows",
                                                    "fetch people 1 rows"]


def test_a_volunteer_learns_nothing_of_a_person_not_even_that_they_exist(
        http: httpx.Client, server_db: ServerDb) -> None:
    admin = logged_in(http, ADMIN, ADMIN_PASSWORD)
    people = _people(http, admin.headers)
    server_accounts.add_user(server_db, "vera", full_name="Vera Frivillig",
                             role=Role.VOLUNTEER, password="veras-lange-kodeord")
    vera = logged_in(http, "vera", "veras-lange-kodeord")
    held = http.get("/v1/sync/holdings", headers=vera.headers).json()
    assert set(held["tables"]) <= {"areas", "users", "plans", "services", "activities"}
    before = _sync_audit(server_db)
    answers = [http.post("/v1/sync/fetch", headers=vera.headers,
                         json={"table": "people", "uuids": [wanted]})
               for wanted in (people["Amira"], str(uuid.uuid4()))]
    assert [(a.status_code, a.json()) for a in answers] == [
        (200, {"table": "people", "rows": []})] * 2  # a person and nobody look the same
    listed = http.post("/v1/sync/holdings/list", headers=vera.headers,
                       json={"table": "people", "buckets": ALL_BUCKETS})
    assert listed.json() == {"table": "people", "rows": []}
    assert _sync_audit(server_db) == before  # nothing returned, nothing to audit


def test_refusals_are_those_of_push_and_pull(http: httpx.Client,
                                             server_db: ServerDb) -> None:
    staff = logged_in(http)
    calls = [("GET", "/v1/sync/holdings", None),
             ("POST", "/v1/sync/holdings/list", {"table": "people", "buckets": ["00"]}),
             ("POST", "/v1/sync/fetch", {"table": "people", "uuids": []})]
    for method, path, body in calls:
        answer = http.request(method, path, headers=staff.headers, json=body)
        assert answer.status_code == 200, (path, answer.text)
        bare = http.request(method, path, json=body)
        assert (bare.status_code, bare.json()) == (401, {"error": "unauthenticated"}), path
        elsewhere = http.request(method, path, json=body, headers={
            **staff.headers, "X-Boligsag-Device": str(uuid.uuid4())})
        assert elsewhere.status_code == 401, path
    bad = [("/v1/sync/holdings/list", b"{not json", "the body is not JSON"),
           ("/v1/sync/holdings/list", b"[]", "the body must be an object"),
           ("/v1/sync/holdings/list", b'{"table": "settings", "buckets": ["00"]}',
            "table: expected the name of a synced table"),
           ("/v1/sync/holdings/list", b'{"table": "people", "buckets": ["AB"]}',
            "buckets: expected a list of 1 to 256 bucket names (two lower-case hex "
            "digits each)"),
           ("/v1/sync/fetch", b'{"table": "people", "uuids": "all"}',
            "uuids: expected a list of at most 5000 uuids"),
           ("/v1/sync/fetch", b'{"uuids": []}', "table: expected the name of a synced table")]
    for path, body, message in bad:
        answer = http.post(path, headers=staff.headers, content=body)
        assert (answer.status_code, answer.json()) == (
            400, {"error": "bad_request", "message": message}), path
    server_accounts.disable_user(server_db, STAFF)
    for method, path, body in calls:
        answer = http.request(method, path, headers=staff.headers, json=body)
        assert (answer.status_code, answer.json()) == (401, {"error": "user_disabled"}), path
