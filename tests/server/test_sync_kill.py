"""kill -9 of the real app process during a sync, 20 times (issue 12 §4).

A staff member's replica (a real encrypted file, joined to the real HTTPS server on
PostgreSQL) has work waiting: people, contacts, edits and a deletion made through the
services. Then 20 times: ``python -m boligsag sync PATH --username U`` runs as a process
of its own and is killed with SIGKILL at a random moment (random.Random, seed printed;
``BOLIGSAG_KILL_SEED`` repeats a run, ``BOLIGSAG_KILL_RUNS`` changes the count). The
moments are spread over the whole sync:
either a random time after the start (0-1.5 x one measured sync) or a random few
milliseconds after the server saw the log-in, took a push, answered a push (the laptop
is applying the acknowledgement) or answered a pull (the laptop is applying the page);
the server's own request log (laptops.Recorder) tells which stage each kill hit. More
work is added between some runs.

After each kill ``boligsag check`` passes on the file and the replica unlocks. After a
final sync that is not killed: the server holds every contact exactly once (by uuid,
and by the marker text each was made with, so a re-sent create that became a second
row would show), every local edit and deletion is there, nothing waits, no conflict was
made by the laptop's own re-sent batches, each of the laptop's audit entries pushed is in
the server's audit log exactly once, and the replica holds exactly what the server
lists for its user (holdings digests of every synced table) with the server's values.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boligsag.cli import main
from boligsag.domain.enums import AuditAction
from boligsag.services import org_settings
from boligsag.services.server.handle import ServerDb
from boligsag.services.sync_client import engine
from boligsag.storage.models import AuditEntry, Contact, Person, SyncConflict

from . import laptop_script as work
from .conftest import STAFF, STAFF_PASSWORD, Setup
from .laptops import (
    Recorder,
    area_id,
    boligsag,
    digest_differences,
    join_replica,
    marker,
    opened,
    recording_server,
    run_boligsag,
)

AUDIT_WATERMARK = "sync_audit_pushed_through"  # push_client's setting
RUNS = int(os.environ.get("BOLIGSAG_KILL_RUNS") or 20)
LOGIN, PUSH, PULL = "/v1/login", "/v1/sync/push", "/v1/sync/pull"
# (path, phase) the kill is timed from; None: from the process's start.
ANCHORS: tuple[tuple[str, str] | None, ...] = (
    None, (LOGIN, "out"), (PUSH, "in"), (PUSH, "out"), (PULL, "in"), (PULL, "out"))
WINDOW_S = 0.08  # a kill lands up to this long after its server event


@dataclass
class Book:
    """What the laptop did, to find on the server afterwards."""

    contacts: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # uuid ->
    # (marker, expected note; None when deleted)
    people: dict[str, str] = field(default_factory=dict)  # uuid -> expected note


def _add_work(path: Path, book: Book, rng: random.Random, contacts: int, edits: int,
              deletions: int = 0) -> None:
    with opened(path, STAFF, STAFF_PASSWORD) as ctx:
        if not book.people:
            area = area_id(ctx)
            for n in range(3):
                note = marker(f"person{n}")
                book.people[work.new_person(ctx, f"Kill{n}", "Testesen", area, note)] = note
        people = sorted(book.people)
        for _ in range(contacts):
            text = marker("contact")
            made = work.log(ctx, rng.choice(people), text, duration_minutes=15)
            book.contacts[made] = (text, text)
        live = sorted(u for u, (_m, note) in book.contacts.items() if note is not None)
        for contact in rng.sample(live, min(edits, len(live))):
            text = f"{book.contacts[contact][0]} edited {rng.randrange(10**6)}"
            work.edit_contact_note(ctx, contact, text)
            book.contacts[contact] = (book.contacts[contact][0], text)
        person = rng.choice(people)
        book.people[person] = marker("person-edit")
        work.edit_person_note(ctx, person, book.people[person])
        live = sorted(u for u, (_m, note) in book.contacts.items() if note is not None)
        for contact in rng.sample(live, min(deletions, len(live))):
            work.delete_contact(ctx, contact)
            book.contacts[contact] = (book.contacts[contact][0], None)


def _stage(events: list[tuple[float, str, str]], at: float) -> str:
    """Where the sync was at ``at``, from the server's request log."""
    seen = [(p, ph) for t, p, ph in events if t <= at]
    if not seen:
        return "starting (unlock, before log-in)"
    path, phase = seen[-1]
    names = {LOGIN: "log-in", PUSH: "push", PULL: "pull"}
    name = names.get(path, path.removeprefix("/v1/sync/"))
    if phase == "in":
        return f"{name}: server working"
    return {"log-in": "after log-in", "push": "push answered: applying the ack",
            "pull": "pull answered: applying the page"}.get(name, f"after {name}")


def _kill_run(path: Path, tmp: Path, recorder: Recorder, rng: random.Random,
              one_sync_s: float) -> tuple[str, str]:
    """Start a sync process and SIGKILL it at a random moment: (how it ended, stage)."""
    anchor = rng.choice(ANCHORS)
    delay = rng.uniform(0, 1.5 * one_sync_s) if anchor is None else rng.uniform(0, WINDOW_S)
    mark = recorder.mark()
    process = boligsag(["sync", str(path), "--username", STAFF], STAFF_PASSWORD, tmp)
    started = time.monotonic()
    if anchor is None:
        at = started + delay
    else:
        seen = recorder.wait(mark, *anchor, timeout=30, stop=lambda: process.poll() is not None)
        at = (seen if seen is not None else time.monotonic()) + delay
    while process.poll() is None and time.monotonic() < at:
        time.sleep(0.001)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
    else:
        killed_at = None
    _out, err = process.communicate(timeout=30)
    if killed_at is None:
        assert process.returncode == 0, err
        return "finished first", "done"
    assert process.returncode in (-signal.SIGKILL, 0), err
    label = f"{'start' if anchor is None else anchor[0] + ' ' + anchor[1]} +{delay:.3f}s"
    return f"killed ({label})", _stage(recorder.since(mark), killed_at)


def _audit_line(entry: AuditEntry) -> tuple[object, ...]:
    """An audit entry as the laptop wrote it and the server stored it (ids and chain
    differ; the user by name)."""
    return (entry.at, AuditAction(entry.action).value, entry.username or None,
            entry.entity or None, entry.entity_uuid or None, entry.person_uuid or None,
            entry.detail or None)


def _check(path: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["check", str(path), "--user", STAFF])
    out = capsys.readouterr().out
    assert code == 0 and out.rstrip().endswith("ok"), out


def test_kill_9_during_sync_20_times_loses_and_duplicates_nothing(
        setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], server_db: ServerDb) -> None:
    began = time.monotonic()
    seed = int(os.environ.get("BOLIGSAG_KILL_SEED") or random.SystemRandom().randrange(10**9))
    rng = random.Random(seed)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", STAFF_PASSWORD)
    book = Book()
    with recording_server(setup) as (running, recorder):
        path = join_replica(running, tmp_path / "laptop" / "boligsag.db", STAFF,
                            STAFF_PASSWORD)
        _add_work(path, book, rng, contacts=5, edits=2)
        # One whole sync, to time the kills by.
        start = time.monotonic()
        first = run_boligsag(["sync", str(path), "--username", STAFF], STAFF_PASSWORD,
                             tmp_path)
        one_sync_s = time.monotonic() - start
        assert first.returncode == 0, first.stderr
        _add_work(path, book, rng, contacts=30, edits=8, deletions=2)

        log = []
        for run in range(RUNS):
            if run and rng.random() < 0.5:
                _add_work(path, book, rng, contacts=rng.randrange(1, 6),
                          edits=rng.randrange(0, 4), deletions=rng.randrange(0, 2))
            ended, stage = _kill_run(path, tmp_path, recorder, rng, one_sync_s)
            log.append((run, ended, stage))
            _check(path, monkeypatch, capsys)
            with opened(path, STAFF, STAFF_PASSWORD) as ctx:  # it unlocks
                assert engine.waiting_changes(ctx) >= 0

        final = run_boligsag(["sync", str(path), "--username", STAFF], STAFF_PASSWORD,
                             tmp_path)
        assert final.returncode == 0, final.stderr
        again = run_boligsag(["sync", str(path), "--username", STAFF], STAFF_PASSWORD,
                             tmp_path)
        assert again.returncode == 0, again.stderr
        assert "Pushed 0 changes" in again.stdout and "0 changes waiting" in again.stdout
        _check(path, monkeypatch, capsys)

        with opened(path, STAFF, STAFF_PASSWORD) as ctx:
            assert engine.waiting_changes(ctx) == 0
            assert digest_differences(ctx, STAFF_PASSWORD) == {}
            with ctx.db.reading() as session:
                local_contacts = dict(session.execute(
                    select(Contact.uuid, Contact.note).where(Contact.deleted_at.is_(None)))
                    .all())
                local_people = dict(session.execute(select(Person.uuid, Person.note))
                                    .all())
                pushed_through = int(org_settings.get_setting(session, AUDIT_WATERMARK))
                local_audit = Counter(_audit_line(e) for e in session.scalars(
                    select(AuditEntry).where(AuditEntry.id <= pushed_through)))

    with server_db.db.reading() as session:
        rows = session.execute(select(Contact.uuid, Contact.note, Contact.deleted_at)).all()
        by_uuid = {u: (note, deleted) for u, note, deleted in rows}
        copies = {u: n for u, n in session.execute(
            select(Contact.uuid, func.count()).group_by(Contact.uuid))}
        server_people = dict(session.execute(select(Person.uuid, Person.note)).all())
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict))
        server_audit = Counter(_audit_line(e) for e in session.scalars(select(AuditEntry)))

    killed = [entry for entry in log if entry[1].startswith("killed")]
    stages = sorted({stage for _run, _ended, stage in killed})
    print(f"\nkill -9 seed {seed}: one sync {one_sync_s:.2f} s; {len(killed)} of {RUNS} "
          "runs killed")
    for run, ended, stage in log:
        print(f"  run {run:2}: {ended:45} {stage}")

    assert len(killed) >= RUNS // 2, log  # most runs were really killed …
    assert len(stages) >= 3, stages  # … at several stages of the sync
    # Every contact made on the laptop is on the server exactly once, as left there.
    assert all(copies.get(u) == 1 for u in book.contacts), copies
    for u, (mark, note) in book.contacts.items():
        server_note, deleted = by_uuid[u]
        if note is None:
            assert deleted is not None, u
        else:
            assert (server_note, deleted) == (note, None), u
        assert sum(1 for n, _d in by_uuid.values() if n and n.startswith(mark)) == 1, mark
    assert {u: server_people[u] for u in book.people} == book.people
    assert conflicts == 0  # re-sent batches never conflict with themselves
    # The laptop's audit trail reached the server once: each entry pushed, none twice.
    assert sum(local_audit.values()) > 100
    assert {line: server_audit[line] for line in local_audit} == dict(local_audit)
    # The replica shows what the server holds, value for value.
    expected = {u: note for u, (_m, note) in book.contacts.items() if note is not None}
    assert {u: local_contacts.get(u) for u in expected} == expected
    assert set(local_contacts) == {u for u, (_n, d) in by_uuid.items() if d is None}
    assert {u: local_people[u] for u in book.people} == book.people
    elapsed = time.monotonic() - began
    print(f"test_sync_kill: {elapsed:.1f} s")
