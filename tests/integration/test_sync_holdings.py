"""What a laptop may hold now (services/sync/holdings.py) and when a pull page says to
compare (holdings_rescope.py), on PostgreSQL with the team of sync_scope_world.py.

A family that moves into a staff member's area reaches her laptop with its older
records; one that moves out is dropped from the replica and stays on the server; and no
role learns of a row outside its scope through a digest, a listing or a fetch.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Column, select
from sqlalchemy.sql import visitors

from boligsag.domain.enums import Role
from boligsag.services.sync import holdings as holdings_module
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync import push as push_module
from boligsag.services.sync import scope_rules, wire
from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.holdings_digest import bucket_of, digest
from boligsag.services.sync.holdings_rescope import SCOPE_FIELDS, rescope_between
from boligsag.services.sync.ordering import ChangeEntry, log_changes
from boligsag.storage.models import Base

from ..pg import PgCluster
from .sync_scope_world import EXPECTED, NOW, ROLES, World, build_world, world_fixture  # noqa: F401

SECRET = bytes(range(32))
Held = dict[str, dict[str, int]]  # table -> uuid -> version: a laptop's live rows


@pytest.fixture
def fresh(pg_cluster: PgCluster) -> Iterator[World]:
    """A world of the test's own: these tests push changes into it."""
    name = pg_cluster.create_database()
    built = build_world(pg_cluster.url(name))
    try:
        yield built
    finally:
        built.db.dispose()
        pg_cluster.drop_database(name)


class Laptop:
    """A replica as issue 12's client keeps it: pulled rows applied by version, a
    cursor, and whether a page since the last comparison said rescope."""

    def __init__(self, world: World, who: str) -> None:
        self.world, self.actor = world, world.actors[who]
        self.held: Held = {}
        self.cursor: str | None = None
        self.rescope = False

    def apply(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            table = self.held.setdefault(row["table"], {})
            if row["deleted"]:
                table.pop(row["uuid"], None)
            else:
                table[row["uuid"]] = row["version"]

    def pull(self) -> list[dict[str, Any]]:
        """Pages until the end, each with its rescope flag as sync_calls._pull adds it."""
        pulled: list[dict[str, Any]] = []
        while True:
            with self.world.db.reading() as session:
                page = pull_module.pull(session, self.actor, self.cursor, 7)
                server = pull_module.server_id(session)
                self.rescope |= rescope_between(
                    session, self.actor, pull_module.decode_cursor(self.cursor, server),
                    pull_module.decode_cursor(page["cursor"], server))
            self.apply(page["rows"])
            pulled += page["rows"]
            self.cursor = page["cursor"]
            if not page["more"]:
                return pulled

    def reconcile(self) -> tuple[set[str], set[str]]:
        """Compare digests, list the buckets that differ, fetch what is missing or at
        another version, drop what is no longer listed: (uuids fetched, uuids dropped)."""
        fetched: set[str] = set()
        dropped: set[str] = set()
        with self.world.db.reading() as session:
            server = holdings_module.holdings(session, self.actor)["tables"]
        for table in wire.SYNCED_TABLES:
            mine = self.held.get(table, {})
            theirs = {name: tuple(pair) for name, pair in server.get(table, {}).items()}
            ours = digest(mine.items())
            differ = sorted(name for name in set(theirs) | set(ours)
                            if theirs.get(name) != ours.get(name))
            if not differ:
                continue
            with self.world.db.reading() as session:
                listed = dict(holdings_module.listed(session, self.actor, table,
                                                     differ)["rows"])
            wanted = [u for u, version in listed.items() if mine.get(u) != version]
            with self.world.db.reading() as session:
                rows = holdings_module.fetch(session, self.actor, table, wanted)["rows"]
            self.apply(rows)
            fetched.update(row["uuid"] for row in rows)
            for row_uuid in [u for u in mine if bucket_of(u) in differ and u not in listed]:
                del self.held[table][row_uuid]
                dropped.add(row_uuid)
        self.rescope = False
        return fetched, dropped


def _push(world: World, who: str, changes: list[dict[str, Any]]) -> None:
    batch = {"batch_id": str(uuid_module.uuid4()), "changes": changes, "audit": []}
    with world.db.writing(None) as session:
        result = push_module.push(session, world.actors[who], batch, audit_key=SECRET, now=NOW)
    assert len(result["applied"]) == len(changes), result


def _move(world: World, label: str, area: str, base_version: int = 1) -> dict[str, Any]:
    return {"table": "people", "uuid": world.uuids[label], "base_version": base_version,
            "deleted": False, "fields": {"area": world.uuids[area]}}


def _labels(world: World, uuids: set[str]) -> set[str]:
    return world.labels_of(uuids)


def test_a_family_moving_in_arrives_with_its_older_records_and_moving_out_is_dropped(
        fresh: World) -> None:
    anna = Laptop(fresh, "anna")
    first = anna.pull()
    ticks = [row["fields"]["attendance"] for row in first if row["table"] == "sessions"]
    assert [[tick["person"] for tick in t] for t in ticks] == [[fresh.uuids["p_a"]]]
    # The organisation's standard services, loaded with the reference data, were never
    # in the change log, so no pull brought them: the first comparison does.
    fetched, dropped = anna.reconcile()
    with fresh.db.reading() as session:
        services = set(session.scalars(select(Base.metadata.tables["services"].c.uuid)))
    assert fetched and fetched == services - {fresh.uuids["service"]}
    assert dropped == set()
    assert anna.reconcile() == (set(), set())  # now she holds what she may hold
    # p_b (area B) has a job with a follow-up, and a contact with p_a that anna could not
    # see while p_b was hidden: all three are older than the move.
    _push(fresh, "admin", [_move(fresh, "p_b", "area_a")])
    pulled = anna.pull()
    assert {fresh.labels[row["uuid"]] for row in pulled} == {"p_b"}  # the person alone
    assert anna.rescope
    fetched, dropped = anna.reconcile()
    assert _labels(fresh, fetched) == {"job_b", "fu_b", "c_a_and_b"}
    assert dropped == set()

    _push(fresh, "lead", [_move(fresh, "p_a", "area_b")])  # p_a and its cases leave
    assert anna.pull() == []  # the pull says nothing of them...
    assert anna.rescope  # ...but that it is time to compare
    fetched, dropped = anna.reconcile()
    assert fetched == set()
    assert _labels(fresh, dropped) == {
        "p_a", "rel_a", "c_a", "c_a_and_b", "nm_vera_with_person", "ref_a", "ev_a",
        "con_a", "en_a", "conf_p_a_anna"}  # her own reminder about p_a stays hers
    # Nothing left the server: the rows are there, live, for those who may see them.
    with fresh.db.reading() as session:
        for label in _labels(fresh, dropped):
            table = next(t for t, labels in fresh.tables.items() if label in labels)
            t = Base.metadata.tables[table]
            deleted = session.scalar(select(t.c.deleted_at)
                                     .where(t.c.uuid == fresh.uuids[label]))
            assert deleted is None, label
    # The mentoring session's version did not move, but as fetched again it carries no
    # tick of p_a any more (holdings.py: a laptop that dropped people fetches sessions).
    with fresh.db.reading() as session:
        meeting = holdings_module.fetch(session, anna.actor, "sessions",
                                        [fresh.uuids["s_mentor"]])["rows"][0]
    assert meeting["version"] == 1
    assert [tick["person"] for tick in meeting["fields"]["attendance"]] == []
    # Her replica is now exactly what she may hold: the next comparison finds nothing.
    assert anna.reconcile() == (set(), set())


def _edit(world: World, table: str, label: str, base_version: int,
          **fields: Any) -> dict[str, Any]:
    return {"table": table, "uuid": world.uuids[label], "base_version": base_version,
            "deleted": False, "fields": fields}


def test_a_page_says_rescope_when_its_stretch_can_move_rows_of_that_actor(
        fresh: World) -> None:
    laptops = {who: Laptop(fresh, who) for who in ("anna", "lead", "vera")}
    for laptop in laptops.values():
        laptop.pull()
        assert laptop.rescope  # a first page always: the server cannot know what is held
        laptop.reconcile()

    def flags() -> dict[str, bool]:
        for laptop in laptops.values():
            laptop.rescope = False
            laptop.pull()
        return {who: laptop.rescope for who, laptop in laptops.items()}

    _push(fresh, "anna", [_edit(fresh, "people", "p_a", 1, note="Ringet op")])
    assert flags() == {"anna": False, "lead": False, "vera": False}  # moves nothing
    _push(fresh, "admin", [_move(fresh, "p_b", "area_a")])
    assert flags() == {"anna": True, "lead": False, "vera": False}  # the lead sees all
    # vera's form handed to villy: no longer hers (a contact's author is a staff rule too).
    _push(fresh, "admin", [_edit(fresh, "contacts", "nm_vera", 1,
                                 staff_user=fresh.uuids["villy"])])
    assert flags() == {"anna": True, "lead": False, "vera": True}
    fetched, dropped = laptops["vera"].reconcile()
    assert fetched == set() and _labels(fresh, dropped) == {"nm_vera"}


def test_a_new_area_of_her_own_brings_its_families(fresh: World) -> None:
    """Accounts change on the server (no laptop pushes users): the change of her users
    row's areas is logged like any change, and her next page says rescope."""
    anna = Laptop(fresh, "anna")
    anna.pull()
    anna.reconcile()
    users = Base.metadata.tables["users"]
    user_areas = Base.metadata.tables["user_areas"]
    with fresh.db.writing(None) as session:
        anna_id = fresh.actors["anna"].user_id
        area_b = session.scalar(select(Base.metadata.tables["areas"].c.id)
                                .where(Base.metadata.tables["areas"].c.uuid
                                       == fresh.uuids["area_b"]))
        session.execute(user_areas.insert().values(user_id=anna_id, area_id=area_b))
        session.execute(users.update().where(users.c.id == anna_id)
                        .values(version=users.c.version + 1))
        version = session.scalar(select(users.c.version).where(users.c.id == anna_id))
        log_changes(session, [ChangeEntry("users", fresh.uuids["anna"], version, ["areas"],
                                          False, None)], now=NOW)
    pulled = anna.pull()
    assert {fresh.labels[row["uuid"]] for row in pulled} == {"anna"}
    assert anna.rescope
    fetched, dropped = anna.reconcile()
    assert _labels(fresh, fetched) == {"p_b", "h_b", "job_b", "fu_b", "c_a_and_b"}
    assert dropped == set()


def _all_listed(world: World, who: str, table: str) -> dict[str, int]:
    buckets = [f"{n:02x}" for n in range(256)]
    with world.db.reading() as session:
        return dict(holdings_module.listed(session, world.actors[who], table,
                                           buckets)["rows"])


@pytest.mark.parametrize("who", ROLES)
def test_holdings_listing_and_fetch_show_each_role_exactly_its_rows(
        world: World, who: str) -> None:
    actor = world.actors[who]
    with world.db.reading() as session:
        answer = holdings_module.holdings(session, actor)
    for table in wire.SYNCED_TABLES:
        listed = _all_listed(world, who, table)
        # Every labelled row of the team's data the role sees, and no other; the only
        # unlabelled rows are the organisation's standard services (reference data).
        labelled = {u for u in listed if u in world.labels}
        assert world.labels_of(labelled) == EXPECTED[who].get(table, set()), table
        assert table == "services" or labelled == set(listed), table
        # The digest is that of the listed rows, computed as a laptop computes its own.
        digest_of = {name: tuple(pair) for name, pair in answer["tables"].get(table,
                                                                              {}).items()}
        assert digest_of == digest(listed.items()), table
        with world.db.reading() as session:
            rows = holdings_module.fetch(session, actor, table,
                                         [*world.uuids_of(table), str(uuid_module.uuid4())]
                                         )["rows"]
        assert {world.labels[row["uuid"]] for row in rows} == EXPECTED[who].get(table, set())
        some = sorted({bucket_of(u) for u in world.uuids_of(table)})[:3]  # by index ranges
        if some:
            with world.db.reading() as session:
                few = holdings_module.listed(session, actor, table, some)["rows"]
            assert few == [[u, v] for u, v in sorted(listed.items()) if bucket_of(u) in some]
    if who == "vera":  # her forms and the organisation's rows, never a case
        assert set(answer["tables"]) <= scope_rules.EVERYONE_TABLES | {"contacts",
                                                                          "reminders"}


def test_postgresql_makes_the_digest_python_makes(world: World) -> None:
    """The server hashes in SQL what a laptop hashes in Python (holdings_digest.py)."""
    for who in ("lead", "anna"):
        for table in wire.SYNCED_TABLES:
            t, condition = holdings_module.live_visible(world.actors[who], table)
            with world.db.reading() as session:
                assert (holdings_module.table_digest(session, t, condition)
                        == holdings_module.python_digest(session, t, condition)), table


def test_a_fetched_row_is_what_a_pull_sends(world: World) -> None:
    """Hidden fields and people lists as in a pull: a volunteer's colleagues without
    phone and e-mail, anna's mentoring session without carl's restricted case's tick."""
    pulled: dict[tuple[str, str], dict[str, Any]] = {}
    for who in ("vera", "anna"):
        cursor = None
        while True:
            with world.db.reading() as session:
                page = pull_module.pull(session, world.actors[who], cursor, 500)
            pulled.update({(who, row["uuid"]): row for row in page["rows"]})
            cursor = page["cursor"]
            if not page["more"]:
                break
    for who, table in (("vera", "users"), ("vera", "contacts"), ("anna", "sessions"),
                       ("anna", "contacts"), ("anna", "people")):
        with world.db.reading() as session:
            rows = holdings_module.fetch(session, world.actors[who], table,
                                         world.uuids_of(table))["rows"]
        assert rows and all(row == pulled[(who, row["uuid"])] for row in rows), (who, table)


def test_bad_requests_are_refused_with_a_clear_message(world: World) -> None:
    actor = world.actors["anna"]
    cases = [
        (holdings_module.listed, "settings", ["00"], "table: expected the name of a synced"),
        (holdings_module.listed, "people", ["0g"], "buckets: expected a list of 1 to 256"),
        (holdings_module.listed, "people", [], "buckets: expected a list of 1 to 256"),
        (holdings_module.listed, "people", "00", "buckets: expected a list of 1 to 256"),
        (holdings_module.fetch, None, [], "table: expected the name of a synced"),
        (holdings_module.fetch, "people", ["x"] * 5001, "uuids: expected a list of at most"),
        (holdings_module.fetch, "people", [1], "uuids: expected a list of at most"),
    ]
    for call, table, argument, message in cases:
        with pytest.raises(BadBatch) as refused, world.db.reading() as session:
            call(session, actor, table, argument)
        assert refused.value.message.startswith(message)


@pytest.mark.parametrize("role", list(Role))
def test_every_column_the_scope_rules_read_is_one_a_page_watches(role: Role) -> None:
    """A column the rules read whose change no page reported would leave a replica
    wrong for ever: every one must be in SCOPE_FIELDS (or never change once written)."""
    actor = scope_rules.SyncActor(3, "u", role, "d")
    never_change = {"id", "uuid", "created_by_id"}
    written_once = {("sync_conflicts", "table_name"), ("sync_conflicts", "row_uuid")}
    watched = SCOPE_FIELDS[role]
    for table in wire.SYNCED_TABLES:
        for element in visitors.iterate(scope_rules.visible_condition(actor, table)):
            if not isinstance(element, Column):
                continue
            source = getattr(element.table, "element", element.table)
            name, column = getattr(source, "name", None), element.name
            if column in never_change or (name, column) in written_once:
                continue
            if name == "user_areas":
                continue  # the actor's own areas: any change of their users row counts
            if name == "contact_people":
                name, column = "contacts", "people_id"
            wire_name = column[:-3] if column.endswith("_id") else column
            assert wire_name in watched.get(name, frozenset()), (table, name, column)
    for table, names in watched.items():
        assert names <= wire.wire_fields(table), table
