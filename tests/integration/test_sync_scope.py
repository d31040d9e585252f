"""Who sees and who may push what on the team server (services/sync/scope.py), on a
PostgreSQL database holding one small team (sync_scope_world.py): for each role, exactly
the rows of every table it may pull, and a refusal for every push it must not make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from boligsag.services.sync import wire
from boligsag.services.sync.scope import (
    NEVER_PUSHED,
    WRITE_PERMISSION,
    may_write,
    may_write_all,
    visible,
    visible_condition,
)
from boligsag.services.sync.wire_tables import NOT_SYNCED
from boligsag.storage.models import Base

from .sync_scope_world import EXPECTED, ROLES, World, world_fixture  # noqa: F401

Change = Callable[[World], dict[str, Any]]
NEW = "0b5f2a4e-8c1d-4f7a-9e2b-3c4d5e6f7a8b"  # a uuid no row has yet


@pytest.mark.parametrize("who", ROLES)
def test_each_role_sees_exactly_its_rows_of_every_table(world: World, who: str) -> None:
    actor = world.actors[who]
    seen: dict[str, set[str]] = {}
    with world.db.reading() as session:
        for table in EXPECTED[who]:
            seen[table] = world.labels_of(visible(session, actor, table, world.uuids_of(table)))
    assert seen == EXPECTED[who]


@pytest.mark.parametrize("who", ROLES)
def test_the_sql_condition_filters_whole_tables_the_same_way(world: World, who: str) -> None:
    """What a pull's bulk filter selects from a whole table is what ``visible`` says."""
    actor = world.actors[who]
    seen: dict[str, set[str]] = {}
    with world.db.reading() as session:
        for table in EXPECTED[who]:
            t = Base.metadata.tables[table]
            rows = session.scalars(select(t.c.uuid).where(visible_condition(actor, table)))
            seen[table] = world.labels_of({u for u in rows if u in world.labels})
    assert seen == EXPECTED[who]


def test_unknown_tables_and_uuids_show_nothing(world: World) -> None:
    admin = world.actors["admin"]
    with world.db.reading() as session:
        assert visible(session, admin, "settings", ["x"]) == set()
        assert visible(session, admin, "audit_entries", ["x"]) == set()
        assert visible(session, admin, "people", [NEW]) == set()
        assert visible(session, admin, "people", []) == set()


def _edit(table: str, label: str, **fields: Any) -> Change:
    return lambda w: {"table": table, "uuid": w.uuids[label], "base_version": 1,
                      "deleted": False, "fields": _resolve(w, fields)}


def _delete(table: str, label: str) -> Change:
    return lambda w: {"table": table, "uuid": w.uuids[label], "base_version": 1,
                      "deleted": True, "fields": {}}


def _create(table: str, **fields: Any) -> Change:
    return lambda w: {"table": table, "uuid": NEW, "base_version": None, "deleted": False,
                      "fields": _resolve(w, fields)}


def _resolve(w: World, fields: dict[str, Any]) -> dict[str, Any]:
    """Labels written as ``@label`` (alone, in lists or in attendance ticks) → uuids."""
    def one(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("@"):
            return w.uuids[value[1:]]
        if isinstance(value, list):
            return [one(v) for v in value]
        if isinstance(value, dict):
            return {k: one(v) for k, v in value.items()}
        return value
    return {name: one(value) for name, value in fields.items()}


def _form(**extra: Any) -> dict[str, Any]:
    return {"kind": "network_mother", "anonymous": True, "channel": "attendance",
            "occurred_at": "2026-11-25T10:00:00", **extra}


FORBIDDEN: list[tuple[str, Change, str]] = [
    # staff: a person outside their areas, and the records hanging off them
    ("anna", _edit("people", "p_b", phone="12345678"), "outside your scope"),
    ("anna", _delete("people", "p_b"), "outside your scope"),
    ("anna", _create("contacts", people=["@p_a", "@p_b"]),
     "people names a person outside your scope"),
    ("anna", _create("jobs", person="@p_b", kind="leisure"),
     "person is outside your scope"),
    ("anna", _create("job_follow_ups", job="@job_b", months=6),
     "job is outside your scope"),
    ("anna", _create("people", first_name="Ny", last_name="Beboer", household="@h_b"),
     "household is outside your scope"),
    ("anna", _create("person_relations", parent="@p_a", child="@p_b"),
     "child is outside your scope"),
    ("anna", _edit("sessions", "s_mentor", attendance=[{"person": "@p_a", "present": True},
                                                       {"person": "@p_b", "present": True}]),
     "attendance names a person outside your scope"),
    # staff: a restricted case that is not theirs, even in their own area
    ("anna", _edit("people", "r_a", note="x"), "outside your scope"),
    ("anna", _delete("people", "r_a"), "outside your scope"),
    ("anna", _create("referrals", person="@r_a", reason="x"),
     "person is outside your scope"),
    ("anna", _edit("referral_events", "ev_r_a", note="x"),
     "outside your scope"),
    ("anna", _edit("contacts", "c_r_a", note="x"), "outside your scope"),
    ("anna", _edit("contacts", "c_a", people=["@p_a", "@r_a"]),
     "people names a person outside your scope"),
    ("carl", _edit("people", "r_a_anna", note="x"), "outside your scope"),
    ("carl", _edit("people", "p_a", note="x"), "outside your scope"),
    # volunteers: never people or registry rows, only their own forms
    ("vera", _create("people", first_name="Ny", last_name="Beboer"),
     "a volunteer may not change people"),
    ("vera", _edit("people", "p_a", note="x"), "a volunteer may not change people"),
    ("vera", _create("households", name="Familien"),
     "a volunteer may not change households"),
    ("vera", _create("referrals", person="@p_a"),
     "a volunteer may not change referrals"),
    ("vera", _edit("contacts", "nm_villy_a", note="x"),
     "outside your scope"),
    ("vera", _delete("contacts", "nm_villy_a"), "outside your scope"),
    ("vera", _edit("contacts", "nm_vera_with_person", note="x"),
     "outside your scope"),
    ("vera", _create("contacts", **_form(staff_user="@villy")),
     "a volunteer may only write forms in their own name"),
    ("vera", _create("contacts", **_form(kind="contact", staff_user="@vera")),
     "a volunteer may only write network-mother forms"),
    ("vera", _create("contacts", **_form(staff_user="@vera", people=["@p_a"])),
     "a volunteer may not put people on a form"),
    ("vera", _edit("contacts", "nm_vera", kind="contact"),
     "a volunteer may only write network-mother forms"),
    ("vera", _edit("contacts", "nm_vera", staff_user="@villy"),
     "a volunteer may only write forms in their own name"),
    ("vera", _create("reminders", owner_user="@vera", person="@p_a", text="x"),
     "person is outside your scope"),
    # reminders are their owner's own, whoever asks
    ("anna", _create("reminders", owner_user="@carl", text="x"),
     "a reminder can only be its owner's own"),
    ("admin", _edit("reminders", "rem_carl", text="x"),
     "outside your scope"),
    ("anna", _edit("reminders", "rem_anna", owner_user="@bo"),
     "a reminder can only be its owner's own"),
    # nobody pushes accounts, settings, reference data or the server's own tables
    ("admin", _edit("users", "anna", role="administrator"), "users cannot be pushed through sync"),
    ("lead", _create("users", username="ny"), "users cannot be pushed through sync"),
    ("anna", _edit("users", "anna", full_name="x"), "users cannot be pushed through sync"),
    ("vera", _edit("users", "vera", role="staff"), "users cannot be pushed through sync"),
    ("admin", _create("settings", key="logo"), "settings cannot be pushed through sync"),
    ("lead", _create("user_areas"), "user_areas cannot be pushed through sync"),
    ("admin", _create("audit_entries"), "audit_entries cannot be pushed through sync"),
    ("admin", _create("server_devices"), "server_devices cannot be pushed through sync"),
    # a conflict is settled, in one's own name, never made, deleted or rewritten
    ("admin", _create("sync_conflicts", table_name="people", field="phone"),
     "sync_conflicts are recorded by the server only"),
    ("admin", _delete("sync_conflicts", "conf_p_a_anna"),
     "a conflict cannot be deleted; settle it"),
    ("admin", _edit("sync_conflicts", "conf_p_a_anna", kept_value='"1"'),
     "only a conflict's settlement can be pushed, not kept_value"),
    ("anna", _edit("sync_conflicts", "conf_p_a_anna", resolution="kept", resolved_by="@bo"),
     "a conflict can only be settled in your own name"),
    ("anna", _edit("sync_conflicts", "conf_r_a_anna", resolution="kept",
                   resolved_by="@anna"), "outside your scope"),
    ("carl", _edit("sync_conflicts", "conf_p_a_anna", resolution="kept",
                   resolved_by="@carl"), "outside your scope"),  # not one of its writers
    ("admin", _create("no_such_table"), "this table cannot be pushed through sync"),
    # the role's own permissions, as on a laptop
    ("lead", _create("areas", name="Nyt område"), "a team_lead may not change areas"),
    ("anna", _edit("services", "service", name="x"),
     "a staff may not change services"),
]


@pytest.mark.parametrize(("who", "change", "reason"), FORBIDDEN,
                         ids=[f"{who}-{i}" for i, (who, _c, _r) in enumerate(FORBIDDEN)])
def test_each_forbidden_push_is_refused_with_its_reason(world: World, who: str, change: Change,
                                                        reason: str) -> None:
    with world.db.reading() as session:
        assert may_write(session, world.actors[who], change(world)) == reason


ALLOWED: list[tuple[str, Change]] = [
    ("anna", _edit("people", "p_a", phone="12345678")),
    ("anna", _edit("people", "p_a_by_household", note="x")),
    ("anna", _edit("people", "r_a_anna", note="x")),
    ("anna", _edit("people", "p_a", area="@area_b")),  # the family moved: allowed
    ("anna", _create("people", first_name="Ny", last_name="Beboer", household="@h_a")),
    ("anna", _create("people", first_name="Ny", last_name="Beboer")),  # no area yet
    ("anna", _create("contacts", people=["@p_a", "@p_a_by_household"], staff_user="@bo")),
    ("anna", _create("referrals", person="@p_a", service="@service")),
    ("anna", _create("reminders", owner_user="@anna", person="@p_a", text="Ring")),
    ("anna", _edit("contacts", "c_anon_a", note="x")),
    # a colleague's tick on a case anna cannot see may come back unchanged
    ("anna", _edit("sessions", "s_mentor", attendance=[
        {"person": "@p_a", "present": True}, {"person": "@r_a", "present": False},
        {"person": "@p_a_by_household", "present": True}])),
    ("carl", _edit("people", "r_a", note="x")),
    ("carl", _create("contacts", people=["@r_a"])),
    ("carl", _delete("referrals", "ref_r_a")),
    ("vera", _create("contacts", **_form(staff_user="@vera"))),
    ("vera", _edit("contacts", "nm_vera", note="x")),
    ("vera", _delete("contacts", "nm_vera")),
    ("vera", _create("reminders", owner_user="@vera", text="Møde")),
    ("lead", _edit("people", "r_a", note="x")),
    ("lead", _create("referrals", person="@r_a", service="@service")),
    ("admin", _create("areas", name="Nyt område")),
    ("admin", _edit("services", "service", name="x")),
    ("anna", _edit("sync_conflicts", "conf_p_a_anna", resolution="kept", resolved_by="@anna",
                   resolved_at="2026-11-25T10:30:00")),
    ("lead", _edit("sync_conflicts", "conf_r_a_anna", resolution="other",
                   resolved_by="@lead")),
]


@pytest.mark.parametrize(("who", "change"), ALLOWED,
                         ids=[f"{who}-{i}" for i, (who, _c) in enumerate(ALLOWED)])
def test_pushes_within_scope_pass(world: World, who: str, change: Change) -> None:
    with world.db.reading() as session:
        assert may_write(session, world.actors[who], change(world)) is None


def test_every_synced_table_has_a_rule_and_a_row_here() -> None:
    """A table added to the sync gets a scope rule (without one nobody sees it) and a
    row in this test's world; every other table is refused on push by name."""
    assert set(EXPECTED["admin"]) == set(wire.SYNCED_TABLES)
    pushable = set(WRITE_PERMISSION) | {"users", "sync_conflicts"}
    assert pushable == set(wire.SYNCED_TABLES)
    assert set(NOT_SYNCED) <= NEVER_PUSHED


def test_a_batch_is_checked_whole_and_may_name_a_row_it_creates(world: World) -> None:
    """One reason per change, in order; a contact may name the person the same batch
    registers (it does not exist yet, and it is the author's own)."""
    person = _create("people", first_name="Ny", last_name="Beboer")(world)
    contact = {**_create("contacts", people=[NEW, "@p_a"])(world),
               "uuid": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}
    with world.db.reading() as session:
        assert may_write_all(session, world.actors["anna"], [
            person, contact, _edit("people", "p_b", note="x")(world),
            _edit("people", "p_a", note="x")(world), _create("settings")(world),
        ]) == [None, None, "outside your scope", None, "settings cannot be pushed through sync"]
