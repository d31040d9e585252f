"""The scope rules through the sync engine (services/sync/pull.py, push.py) on
PostgreSQL: a pull as each role delivers exactly that role's rows of the team's data
set (sync_scope_world.py), and a push holding something the role must not write is
refused whole, with nothing applied."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.services.sync import pull as pull_module
from boligsag.services.sync import push as push_module
from boligsag.services.sync.errors import BadBatch, Refused
from boligsag.storage.models import Base, SyncBatch, SyncChange

from .sync_scope_world import EXPECTED, NOW, ROLES, World, world_fixture  # noqa: F401

SECRET = bytes(range(32))
NEW = "5d0c9e8a-7b6f-4e3d-9c2b-1a0f9e8d7c6b"


def _pull_all(world: World, who: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        with world.db.reading() as session:
            page = pull_module.pull(session, world.actors[who], cursor, 7)  # several pages
        rows.extend(page["rows"])
        cursor = page["cursor"]
        if not page["more"]:
            return rows


def _uuids_in(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(field, string) for every string anywhere in a row's fields."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for k, v in value.items()
                for found in _uuids_in(v, path or k)]
    if isinstance(value, list):
        return [found for v in value for found in _uuids_in(v, path)]
    return []


@pytest.mark.parametrize("who", ROLES)
def test_a_pull_as_each_role_delivers_exactly_its_rows(world: World, who: str) -> None:
    rows = _pull_all(world, who)
    pulled: dict[str, set[str]] = {}
    for row in rows:
        pulled.setdefault(row["table"], set()).add(world.labels[row["uuid"]])
    assert pulled == {table: labels for table, labels in EXPECTED[who].items() if labels}
    assert len(rows) == sum(len(labels) for labels in pulled.values())  # each row once


@pytest.mark.parametrize("who", ROLES)
def test_pulled_rows_name_no_row_out_of_scope(world: World, who: str) -> None:
    """A field holding another row's uuid names a row the role also receives; a
    session's attendance too, which carries only the ticks of participants the role
    sees (people_lists.py): anna does not see r_a on the mentoring session, carl not
    p_a."""
    allowed = {world.uuids[label] for labels in EXPECTED[who].values() for label in labels}
    out_of_scope = {(row["table"], field, world.labels[value])
                    for row in _pull_all(world, who)
                    for field, value in _uuids_in(row["fields"])
                    if value in world.labels and value not in allowed}
    assert out_of_scope == set()


def _edit(world: World, table: str, label: str, **fields: Any) -> dict[str, Any]:
    return {"table": table, "uuid": world.uuids[label], "base_version": 1, "deleted": False,
            "fields": fields}


def _create(table: str, **fields: Any) -> dict[str, Any]:
    return {"table": table, "uuid": NEW, "base_version": None, "deleted": False,
            "fields": fields}


def _log_size(world: World) -> tuple[int, int]:
    with world.db.reading() as session:
        return (session.scalar(select(func.count()).select_from(SyncChange)) or 0,
                session.scalar(select(func.count()).select_from(SyncBatch)) or 0)


def _version(world: World, table: str, label: str) -> int:
    t = Base.metadata.tables[table]
    with world.db.reading() as session:
        return session.scalar(select(t.c.version).where(t.c.uuid == world.uuids[label]))


# (who, a change in their scope, the forbidden change, its label or None (new), reason)
REFUSED = [
    ("anna", ("people", "p_a"), ("people", "p_b", {"note": "x"}), "outside your scope"),
    ("anna", ("people", "p_a"), ("people", "r_a", {"note": "x"}), "outside your scope"),
    ("anna", ("people", "p_a"), ("contacts", None, {"people": ["p_b"]}),
     "people names a person outside your scope"),
    ("carl", ("people", "r_a"), ("people", "r_a_anna", {"note": "x"}), "outside your scope"),
    ("carl", ("people", "r_a"), ("referrals", None, {"person": "p_a"}),
     "person is outside your scope"),
    ("vera", ("contacts", "nm_vera"), ("people", None, {"first_name": "Ny"}),
     "a volunteer may not change people"),
    ("vera", ("contacts", "nm_vera"), ("contacts", "nm_villy_a", {"note": "x"}),
     "outside your scope"),
    ("vera", ("contacts", "nm_vera"), ("contacts", None, {"kind": "network_mother",
                                                          "staff_user": "villy"}),
     "a volunteer may only write forms in their own name"),
    ("lead", ("people", "r_a"), ("users", "anna", {"role": "administrator"}),
     "users cannot be pushed through sync"),
    ("admin", ("people", "r_a"), ("users", None, {"username": "ny"}),
     "users cannot be pushed through sync"),
    ("anna", ("people", "p_a"), ("users", "anna", {"full_name": "Anna Admin"}),
     "users cannot be pushed through sync"),
]


@pytest.mark.parametrize(("who", "allowed", "forbidden", "reason"), REFUSED,
                         ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)])
def test_a_forbidden_push_is_refused_whole(world: World, who: str, allowed: tuple[str, str],
                                           forbidden: tuple[str, str | None, dict[str, Any]],
                                           reason: str) -> None:
    table, label, fields = forbidden
    resolved = {name: ([world.uuids[v] for v in value] if isinstance(value, list)
                       else world.uuids.get(value, value) if isinstance(value, str) else value)
                for name, value in fields.items()}
    change = (_edit(world, table, label, **resolved) if label is not None
              else _create(table, **resolved))
    fine = _edit(world, *allowed, note="changed in the same batch")
    before = _log_size(world)
    batch = {"batch_id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910", "changes": [fine, change],
             "audit": []}
    with pytest.raises(Refused) as refused, world.db.writing(None) as session:
        push_module.push(session, world.actors[who], batch, audit_key=SECRET, now=NOW)
    assert refused.value.message == f"{table} {change['uuid']}: {reason}"
    assert _log_size(world) == before  # no change logged, no batch remembered
    assert _version(world, *allowed) == 1  # the allowed change was not applied either


def test_settings_do_not_travel_at_all(world: World) -> None:
    batch = {"batch_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "audit": [],
             "changes": [_create("settings", key="logo")]}
    with pytest.raises(BadBatch), world.db.writing(None) as session:
        push_module.push(session, world.actors["admin"], batch, audit_key=SECRET, now=NOW)


def test_a_volunteer_gets_colleagues_names_and_roles_but_not_their_contact_details(
        world: World) -> None:
    """Staff print letters naming a colleague's phone and e-mail, so their laptops get
    them; a volunteer's laptop shows who wrote what and nothing more (scope.hidden_fields)."""
    private = {"phone", "email", "title"}
    for who, expected in (("vera", set()), ("anna", private), ("lead", private)):
        users = [row for row in _pull_all(world, who) if row["table"] == "users"]
        assert users, who
        for row in users:
            assert {"username", "full_name", "role"} <= row["fields"].keys()
            assert row["fields"].keys() & private == expected, who
