"""Who sees what, over HTTPS (issue 11 §2): one team server with two areas, a restricted
case and a user of every role; each role pulls exactly its people and gets 403 for a
push it must not make, with nothing applied."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from boligsag.cli import main
from boligsag.storage import keys

from ..conftest import CHEAP_KDF
from ..pg import PgCluster
from .conftest import ADMIN, ADMIN_PASSWORD, Running, Setup, logged_in, serving

AREA_A = "Ærtebjerg Øst"
AREA_B = "Søndergården"
PASSWORD = "et-langt-kodeord-til-test"
# username -> (role, areas); rikke works in B but is responsible for a restricted case in A
USERS = {"lene": ("team_lead", []), "mette": ("staff", [AREA_A]),
         "rikke": ("staff", [AREA_B]), "vera": ("volunteer", [])}


@dataclass
class Team:
    running: Running
    people: dict[str, str]  # first name -> uuid
    users: dict[str, str]  # username -> uuid


def _cli(argv: list[str], stdin: str) -> None:
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
        patch.setattr("sys.stdin", io.StringIO(stdin))
        assert main(argv) == 0, argv


def _pull_all(client: httpx.Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/sync/pull", headers=headers, params=params)
        assert response.status_code == 200, response.text
        rows += response.json()["rows"]
        cursor = response.json()["cursor"]
        if not response.json()["more"]:
            return rows


def _person(first: str, **fields: Any) -> dict[str, Any]:
    return {"table": "people", "uuid": str(uuid.uuid4()), "base_version": None,
            "deleted": False, "fields": {"first_name": first, "last_name": "Test", **fields}}


@pytest.fixture(scope="module")
def team(pg_cluster: PgCluster, migrated_template: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """Built once: the tests only pull, and push what is refused. Argon2id cheap, as
    tests/conftest.py's per-test ``cheap_kdf`` makes it (the hashes are made here)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
    name = pg_cluster.create_database(template=migrated_template)
    folder = tmp_path_factory.mktemp("scope") / "boligsag-server"
    _cli(["server", "init", pg_cluster.url(name), "--organisation", "Boligsocialt Hus",
          "--admin-name", "Åse Nørgaard", "--config", str(folder), "--area", AREA_A,
          "--area", AREA_B, "--plan", "Helhedsplan Nord", "--host", "127.0.0.1",
          "--password-stdin"], ADMIN_PASSWORD + "\n")
    for username, (role, areas) in USERS.items():
        area_args = [arg for area in areas for arg in ("--area", area)]
        _cli(["server", "add-user", username, "--name", username.title(), "--role", role,
              *area_args, "--config", str(folder), "--password-stdin"], PASSWORD + "\n")
    try:
        with serving(Setup("", folder, "")) as running, running.client() as client:
            admin = logged_in(client, ADMIN, ADMIN_PASSWORD)
            rows = _pull_all(client, admin.headers)
            areas = {r["fields"]["name"]: r["uuid"] for r in rows if r["table"] == "areas"}
            users = {r["fields"]["username"]: r["uuid"] for r in rows if r["table"] == "users"}
            changes = [_person("Amira", area=areas[AREA_A]), _person("Bilal", area=areas[AREA_B]),
                       _person("Rania", area=areas[AREA_A], restricted=True,
                               responsible_user=users["rikke"])]
            pushed = client.post("/v1/sync/push", headers=admin.headers, json={
                "batch_id": str(uuid.uuid4()), "audit": [], "changes": changes})
            assert pushed.status_code == 200, pushed.text
            people = {c["fields"]["first_name"]: c["uuid"] for c in changes}
            yield Team(running, people, users)
    finally:
        pg_cluster.drop_database(name)
        patch.undo()


def _edit(row_uuid: str, table: str = "people", **fields: Any) -> dict[str, Any]:
    return {"table": table, "uuid": row_uuid, "base_version": 1, "deleted": False,
            "fields": fields}


# who, the people they pull, a push they must not make (built from the team), its reason
CASES = [
    (ADMIN, {"Amira", "Bilal", "Rania"},
     lambda t: _edit(t.users["mette"], "users", role="administrator"),
     "users cannot be pushed through sync"),
    ("lene", {"Amira", "Bilal", "Rania"},
     lambda t: {**_edit(str(uuid.uuid4()), "areas", name="Nyt område"), "base_version": None},
     "a team_lead may not change areas"),
    ("mette", {"Amira"}, lambda t: _edit(t.people["Rania"], note="x"), "outside your scope"),
    ("rikke", {"Bilal", "Rania"}, lambda t: _edit(t.people["Amira"], note="x"),
     "outside your scope"),
    ("vera", set(), lambda t: _person("Ny"), "a volunteer may not change people"),
]


@pytest.mark.parametrize(("who", "sees", "forbidden", "reason"), CASES,
                         ids=[case[0] for case in CASES])
def test_each_role_pulls_its_people_and_gets_403_for_a_forbidden_push(
        team: Team, who: str, sees: set[str], forbidden: Any, reason: str) -> None:
    with team.running.client() as client:
        user = logged_in(client, who, ADMIN_PASSWORD if who == ADMIN else PASSWORD)
        rows = _pull_all(client, user.headers)
        assert {r["fields"]["first_name"] for r in rows if r["table"] == "people"} == sees

        change = forbidden(team)
        response = client.post("/v1/sync/push", headers=user.headers, json={
            "batch_id": str(uuid.uuid4()), "audit": [], "changes": [change]})
        assert response.status_code == 403, response.text
        assert response.json() == {"error": "refused",
                                   "message": f"{change['table']} {change['uuid']}: {reason}"}

        admin = logged_in(client, ADMIN, ADMIN_PASSWORD)
        after = {(r["table"], r["uuid"]): r["version"] for r in _pull_all(client, admin.headers)}
        assert after.get((change["table"], change["uuid"]), 1) == 1  # nothing applied
