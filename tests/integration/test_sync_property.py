"""Issue 12 §4, proved not assumed: a hypothesis state machine of 3–6 laptop replicas
(staff members, the team lead, the administrator; real encrypted files, the real
services) and one team server (PostgreSQL, the sync engine in process).

Steps, in any order: people created and contacts logged offline, random fields of
random visible records edited (a contact's people list too), people moved to the
other area by the lead or the administrator (staff replicas must drop them), contacts
and people deleted, a replica synced (services/sync_client/engine.sync_once) or
restarted (locked and unlocked from its files). A sync may be interrupted where a
killed process or a dropped link would interrupt it: the push reaches the server and
the answer is lost, or the push never reaches the server (either way the batch must be
pending and be the next one sent), the pull never reaches the server, a pulled page
dies inside its transaction (nothing of it may stay: checked), or the sync is
cancelled between two steps. Pages of 4 rows and batches of 3 changes, so a sync has
several of each to fall between.

At the end every replica is synced until a whole round changes nothing, and then:

- each replica's live rows of every synced table equal, wire row for wire row, the
  rows the server gives that replica's user (a pull of everything from the start);
- every edit made (a ledger of table, uuid, field, value; each value unique) is the
  server's value, or a conflict row's kept or other value for that field, or set aside
  for its user after the server refused it (push_client's refused list: an edit of a
  person moved out of her areas meanwhile), or was overwritten by an edit or deletion
  made on a replica that had it on screen — COUNTED: the four counts add up to the
  ledger;
- nothing duplicated: the server's contacts are exactly the starting ones and those
  created (or set aside), each deleted only where a replica deleted it; the server
  holds each replica's acknowledged audit entries exactly once; no replica has
  anything waiting, pending or in its inbox.

test_sync_property_cases.py pins what the state machine found as plain tests.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from boligsag.services.contact_rows import ContactDraft
from boligsag.services.contacts import delete_contact, get_contact, log_contact, update_contact
from boligsag.services.context import FixedClock
from boligsag.services.errors import PermissionDenied, ValidationFailed
from boligsag.services.people import PersonDraft, create_person, update_person
from boligsag.services.person_deletion import delete_person
from boligsag.services.sync_client import engine as sync_engine
from boligsag.services.sync_client import pull_client, push_client
from boligsag.services.sync_client.errors import ServerUnreachable
from boligsag.services.unlock import lock
from boligsag.storage.models import (
    Area,
    AuditEntry,
    Contact,
    Person,
)

from ..pg import PgCluster
from .sync_property_checks import DELETED, Edit, Replica, Verdict, same
from .sync_property_world import (  # noqa: F401  (fixture)
    EAST,
    SOUTH,
    USERS,
    Died,
    FaultyRemote,
    Files,
    copy_replica,
    device_name,
    failing_apply,
    files_fixture,
    live_ids,
    live_rows,
    open_replica,
    open_server,
    person_draft,
    wire_field,
)
from .sync_remote import InProcessRemote
from .sync_server import START, SyncServer, template_fixture  # noqa: F401  (fixture)

# A longer hunt: BOLIGSAG_PROPERTY_EXAMPLES=200 (the normal run stays under ~90 s).
EXAMPLES = int(os.environ.get("BOLIGSAG_PROPERTY_EXAMPLES", "10"))
STEPS = int(os.environ.get("BOLIGSAG_PROPERTY_STEPS", "25"))
# The same programs on every run unless BOLIGSAG_PROPERTY_RANDOM=1, so the README's test
# command says the same thing twice. Explore with it set (and BOLIGSAG_PROPERTY_EXAMPLES
# =60): such runs found the bugs pinned in test_sync_property_cases.py.
RANDOM = os.environ.get("BOLIGSAG_PROPERTY_RANDOM") == "1"
PERSON_FIELDS = ("note", "phone", "email", "city")
CONTACT_FIELDS = ("note", "duration_minutes")
FAULTS = ("none", "none", "push_lost", "push_unsent", "pull_unsent", "apply_dies", "cancel")


class World:
    """What every example shares: the PostgreSQL cluster, the server template, each
    user's joined replica, a folder, and the findings over all examples."""

    def __init__(self, pg_cluster: PgCluster, template: str, bases: dict[str, Path],
                 folder: Path) -> None:
        self.pg_cluster, self.template, self.bases, self.folder = (
            pg_cluster, template, bases, folder)
        self.examples = 0
        self.totals: dict[str, int] = {}

    def count(self, what: str, n: int = 1) -> None:
        self.totals[what] = self.totals.get(what, 0) + n


class SyncMachine(RuleBasedStateMachine):
    world: World  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.server: SyncServer | None = None
        self.server_name = ""
        self.replicas: list[Replica] = []
        self.ledger: list[Edit] = []
        self.created_contacts: set[str] = set()
        self.deleted_contacts: set[str] = set()  # a replica deleted it (maybe refused)
        self.problems: list[str] = []
        self.serial = 0
        self.clock = FixedClock(START + timedelta(days=1))
        self.folder = self.world.folder / f"example-{self.world.examples}"
        self.world.examples += 1
        self.audit_before = 0
        self.pushed_audit_gone = 0  # acknowledged entries of replicas no longer open

    # -- the world of one example ---------------------------------------------------

    @initialize(staff=st.sampled_from(["staff", "staff2"]),
                boss=st.sampled_from(["lead", "admin"]),
                others=st.lists(st.sampled_from(USERS), min_size=1, max_size=4))
    def start(self, staff: str, boss: str, others: list[str]) -> None:
        self.server, self.server_name = open_server(self.world.pg_cluster, self.world.template)
        with self.server.db.reading() as session:
            self.audit_before = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        for index, user in enumerate([staff, boss, *others]):
            path = copy_replica(self.world.bases[user], self.folder / f"replica-{index}")
            device = device_name(user, index)
            self.replicas.append(Replica(index, user, device, path,
                                         open_replica(path, user, self.clock),
                                         FaultyRemote(InProcessRemote(self.server, device))))
        event(f"replicas: {len(self.replicas)}")

    def teardown(self) -> None:
        for replica in self.replicas:
            self.problems.extend(replica.remote.problems)
        try:
            if self.server is not None and not self.problems:
                self.converge_and_check()
        finally:
            for replica in self.replicas:
                lock(replica.ctx)
            if self.server is not None:
                self.server.engine.dispose()
                self.world.pg_cluster.drop_database(self.server_name)
            shutil.rmtree(self.folder, ignore_errors=True)
        assert not self.problems, self.problems

    def _pick(self, index: int) -> Replica:
        return self.replicas[index % len(self.replicas)]

    def _value(self, field: str) -> Any:
        self.serial += 1
        self.clock.advance(minutes=1)
        n = self.serial
        return {"note": f"Note {n}", "phone": f"3{n:07d}", "email": f"p{n}@example.dk",
                "city": f"By {n}", "duration_minutes": 1000 + n}[field]

    def _area_choice(self, replica: Replica, south: bool) -> int:
        with replica.ctx.db.reading() as session:
            areas = dict(session.execute(select(Area.name, Area.id)).all())
        if replica.user in ("staff", "staff2") or SOUTH not in areas:
            return areas[EAST]
        return areas[SOUTH if south else EAST]

    def _record(self, replica: Replica, table: str, uuid: str, field: str, seen: Any) -> None:
        value = wire_field(replica.ctx, table, uuid, field)
        self.ledger.append(Edit(table, uuid, field, value, seen, replica.index))

    # -- offline work ---------------------------------------------------------------

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), south=st.booleans())
    def create_person(self, r: int, south: bool) -> None:
        replica = self._pick(r)
        note = self._value("note")
        made = create_person(replica.ctx, PersonDraft(
            "Ny", f"Person {self.serial}", note=note,
            area_id=self._area_choice(replica, south))).person
        self._record(replica, "people", made.uuid, "note", None)

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50))
    def log_contact(self, r: int, pick: int) -> None:
        replica = self._pick(r)
        people = live_ids(replica.ctx, Person)
        if not people:
            return
        person_id, _ = people[pick % len(people)]
        try:
            made = log_contact(replica.ctx, ContactDraft(
                channel="phone", person_ids=(person_id,), duration_minutes=10,
                note=self._value("note")))
        except PermissionDenied:
            event("contact not allowed here")
            return
        self.created_contacts.add(made.uuid)
        self._record(replica, "contacts", made.uuid, "note", None)

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50), field=st.sampled_from(PERSON_FIELDS))
    def edit_person(self, r: int, pick: int, field: str) -> None:
        replica = self._pick(r)
        people = live_ids(replica.ctx, Person)
        if not people:
            return
        person_id, uuid = people[pick % len(people)]
        seen = wire_field(replica.ctx, "people", uuid, field)
        with replica.ctx.db.reading() as session:
            person = session.get(Person, person_id)
            assert person is not None
            version, draft = person.version, person_draft(person)
        try:
            update_person(replica.ctx, person_id, version,
                          replace(draft, **{field: self._value(field)}))
        except PermissionDenied:
            event("person edit not allowed here")
            return
        self._record(replica, "people", uuid, field, seen)

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50))
    def move_person(self, r: int, pick: int) -> None:
        """The team lead or the administrator moves a person to the other area: the
        staff members' replicas must drop them (and their contacts) at the next sync."""
        replica = self._pick(r)
        if replica.user in ("staff", "staff2"):
            return
        people = live_ids(replica.ctx, Person)
        if not people:
            return
        person_id, uuid = people[pick % len(people)]
        seen = wire_field(replica.ctx, "people", uuid, "area")
        with replica.ctx.db.reading() as session:
            person = session.get(Person, person_id)
            assert person is not None
            version, draft = person.version, person_draft(person)
            areas = dict(session.execute(select(Area.id, Area.name)).all())
        other = next(i for i, n in areas.items() if n != areas.get(draft.area_id))
        update_person(replica.ctx, person_id, version, replace(draft, area_id=other))
        self._record(replica, "people", uuid, "area", seen)
        event("person moved")

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50), field=st.sampled_from(CONTACT_FIELDS))
    def edit_contact(self, r: int, pick: int, field: str) -> None:
        replica = self._pick(r)
        contacts = live_ids(replica.ctx, Contact)
        if not contacts:
            return
        contact_id, uuid = contacts[pick % len(contacts)]
        seen = wire_field(replica.ctx, "contacts", uuid, field)
        seen_people = wire_field(replica.ctx, "contacts", uuid, "people")
        try:
            row = get_contact(replica.ctx, contact_id)
            update_contact(replica.ctx, contact_id, row.version,
                           replace(row.to_draft(), **{field: self._value(field)}))
        except PermissionDenied:
            event("contact edit not allowed here")
            return
        except ValidationFailed:  # e.g. its only person was deleted: the form refuses
            event("contact edit refused by the form")
            return
        self._record(replica, "contacts", uuid, field, seen)
        if not same(wire_field(replica.ctx, "contacts", uuid, "people"), seen_people):
            # The form lists live people only: saving it drops a deleted person from
            # the contact, an edit of the people list like any other.
            event("contact saved without a deleted person")
            self._record(replica, "contacts", uuid, "people", seen_people)

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50), who=st.integers(0, 50))
    def change_contact_people(self, r: int, pick: int, who: int) -> None:
        """Add a person to a contact, or take one off (a list field, merged whole). In
        the ledger for every user: a contact reaches a laptop only with every person on
        it visible there (scope_rules.py, people_lists.py), so a staff member's list is
        the server's whole list too. (Left out for staff until December 2026, which made
        a lead's edit that a staff member's later edit replaced look lost.)"""
        replica = self._pick(r)
        contacts, people = live_ids(replica.ctx, Contact), live_ids(replica.ctx, Person)
        if not contacts or not people:
            return
        contact_id, uuid = contacts[pick % len(contacts)]
        person_id, _ = people[who % len(people)]
        seen = wire_field(replica.ctx, "contacts", uuid, "people")
        try:
            row = get_contact(replica.ctx, contact_id)
            members = [p.id for p in row.people]
            chosen = ([m for m in members if m != person_id] if person_id in members
                      else [*members, person_id])
            if not chosen:
                return
            update_contact(replica.ctx, contact_id, row.version,
                           replace(row.to_draft(), person_ids=tuple(chosen)))
        except PermissionDenied:
            event("contact edit not allowed here")
            return
        except ValidationFailed:
            event("contact edit refused by the form")
            return
        self._record(replica, "contacts", uuid, "people", seen)

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50))
    def delete_a_contact(self, r: int, pick: int) -> None:
        replica = self._pick(r)
        contacts = live_ids(replica.ctx, Contact)
        if not contacts:
            return
        contact_id, uuid = contacts[pick % len(contacts)]
        with replica.ctx.db.reading() as session:
            version = session.get(Contact, contact_id).version  # type: ignore[union-attr]
        seen = live_rows(replica.ctx.db, ("contacts",))[("contacts", uuid)]["fields"]
        try:
            delete_contact(replica.ctx, contact_id, version)
        except PermissionDenied:
            event("contact deletion not allowed here")
            return
        self.deleted_contacts.add(uuid)
        self.ledger.append(Edit("contacts", uuid, DELETED, True, seen, replica.index))

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), pick=st.integers(0, 50))
    def delete_a_person(self, r: int, pick: int) -> None:
        replica = self._pick(r)
        people = live_ids(replica.ctx, Person)
        if len(people) < 2:
            return
        person_id, uuid = people[pick % len(people)]
        with replica.ctx.db.reading() as session:
            version = session.get(Person, person_id).version  # type: ignore[union-attr]
        seen = live_rows(replica.ctx.db, ("people",))[("people", uuid)]["fields"]
        try:
            delete_person(replica.ctx, person_id, version)
        except PermissionDenied:
            event("person deletion not allowed here")
            return
        self.ledger.append(Edit("people", uuid, DELETED, True, seen, replica.index))

    # -- syncing, and dying on the way ------------------------------------------------

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), fault=st.sampled_from(FAULTS), at=st.integers(0, 3))
    def sync(self, r: int, fault: str, at: int) -> None:
        replica = self._pick(r)
        event(f"sync with fault {fault}")
        self.world.count(f"sync {fault}")
        cancelled = None
        if fault in ("push_lost", "push_unsent", "pull_unsent"):
            replica.remote.fault = fault
        elif fault == "cancel":
            steps = [0]

            def cancel_after() -> bool:
                steps[0] += 1
                return steps[0] > at + 1

            cancelled = cancel_after
        real_apply = pull_client.apply_page
        if fault == "apply_dies":
            pull_client.apply_page = failing_apply(replica.ctx, at, self.problems)
        try:
            sync_engine.sync_once(replica.ctx, replica.remote, cancelled=cancelled)
        except (Died, ServerUnreachable, sync_engine.SyncCancelled) as stopped:
            self.world.count(f"interrupted: {type(stopped).__name__}")
            pending = push_client.pending_batch(replica.ctx)
            if replica.remote.unanswered is not None and (
                    pending is None or pending["batch_id"] != replica.remote.unanswered):
                self.problems.append("a batch sent without an answer is not pending")
        finally:
            pull_client.apply_page = real_apply
            replica.remote.fault = None

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), fault=st.sampled_from(FAULTS[2:]), at=st.integers(0, 3))
    def sync_interrupted(self, r: int, fault: str, at: int) -> None:
        """As :meth:`sync`, always interrupted (so more syncs than other steps, and more
        of them interrupted)."""
        self.sync(r, fault, at)

    @precondition(lambda self: self.replicas)
    @rule(r=st.integers(0, 5), really=st.integers(0, 3))
    def restart(self, r: int, really: int) -> None:
        """The app is closed and opened again: only what is in the files survives. (One
        draw in four: an unlock runs the migration check, ~0.1 s.)"""
        if really:
            return
        replica = self._pick(r)
        lock(replica.ctx)
        replica.ctx = open_replica(replica.path, replica.user, self.clock)

    # -- at the end ---------------------------------------------------------------------

    def converge_and_check(self) -> None:
        assert self.server is not None
        Verdict(self.server, self.replicas, self.ledger, self.created_contacts,
                self.deleted_contacts, self.audit_before, self.world.count).run()


def test_replicas_and_server_converge_and_no_edit_is_lost(
        pg_cluster: PgCluster, files: Files, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.perf_counter()
    # Small pages and batches: several pages per sync, so a cancel or a dying page can
    # fall between pages, and a push takes several rounds.
    monkeypatch.setattr(sync_engine, "PULL_LIMIT", 4)
    monkeypatch.setattr(sync_engine, "PUSH_LIMIT", 3)
    world = World(pg_cluster, files.template, files.bases, tmp_path)

    class Machine(SyncMachine):
        pass

    Machine.world = world
    try:
        run_state_machine_as_test(Machine, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
            derandomize=not RANDOM,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            # BOLIGSAG_PROPERTY_NO_SHRINK=1: report the first failing program as found
            # (shrinking one costs minutes here).
            phases=(tuple(Phase)[:-2] if os.environ.get("BOLIGSAG_PROPERTY_NO_SHRINK")
                    else tuple(Phase))))
    finally:
        print(f"\nsync property: {world.examples} examples in "
              f"{time.perf_counter() - started:.1f} s")
        for what, n in sorted(world.totals.items()):
            print(f"  {what}: {n}")
    assert world.totals.get("examples checked", 0) >= EXAMPLES // 2
