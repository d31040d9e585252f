"""One sync of a laptop with the team server (services/sync_client/engine.py), against the
real sync engine on PostgreSQL (in process, as the HTTP routes run it) and real
encrypted laptops: local work reaches the server and the server's comes back in one
sync; an edit of the same field on two laptops ends as one conflict on both, counted;
a cancelled sync keeps what it committed and the next one finishes; a server restored
from a backup (its cursor refused) is pulled again and compared, nothing duplicated."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.sync_client import engine, reconcile
from boligsag.services.sync_client.errors import CursorRejected, ServerUnreachable
from boligsag.storage.models import Person

from . import test_push_client
from .sync_remote import InProcessRemote
from .sync_server import SyncServer, edit, new_person
from .test_pull_client import (  # noqa: F401  (fixtures)
    _local,
    _server_init_logged,
    server_fixture,
    template_fixture,
)
from .test_push_client import _east_id, _edit, _joined

laptop = test_push_client.laptop
second_laptop = test_push_client.second_laptop


def _people(ctx: AppContext) -> int:
    with ctx.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Person).where(
            Person.deleted_at.is_(None))) or 0


def _server_people(server: SyncServer) -> int:
    with server.db.reading() as session:
        return session.scalar(select(func.count()).select_from(Person).where(
            Person.deleted_at.is_(None))) or 0


def test_one_sync_sends_local_work_and_brings_the_servers(
        server: SyncServer, laptop: AppContext, clock: FixedClock) -> None:
    _joined(server, laptop)
    east = server.areas["Ærtebjerg Øst"]
    server.push("staff", [new_person("Bo", "Lund", area=east)])
    amira = create_person(laptop, PersonDraft("Amira", "Hassan",
                                              area_id=_east_id(laptop, server))).person
    assert engine.waiting_changes(laptop) == 1
    remote = InProcessRemote(server, "admin")
    steps: list[engine.SyncProgress] = []

    outcome = engine.sync_once(laptop, remote, progress=steps.append)

    assert (outcome.pushed, outcome.waiting, outcome.new_conflicts) == (1, 0, 0)
    assert outcome.pulled >= 2  # Bo, and Amira as the server numbered her
    assert "people" in outcome.changed_tables
    # Pushed first, then pulled (the new person's page may ask for a comparison too).
    assert remote.calls[0] == "push" and remote.calls.index("pull") > 0
    assert not server.row("people", amira.uuid)["deleted"]
    assert _people(laptop) == _server_people(server) == 2
    assert engine.waiting_changes(laptop) == 0
    assert engine.last_synced_at(laptop) == clock.now().replace(microsecond=0)
    assert [s.stage for s in steps][:1] == ["push"] and "pull" in {s.stage for s in steps}

    again = engine.sync_once(laptop, remote)
    assert (again.pushed, again.pulled, again.fetched, again.purged) == (0, 0, 0, 0)
    assert again.changed_tables == frozenset()


def test_the_same_field_edited_on_two_laptops_is_one_conflict_on_both(
        server: SyncServer, laptop: AppContext, second_laptop: AppContext) -> None:
    _joined(server, laptop)
    _joined(server, second_laptop)
    amira = create_person(laptop, PersonDraft("Amira", "Hassan",
                                              area_id=_east_id(laptop, server))).person
    first, second = InProcessRemote(server, "admin"), InProcessRemote(server, "admin")
    engine.sync_once(laptop, first)
    engine.sync_once(second_laptop, second)
    assert _local(second_laptop, "people", [amira.uuid])[0]["fields"]["first_name"] == "Amira"

    _edit(laptop, amira.uuid, note="Flyttet til Vollsmose")  # both offline
    _edit(second_laptop, amira.uuid, note="Bor stadig i Ærtebjerg")
    won = engine.sync_once(laptop, first)
    lost = engine.sync_once(second_laptop, second)
    assert (won.new_conflicts, lost.new_conflicts) == (0, 1)
    assert engine.sync_once(laptop, first).new_conflicts == 1

    for ctx in (laptop, second_laptop):
        assert _local(ctx, "people", [amira.uuid])[0]["fields"]["note"] == \
            "Flyttet til Vollsmose"  # the first to reach the server
        assert engine.open_conflicts(ctx) == 1
        assert engine.waiting_changes(ctx) == 0
    (conflict,) = server.conflicts()
    assert (conflict.field, conflict.other_value) == ("note", '"Bor stadig i Ærtebjerg"')


def test_a_cancelled_sync_keeps_its_pages_and_the_next_one_finishes(
        server: SyncServer, laptop: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    _joined(server, laptop)
    east = server.areas["Ærtebjerg Øst"]
    server.push("staff", [new_person("Barn", f"Nr {i}", area=east) for i in range(12)])
    monkeypatch.setattr(engine, "PULL_LIMIT", 5)
    pages = 0

    def after_two_pages() -> bool:  # asked before the step's progress is reported
        return pages >= 1

    def count(step: engine.SyncProgress) -> None:
        nonlocal pages
        pages += step.stage == "pull" and step.done > 0

    with pytest.raises(engine.SyncCancelled):
        engine.sync_once(laptop, InProcessRemote(server, "admin"), progress=count,
                         cancelled=after_two_pages)
    assert _people(laptop) == 10  # two pages of five
    assert engine.last_synced_at(laptop) is None  # not a finished sync

    engine.sync_once(laptop, InProcessRemote(server, "admin"))
    assert _people(laptop) == 12


def test_a_refused_cursor_pulls_everything_again_and_compares(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    east = server.areas["Ærtebjerg Øst"]
    bo = new_person("Bo", "Lund", area=east)
    server.push("staff", [bo])
    remote = InProcessRemote(server, "admin")
    engine.sync_once(laptop, remote)
    server.push("staff", [edit("people", bo["uuid"], 1, note="Ny note")])
    real_pull = remote.pull

    def restored_server(cursor: str | None, limit: int) -> dict:
        if cursor is not None:  # as a server restored from a backup answers
            raise CursorRejected()
        return real_pull(cursor, limit)

    remote.pull = restored_server  # type: ignore[method-assign]
    remote.calls.clear()
    outcome = engine.sync_once(laptop, remote)

    assert "holdings" in remote.calls  # compared after pulling from the start
    assert _local(laptop, "people", [bo["uuid"]]) == [server.row("people", bo["uuid"])]
    assert _people(laptop) == 1 and outcome.waiting == 0


def test_a_comparison_a_page_asked_for_is_still_made_after_an_interrupted_sync(
        server: SyncServer, laptop: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    _joined(server, laptop)
    server.push("staff", [new_person("Bo", "Lund", area=server.areas["Ærtebjerg Øst"])])
    remote = InProcessRemote(server, "admin")
    real_pull = remote.pull

    def scope_moved(cursor: str | None, limit: int) -> dict:
        page = real_pull(cursor, limit)
        page["rescope"] = True
        return page

    def connection_lost(*_args: object, **_kwargs: object) -> None:
        raise ServerUnreachable("https://server.invalid")

    remote.pull = scope_moved  # type: ignore[method-assign]
    real_reconcile = reconcile.reconcile
    monkeypatch.setattr(reconcile, "reconcile", connection_lost)
    with pytest.raises(ServerUnreachable):
        engine.sync_once(laptop, remote)  # the page landed, the comparison did not

    monkeypatch.setattr(reconcile, "reconcile", real_reconcile)
    again = InProcessRemote(server, "admin")  # its pages do not ask for a comparison
    engine.sync_once(laptop, again)
    assert "holdings" in again.calls
    again.calls.clear()
    engine.sync_once(laptop, again)  # done: not again
    assert "holdings" not in again.calls


def test_an_edit_of_a_person_who_left_the_users_areas_is_set_aside_not_lost(
        server: SyncServer, laptop: AppContext) -> None:
    _joined(server, laptop)
    east, south = server.areas["Ærtebjerg Øst"], server.areas["Søndergården"]
    amira = new_person("Amira", "Hassan", area=east)
    server.push("admin", [amira])
    remote = InProcessRemote(server, "staff")  # a staff member of Ærtebjerg Øst
    engine.sync_once(laptop, remote)
    _edit(laptop, amira["uuid"], note="Vil gerne have hjælp til lektier")  # offline
    create_person(laptop, PersonDraft("Bo", "Lund", area_id=_east_id(laptop, server)))
    server.push("admin", [edit("people", amira["uuid"], 1, area=south)])  # she moves

    outcome = engine.sync_once(laptop, remote)

    assert (outcome.set_aside, outcome.pushed, outcome.waiting) == (1, 1, 0)
    (kept,) = engine.refused_changes(laptop)
    assert kept["change"]["fields"] == {"note": "Vil gerne have hjælp til lektier"}
    assert _local(laptop, "people", [amira["uuid"]]) == []  # out of her scope now
    assert server.row("people", amira["uuid"])["fields"]["area"] == south
    assert _people(laptop) == 1  # Bo, who went with the next batch
