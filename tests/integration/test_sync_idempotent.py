"""Pushes are idempotent and pulls resumable (issue 11 §3; services/sync/batches.py and
pull.py): the same batch pushed twice changes nothing, a push whose acknowledgement was
lost is recognised on retry, two copies of one batch pushed at once apply once, and a
pull interrupted half-way resumes from its cursor with nothing lost or duplicated.

Each scenario also runs with its rule removed (monkeypatched), and must then go wrong:
that is what shows the scenario tests the rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.services.sync import batches, merge_reads
from boligsag.services.sync import pull as pull_module
from boligsag.storage.models import SyncChange

from .sync_server import (  # noqa: F401  (fixtures)
    Background,
    DeviceLock,
    SyncServer,
    audit_entry,
    edit,
    lock_waiters,
    new_person,
    server_fixture,
    template_fixture,
    wait_until,
)


def _forget_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The idempotency rules removed: every push counts as the batch's first (no stored
    result, and the batch's own change-log entries, which recognise a batch whose result
    was pruned, not looked at)."""
    monkeypatch.setattr(batches, "claim", lambda *args: None)
    monkeypatch.setattr(merge_reads.Reads, "applied_before", lambda *args: None)


def _state(server: SyncServer, uuids: list[str]) -> dict[str, Any]:
    """What a repeated push must not change: the rows' versions and values, and the
    number of change-log entries, conflicts and audit entries."""
    rows = {u: server.row("people", u) for u in uuids}
    return {"rows": rows, **server.counts()}


def _batch(server: SyncServer) -> tuple[list[dict], list[dict], list[str]]:
    """A batch of a new person and an edit of Amira whose email merges and whose phone
    conflicts (the team lead's laptop edited her phone from version 1 too, and got there
    first), with one audit entry of the laptop's."""
    amira = new_person("Amira", "Hassan")
    server.push("admin", [amira])
    server.push("lead", [edit("people", amira["uuid"], 1, phone="30 44 55 66")])
    bilal = new_person("Bilal", "Jensen")
    changes = [bilal, edit("people", amira["uuid"], 1, phone="20 11 22 33",
                           email="amira@mail.dk")]
    audit = [audit_entry(server.actors["admin"].user_uuid, "viewed on the laptop")]
    return changes, audit, [amira["uuid"], bilal["uuid"]]


def _same_batch_twice(server: SyncServer) -> tuple[dict, dict, dict, dict]:
    changes, audit, uuids = _batch(server)
    first = server.push("admin", changes, batch_id="6f1c3c52-8d7e-4a43-9a39-0c1d2e3f4a5b",
                        audit=audit)
    after_first = _state(server, uuids)
    again = server.push("admin", changes, batch_id="6f1c3c52-8d7e-4a43-9a39-0c1d2e3f4a5b",
                        audit=audit)
    return first, again, after_first, _state(server, uuids)


def test_the_same_batch_pushed_twice_changes_nothing(server: SyncServer) -> None:
    first, again, after_first, after_again = _same_batch_twice(server)
    assert len(first["conflicts"]) == 1 and len(first["applied"]) == 2
    assert again == first
    assert after_again == after_first


def test_without_the_batch_record_a_second_push_changes_things(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    _forget_batches(monkeypatch)
    _, _, after_first, after_again = _same_batch_twice(server)
    assert after_again["conflicts"] > after_first["conflicts"]
    assert after_again["audit"] > after_first["audit"]


def _lost_acknowledgement(server: SyncServer) -> tuple[dict, dict, dict]:
    """The laptop's push commits but its answer never arrives (killed, network gone);
    meanwhile another laptop edits the same field again; then the laptop retries."""
    amira = new_person("Amira", "Hassan")
    server.push("admin", [amira])
    batch_id = "0b7e5d2a-3c4f-4e6a-8b9c-1d2e3f4a5b6c"
    lost = server.push("admin", [edit("people", amira["uuid"], 1, phone="20 11 22 33")],
                       batch_id=batch_id)
    server.push("lead", [edit("people", amira["uuid"], 2, phone="30 44 55 66")])
    before_retry = _state(server, [amira["uuid"]])
    retried = server.push("admin", [edit("people", amira["uuid"], 1, phone="20 11 22 33")],
                          batch_id=batch_id)
    return lost, retried, {"before": before_retry, "after": _state(server, [amira["uuid"]])}


def test_a_push_whose_answer_was_lost_is_recognised_on_retry(server: SyncServer) -> None:
    lost, retried, state = _lost_acknowledgement(server)
    assert retried == lost  # the original answer: version 2, no conflict
    assert retried["applied"][0]["version"] == 2 and retried["conflicts"] == []
    assert state["after"] == state["before"]  # the later edit stands, no false conflict


def test_without_the_batch_record_a_retry_becomes_a_false_conflict(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    _forget_batches(monkeypatch)
    lost, retried, state = _lost_acknowledgement(server)
    assert retried != lost
    assert state["after"]["conflicts"] == state["before"]["conflicts"] + 1


def _concurrent_copies(server: SyncServer) -> tuple[dict, dict, dict, dict]:
    """Two copies of one batch at once (a retry sent while the first was still being
    applied): the first is held before its commit, the second arrives meanwhile."""
    changes, audit, _ = _batch(server)
    batch_id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    before = server.counts()
    hold = DeviceLock(server, "admin")
    try:
        one = Background(lambda: server.push("admin", changes, batch_id=batch_id,
                                             audit=audit))
        wait_until(lambda: lock_waiters(server) == 1, "the first copy waits to commit")
        two = Background(lambda: server.push("admin", changes, batch_id=batch_id,
                                             audit=audit))
        wait_until(lambda: lock_waiters(server) == 2, "the second copy waits for the first")
    finally:
        hold.release()
    return one.join(), two.join(), before, server.counts()


def test_two_copies_of_one_batch_pushed_at_once_apply_once(server: SyncServer) -> None:
    first, second, before, after = _concurrent_copies(server)
    assert second == first
    assert after["conflicts"] == before["conflicts"] + 1
    assert after["audit"] == before["audit"] + 1
    assert after["changes"] == before["changes"] + 3  # Bilal, Amira's merge, the conflict


def test_without_the_batch_record_two_copies_apply_twice(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    _forget_batches(monkeypatch)
    _, _, before, after = _concurrent_copies(server)
    assert after["conflicts"] == before["conflicts"] + 2
    assert after["audit"] == before["audit"] + 2


def _interrupted_pull(server: SyncServer) -> tuple[Counter[tuple[str, int]], list[str], dict]:
    """Ten people pulled four at a time; the answer to the second page is lost; two rows
    change (one already pulled, one not yet); the laptop asks again from the cursor it
    stored after the first page, and goes on to the end."""
    people = [new_person(f"Person{i}", "Hassan") for i in range(10)]
    _, start = server.pull_all("lead")
    for person in people:
        server.push("admin", [person])
    received: list[dict] = []
    page = server.pull("lead", start, limit=4)
    received.extend(page["rows"])
    stored_cursor = page["cursor"]
    server.pull("lead", stored_cursor, limit=4)  # its answer never reaches the laptop
    server.push("admin", [edit("people", people[1]["uuid"], 1, phone="1")])
    server.push("admin", [edit("people", people[6]["uuid"], 1, phone="6")])
    rows, _ = server.pull_all("lead", stored_cursor, limit=4)
    received.extend(rows)
    arrived = Counter((row["uuid"], row["version"]) for row in received
                      if row["table"] == "people")
    final = {p["uuid"]: server.row("people", p["uuid"])["version"] for p in people}
    return arrived, [p["uuid"] for p in people], final


def test_an_interrupted_pull_resumes_from_its_cursor(server: SyncServer) -> None:
    arrived, uuids, final = _interrupted_pull(server)
    assert all(count == 1 for count in arrived.values())  # nothing twice
    # Every row's newest state arrived; the row changed after it was pulled came again
    # with its new version, the one changed before it was pulled came once, new.
    assert {(u, final[u]) for u in uuids} <= set(arrived)
    assert final[uuids[1]] == final[uuids[6]] == 2
    assert (uuids[1], 1) in arrived and (uuids[6], 1) not in arrived
    assert len(arrived) == 11


def test_a_cursor_that_jumps_past_the_page_loses_rows(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule removed: a page's cursor set to the newest change on the server instead
    of the last change the page covered."""
    newest: Callable[[], int] = lambda: _newest_seq(server)  # noqa: E731
    monkeypatch.setattr(pull_module, "page_end", lambda window, after: newest())
    arrived, uuids, final = _interrupted_pull(server)
    assert not {(u, final[u]) for u in uuids} <= set(arrived)


def _newest_seq(server: SyncServer) -> int:
    with server.db.reading() as session:
        return session.scalar(select(func.max(SyncChange.seq))) or 0
