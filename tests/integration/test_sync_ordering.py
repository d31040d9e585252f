"""The server orders changes by a sequence it assigns, and a pull never skips a change
that committed after a later-numbered one (issue 11 §3; services/sync/ordering.py).

Push A takes its sequence numbers and is held before its commit (the test locks A's
device row, which the push updates right after numbering); push B, from another device,
runs meanwhile; a pull runs; A is let go; a second pull continues from the first one's
cursor. Every change must arrive exactly once. The second test removes the ordering lock
and shows that the same scenario then loses A's change: the first test is what catches
a broken ordering rule.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import text

from boligsag.services.sync import ordering

from .sync_server import (  # noqa: F401  (fixtures)
    Background,
    DeviceLock,
    SyncServer,
    new_person,
    server_fixture,
    template_fixture,
    wait_until,
)


def _waiting(server: SyncServer, condition: str) -> int:
    with server.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            f"AND wait_event_type = 'Lock' AND {condition}")) or 0


def _a_commits_last(server: SyncServer) -> tuple[Counter[str], dict[str, int], list[str]]:
    """Runs the scenario; returns how often each pushed row arrived in the two pulls,
    the sequence number each push's change got, and the rows pushed (A's, then B's)."""
    east = server.areas["Ærtebjerg Øst"]  # the area of the staff member who pulls
    first = new_person("Amira", "Hassan", area=east)  # from the administrator's laptop (A)
    second = new_person("Bilal", "Jensen", area=east)  # from the team lead's laptop (B)
    _, cursor = server.pull_all("staff")

    hold = DeviceLock(server, "admin")
    try:
        push_a = Background(lambda: server.push("admin", [first]))
        wait_until(lambda: _waiting(server, "query LIKE 'UPDATE server_devices%'") == 1,
                   "push A has its sequence number and waits to commit")
        push_b = Background(lambda: server.push("lead", [second]))
        wait_until(lambda: push_b.done or _waiting(server, "wait_event = 'advisory'") == 1,
                   "push B has committed or waits for the ordering lock")
        rows_before, cursor = server.pull_all("staff", cursor)
    finally:
        hold.release()
    push_a.join()
    push_b.join()
    rows_after, _ = server.pull_all("staff", cursor)

    arrived = Counter(row["uuid"] for row in rows_before + rows_after)
    with server.engine.connect() as connection:
        seqs = dict(connection.execute(text(
            "SELECT row_uuid, seq FROM sync_changes WHERE table_name = 'people'")).all())
    return arrived, seqs, [first["uuid"], second["uuid"]]


def test_a_change_committed_after_a_later_numbered_one_is_pulled_exactly_once(
        server: SyncServer) -> None:
    arrived, seqs, (a, b) = _a_commits_last(server)
    assert seqs[a] < seqs[b]  # A took its number first, and committed last
    assert arrived == Counter({a: 1, b: 1})


def test_without_the_ordering_lock_the_same_scenario_loses_a_change(
        server: SyncServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule removed: the scenario above must then fail, or it proves nothing."""
    monkeypatch.setattr(ordering, "take_order_lock", lambda session: None)
    arrived, seqs, (a, b) = _a_commits_last(server)
    assert seqs[a] < seqs[b]
    assert arrived == Counter({b: 1})  # A's change committed below the cursor: lost
