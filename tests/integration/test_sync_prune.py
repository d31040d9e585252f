"""``boligsag server prune`` on a real team-server database (services/server/prune.py):
it removes old push results and the old change-log entries a newer change superseded;
pulls return the same rows before and after; a push from a base whose history is gone
gets the conservative merge (every differing field a conflict, nothing overwritten); a
batch pushed again after its result was removed never makes a second row; and it runs
beside a push without waiting for the push's locks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from boligsag.services.server import prune as prune_module
from boligsag.services.server.handle import ServerDb
from boligsag.services.sync import merge_reads
from boligsag.services.sync import pull as pull_module
from boligsag.services.sync.holdings_rescope import rescope_between
from boligsag.storage.models import AuditEntry, Person, SyncBatch, SyncChange

from .sync_server import (  # noqa: F401  (fixtures)
    AUDIT_SECRET,
    START,
    Background,
    DeviceLock,
    SyncServer,
    delete,
    edit,
    lock_waiters,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
    wait_until,
)

LATER = START + timedelta(days=190)  # recent, for a prune run on PRUNE_DAY
PRUNE_DAY = START + timedelta(days=200)


def _prune(server: SyncServer, **options: object) -> prune_module.Pruned:
    handle = ServerDb(server.db, AUDIT_SECRET)
    return prune_module.prune(handle, now=PRUNE_DAY, **options)  # type: ignore[arg-type]


def _log(server: SyncServer) -> list[tuple[str, int]]:
    with server.db.reading() as session:
        return [(row.row_uuid, row.version) for row in session.execute(
            select(SyncChange.row_uuid, SyncChange.version).order_by(SyncChange.seq))]


def _pages(server: SyncServer, device: str, cursor: str | None, limit: int) -> list[dict]:
    """Every page of a pull from ``cursor`` to the end, as the laptop receives them."""
    pages = []
    while True:
        page = server.pull(device, cursor, limit)
        pages.append(page)
        cursor = page["cursor"]
        if not page["more"]:
            return pages


def test_prune_removes_only_old_superseded_changes_and_pulls_stay_the_same(
        server: SyncServer) -> None:
    amira, bilal, carl = (new_person(n, "Hassan") for n in ("Amira", "Bilal", "Carl"))
    server.push("admin", [amira, bilal, carl])
    _, middle = server.pull_all("lead")  # a laptop that has seen the creates
    server.push("admin", [edit("people", amira["uuid"], 1, phone="1")])
    server.push("admin", [edit("people", amira["uuid"], 2, phone="2")])
    server.push("admin", [edit("people", bilal["uuid"], 1, phone="3")])
    server.clock[0] = LATER  # Carl's edit and Bilal's second one are recent
    server.push("admin", [edit("people", carl["uuid"], 1, phone="4")])
    server.push("admin", [edit("people", bilal["uuid"], 2, phone="5")])
    before = {start: _pages(server, "lead", start, 2) for start in (None, middle)}
    audit_before = server.counts()["audit"]

    done = _prune(server, stretch=2)  # several short transactions

    # Old and superseded: Amira 1 and 2, Bilal 1 and 2 (superseded by the recent 3) and
    # Carl 1 (superseded by the recent 2). Each row's newest entry stays, old or not.
    assert done.changes == 5
    kept = [(u, v) for u, v in _log(server)
            if u in {amira["uuid"], bilal["uuid"], carl["uuid"]}]
    assert kept == [(amira["uuid"], 3), (carl["uuid"], 2), (bilal["uuid"], 3)]
    after = {start: _pages(server, "lead", start, 2) for start in (None, middle)}
    assert after == before
    with server.db.reading() as session:
        (detail,) = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.detail.like("pruned %"))).all()
    assert detail.startswith("pruned 5 superseded change-log entries older than 180 days")
    assert server.counts()["audit"] == audit_before + 1


def test_a_dry_run_counts_and_removes_nothing(server: SyncServer) -> None:
    amira = new_person("Amira", "Hassan")
    server.push("admin", [amira])
    server.push("admin", [edit("people", amira["uuid"], 1, phone="1")])
    before = server.counts()
    done = _prune(server, dry_run=True)
    assert (done.changes, done.batches, done.dry_run) == (1, 2, True)
    assert server.counts() == before


@pytest.mark.parametrize("option", ["changes_days", "batches_days"])
def test_an_age_below_one_day_is_refused(server: SyncServer, option: str) -> None:
    server.push("admin", [new_person("Amira", "Hassan")])
    before = server.counts()
    with pytest.raises(prune_module.BadAge):
        _prune(server, **{option: 0})
    assert server.counts() == before


def _pruned_person(server: SyncServer) -> dict:
    """Amira at version 3: her city edited long ago (version 2), her e-mail recently
    (version 3), and the log of versions 1 and 2 pruned since."""
    amira = new_person("Amira", "Hassan", phone="20 11 22 33", city="Odense")
    server.push("admin", [amira])
    server.push("admin", [edit("people", amira["uuid"], 1, city="Odense SØ")])
    server.clock[0] = LATER
    server.push("admin", [edit("people", amira["uuid"], 2, email="amira@mail.dk")])
    assert _prune(server).changes == 2
    return amira


def test_a_push_from_a_pruned_base_conflicts_on_each_differing_field(
        server: SyncServer) -> None:
    amira = _pruned_person(server)
    # The lead's laptop still holds version 1: it changed her phone and (without
    # knowing) wrote the city the server has now. Which fields changed on the server
    # since version 1 is no longer known, so the phone is not written over.
    result = server.push("lead", [edit("people", amira["uuid"], 1, phone="30 44 55 66",
                                       city="Odense SØ")])
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [("phone", "same_field")]
    assert result["applied"] == []
    fields = server.row("people", amira["uuid"])["fields"]
    assert (fields["phone"], fields["city"], fields["email"]) == (
        "20 11 22 33", "Odense SØ", "amira@mail.dk")
    (conflict,) = server.conflicts()
    assert (json.loads(conflict.kept_value), json.loads(conflict.other_value)) == (
        "20 11 22 33", "30 44 55 66")
    # From version 2 the log is whole ((2, 3]: the e-mail): the phone merges as before.
    result = server.push("admin", [edit("people", amira["uuid"], 2, phone="40 55 66 77")])
    assert (result["applied"][0]["version"], result["conflicts"]) == (4, [])


def test_without_the_conservative_rule_a_pruned_base_overwrites_the_server(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule removed (a gap in the log read as "nothing changed there"): the lead's
    stale phone would silently replace the server's."""
    real = merge_reads.Reads.history

    def gaps_ignored(self: merge_reads.Reads, *args: object) -> merge_reads.History:
        found = real(self, *args)  # type: ignore[arg-type]
        fields = frozenset().union(*(entry.fields for entry in found.writers))
        return merge_reads.History(fields, found.writers)

    monkeypatch.setattr(merge_reads.Reads, "history", gaps_ignored)
    amira = _pruned_person(server)
    result = server.push("lead", [edit("people", amira["uuid"], 1, phone="30 44 55 66")])
    assert result["conflicts"] == []
    assert server.row("people", amira["uuid"])["fields"]["phone"] == "30 44 55 66"


def test_a_delete_from_a_pruned_base_keeps_the_record_and_every_value(
        server: SyncServer) -> None:
    amira = _pruned_person(server)
    result = server.push("lead", [delete("people", amira["uuid"], 1)])
    assert [(c["field"], c["kind"]) for c in result["conflicts"]] == [("*", "delete_of_edited")]
    row = server.row("people", amira["uuid"])
    assert (row["deleted"], row["version"]) == (False, 3)
    (conflict,) = server.conflicts()
    kept = json.loads(conflict.kept_value)
    # What was changed since version 1 is not known: the conflict holds every value, so
    # whoever settles it sees the city edited long ago too.
    assert (kept["city"], kept["email"], kept["phone"]) == (
        "Odense SØ", "amira@mail.dk", "20 11 22 33")


def _age_batches(server: SyncServer) -> None:
    with server.db.writing(None) as session:
        session.execute(update(SyncBatch).values(received_at=START))


def _retried_batches(server: SyncServer, changes_days: int) -> dict:
    """The admin's laptop pushed two batches (three new rows; then Bilal's phone) and got
    neither answer; the lead has since changed both people's phones. Months later the
    batches' results are pruned (and the change log with ``changes_days``), and the
    laptop sends both batches again: the server no longer knows them."""
    amira = new_person("Amira", "Hassan", phone="20 11 22 33")
    bilal = new_person("Bilal", "Jensen")
    contact = new_contact(server.actors["admin"].user_uuid, [amira["uuid"], bilal["uuid"]])
    creates = [amira, bilal, contact]
    phone = [edit("people", bilal["uuid"], 1, phone="20 99 88 77")]
    first = [server.push("admin", creates, batch_id=BATCHES[0]),
             server.push("admin", phone, batch_id=BATCHES[1])]
    server.push("lead", [edit("people", amira["uuid"], 1, phone="30 44 55 66"),
                         edit("people", bilal["uuid"], 2, phone="40 55 66 77")])
    _age_batches(server)
    assert _prune(server, changes_days=changes_days).batches == 3
    before = server.counts()
    again = [server.push("admin", creates, batch_id=BATCHES[0]),
             server.push("admin", phone, batch_id=BATCHES[1])]
    with server.db.reading() as session:
        people = session.scalar(select(func.count()).select_from(Person).where(
            Person.uuid.in_([amira["uuid"], bilal["uuid"]])))
    phones = [server.row("people", p["uuid"])["fields"]["phone"] for p in (amira, bilal)]
    return {"first": first, "again": again, "people": people, "phones": phones,
            "new_conflicts": server.counts()["conflicts"] - before["conflicts"],
            "amira": amira["uuid"]}


BATCHES = ["3d9c1e7a-2b4f-4c6d-8e0a-1b2c3d4e5f60", "4e0d2f8b-3c5a-4d7e-9f1b-2c3d4e5f6a71"]


def test_a_batch_pushed_again_after_its_result_was_pruned_gets_its_first_answer(
        server: SyncServer) -> None:
    retried = _retried_batches(server, changes_days=365)  # the change log still whole
    # The change log shows what these batches did: recognised, nothing written again.
    assert retried["again"] == retried["first"]
    assert (retried["people"], retried["new_conflicts"]) == (2, 0)
    assert retried["phones"] == ["30 44 55 66", "40 55 66 77"]  # the lead's stand


def test_without_the_log_rule_a_retried_batch_brings_back_false_conflicts(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(merge_reads.Reads, "applied_before", lambda *args: None)
    retried = _retried_batches(server, changes_days=365)
    assert retried["again"] != retried["first"]
    assert retried["new_conflicts"] == 2  # Amira created twice, Bilal's phone
    assert (retried["people"], retried["phones"]) == (2, ["30 44 55 66", "40 55 66 77"])


def test_a_batch_pushed_again_after_its_log_was_pruned_too_makes_no_second_row(
        server: SyncServer) -> None:
    retried = _retried_batches(server, changes_days=180)
    # Amira's and Bilal's entries of the admin's batches were superseded and are gone,
    # so for them the batches are new. The contact's entry stays (its row's newest):
    # recognised. Bilal's create holds only names the server still has: nothing to do.
    # Amira's phone and Bilal's changed since: the lead's values stay, the laptop's old
    # ones are kept apart as conflicts. Never a second row.
    again = retried["again"]
    assert sorted((a["table"], a["version"]) for a in again[0]["applied"]) == [
        ("contacts", 1), ("people", 3)]
    assert [(c["row_uuid"], c["kind"]) for c in again[0]["conflicts"]] == [
        (retried["amira"], "created_twice")]
    assert [c["kind"] for c in again[1]["conflicts"]] == ["same_field"]
    assert (retried["people"], retried["new_conflicts"]) == (2, 2)
    assert retried["phones"] == ["30 44 55 66", "40 55 66 77"]


def test_a_batch_pruned_while_its_retry_reads_it_is_claimed_anew(
        server: SyncServer) -> None:
    """The retry's insert finds the batch; prune removes it before the retry reads its
    stored result; the retry then claims it as new instead of failing."""
    amira = new_person("Amira", "Hassan")
    batch = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
    first = server.push("admin", [amira], batch_id=batch)
    _age_batches(server)
    fired: list[bool] = []

    def prune_in_between(_conn: object, _cursor: object, statement: str,
                         *_rest: object) -> None:
        if not fired and statement.lstrip().startswith("SELECT sync_batches.user_id"):
            fired.append(True)
            assert _prune(server).batches == 1

    event.listen(server.engine, "before_cursor_execute", prune_in_between)
    try:
        again = server.push("admin", [amira], batch_id=batch)
    finally:
        event.remove(server.engine, "before_cursor_execute", prune_in_between)
    assert fired
    assert again == first  # the same values: applied at version 1 again, no conflict
    with server.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(SyncBatch)) == 1


def test_prune_runs_beside_a_push_without_waiting_for_it(server: SyncServer) -> None:
    amira = new_person("Amira", "Hassan")
    server.push("admin", [amira])
    for version in range(1, 4):
        server.push("admin", [edit("people", amira["uuid"], version, phone=str(version))])
    _, cursor = server.pull_all("admin")
    bilal = new_person("Bilal", "Jensen")
    hold = DeviceLock(server, "lead")  # the push waits after numbering, before commit
    try:
        pushing = Background(lambda: server.push("lead", [
            bilal, edit("people", amira["uuid"], 4, email="amira@mail.dk")]))
        wait_until(lambda: lock_waiters(server) == 1, "the push holds the ordering lock")
        pruning = Background(lambda: _prune(server, stretch=2))
        wait_until(lambda: pruning.done, "prune finished while the push waits")
        assert pruning.join().changes == 3
    finally:
        hold.release()
    assert pushing.join()["conflicts"] == []
    rows, _ = server.pull_all("admin", cursor)
    assert sorted((r["uuid"], r["version"]) for r in rows) == sorted(
        [(amira["uuid"], 5), (bilal["uuid"], 1)])
    assert (amira["uuid"], 5) in _log(server) and (amira["uuid"], 4) in _log(server)


def test_the_prune_audit_entry_is_the_only_trace_of_a_run_with_nothing_to_remove(
        server: SyncServer) -> None:
    before = server.counts()
    done = _prune(server)
    assert (done.changes, done.batches) == (0, 0)
    after = server.counts()
    assert after == {**before, "audit": before["audit"] + 1}
    with server.db.reading() as session:
        assert session.scalar(text("SELECT count(*) FROM sync_changes")) == before["changes"]


def _rescope(server: SyncServer, device: str, cursor: str | None) -> bool:
    """Whether a pull from ``cursor`` to the end says rescope (as sync_calls adds it)."""
    with server.db.reading() as session:
        after = pull_module.decode_cursor(cursor, pull_module.server_id(session))
        end = session.scalar(select(func.max(SyncChange.seq))) or 0
        return rescope_between(session, server.actors[device], after, end)


def test_a_pull_from_before_a_pruned_change_is_told_to_compare_its_holdings(
        server: SyncServer) -> None:
    """Amira moves from the staff member's area to another, then her phone changes: the
    move's entry is superseded, old, and pruned. A laptop that pulled before the move
    must still hear that rows may have left its scope (it holds Amira, and may not)."""
    amira = new_person("Amira", "Hassan", area=server.areas["Ærtebjerg Øst"])
    server.push("admin", [amira])
    _, before_move = server.pull_all("staff")
    server.push("admin", [edit("people", amira["uuid"], 1, area=server.areas["Søndergården"])])
    server.push("admin", [edit("people", amira["uuid"], 2, phone="20 11 22 33")])
    _, after_all = server.pull_all("staff2")
    assert _rescope(server, "staff", before_move)
    assert _prune(server).changes == 2

    assert _rescope(server, "staff", before_move)
    # A laptop that pulled after the pruned entries hears nothing for a phone number.
    server.clock[0] = LATER
    server.push("admin", [edit("people", amira["uuid"], 3, phone="30 44 55 66")])
    assert not _rescope(server, "staff2", after_all)
