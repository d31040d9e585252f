"""``boligsag server prune`` from the command line, beside a running server (the weekly
timer's command, installer/server/boligsag-server-prune.service): it says what it
removed (or, with --dry-run, would remove), a pull over HTTP returns the same rows
before and after, and the server's audit chain records the run."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select, text

from boligsag.services.server.accounts import ServerDb
from boligsag.storage.models import AuditEntry, SyncBatch, SyncChange

from .conftest import ADMIN, ADMIN_PASSWORD, Running, Setup, cli, logged_in


def _push(client: httpx.Client, headers: dict[str, str], change: dict) -> dict:
    response = client.post("/v1/sync/push", headers=headers, json={
        "batch_id": str(uuid.uuid4()), "changes": [change], "audit": []})
    assert response.status_code == 200, response.text
    answer: dict = response.json()
    return answer


def _pull_all(client: httpx.Client, headers: dict[str, str]) -> list[dict]:
    rows: list[dict] = []
    params: dict[str, str | int] = {"limit": 500}
    while True:
        page = client.get("/v1/sync/pull", headers=headers, params=params).json()
        rows.extend(page["rows"])
        if not page["more"]:
            return rows
        params = {"limit": 500, "cursor": page["cursor"]}


def _counts(server_db: ServerDb) -> tuple[int, int]:
    with server_db.read() as session:
        return (session.scalar(select(func.count()).select_from(SyncChange)) or 0,
                session.scalar(select(func.count()).select_from(SyncBatch)) or 0)


def test_prune_from_the_command_line_beside_a_running_server(
        running: Running, server_db: ServerDb, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = ["--config", str(running.setup.folder)]
    with running.client() as client:
        admin = logged_in(client, ADMIN, ADMIN_PASSWORD)
        person = str(uuid.uuid4())
        _push(client, admin.headers, {"table": "people", "uuid": person, "base_version": None,
                                      "deleted": False,
                                      "fields": {"first_name": "Amira", "last_name": "Hassan"}})
        _push(client, admin.headers, {"table": "people", "uuid": person, "base_version": 1,
                                      "deleted": False, "fields": {"phone": "20 11 22 33"}})
        before = _pull_all(client, admin.headers)
    # Everything so far made 200 days ago: the person's first version is old and
    # superseded, the two push results old.
    with server_db.write() as session:
        session.execute(text("UPDATE sync_changes SET at = at - interval '200 days'"))
        session.execute(text("UPDATE sync_batches SET received_at = received_at "
                             "- interval '200 days'"))
    changes, batches = _counts(server_db)
    capsys.readouterr()

    assert cli(["server", "prune", *folder, "--dry-run"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert out.startswith("Would remove 1 superseded change-log entries from before ")
    assert "and 2 push results from before " in out
    assert _counts(server_db) == (changes, batches)

    assert cli(["server", "prune", *folder], monkeypatch) == 0
    assert capsys.readouterr().out.startswith("Removed 1 superseded change-log entries")
    assert _counts(server_db) == (changes - 1, batches - 2)
    with running.client() as client:
        assert _pull_all(client, logged_in(client, ADMIN, ADMIN_PASSWORD).headers) == before
    with server_db.read() as session:
        (entry,) = session.scalars(select(AuditEntry).where(
            AuditEntry.detail.like("pruned %"))).all()
    assert (entry.username, entry.action) == ("server-admin", "delete")
    assert entry.detail == ("pruned 1 superseded change-log entries older than 180 days "
                            "and 2 push results older than 30 days")


def test_an_age_of_zero_days_is_refused(setup: Setup, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = ["--config", str(setup.folder)]
    capsys.readouterr()
    assert cli(["server", "prune", *folder, "--batches-days", "0"], monkeypatch) == 1
    assert "--batches-days must be a whole number of days from 1 to 36500." in \
        capsys.readouterr().err
