"""kill -9 at random moments while the services write (issue 13 §6), on a real
encrypted file.

A child process (``python -m tests.integration.crash_harness child DB``, the password
in ``BOLIGSAG_PASSWORD``) unlocks the database and saves through the services without
end: a new person, a contact with that person, a change to a person (its new version).
It prints one line per save, *after* the service returned, so a printed line is a
save the user was told had succeeded. The parent kills it with SIGKILL at a random
moment (often before or during its log-in, which writes too), then opens the database
the way the app does, runs ``PRAGMA integrity_check`` and checks that every save any
child ever reported is there: the person or contact by its uuid, a change at least at
its reported version.

``python -m tests.integration.crash_harness run DB --kills N`` prints the figures for
the closing note; ``tests/integration/test_crash_harness.py`` runs it with a few kills
in the test suite. The same for a password change (``--password-changes``): after each
kill exactly one of the two passwords opens the database, the one the child last
reported or the one it was changing to. And for backups (``--backup-kills``): after
each kill the database opens and passes integrity_check, and every backup in the
folder's list opens and passes it too, every reported one among them. And for key
rotation (``--rotation-kills``): after each kill the administrator's password opens the
file under the old key or the new one, and the data and the audit log are intact.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = ("korrekt-hest-batteri", "anden-lang-kode-2026")


# -- the child ----------------------------------------------------------------------------


def _child(path: Path, password: str) -> None:
    from boligsag.services.contacts import ContactDraft, log_contact
    from boligsag.services.people import PersonDraft, create_person, get_person, update_person
    from boligsag.services.unlock import UnlockOptions, unlock

    ctx = unlock(path, "admin", password, options=UnlockOptions(integrity_check=False))
    rng = random.Random()
    people: list[int] = []
    for number in range(1_000_000):
        choice = rng.random()
        if not people or choice < 0.4:
            detail = create_person(ctx, PersonDraft(
                first_name=f"Kill{number}", last_name="Æblegård", note="Note " * 30))
            people.append(detail.person.id)
            print(f"person {detail.person.uuid}", flush=True)
        elif choice < 0.8:
            row = log_contact(ctx, ContactDraft("phone", person_ids=(rng.choice(people),),
                                                note="Samtale " * 20, duration_minutes=15))
            print(f"contact {row.uuid}", flush=True)
        else:
            who = rng.choice(people)
            detail = get_person(ctx, who)
            changed = update_person(ctx, who, detail.person.version, replace(
                detail.to_draft(), phone=f"{rng.randrange(10**7, 10**8)}"))
            print(f"change {changed.person.uuid} {changed.person.version}", flush=True)


def _child_password(path: Path, password: str) -> None:
    from boligsag.services.unlock import UnlockOptions, unlock
    from boligsag.services.users import change_own_password

    ctx = unlock(path, "admin", password, options=UnlockOptions(integrity_check=False))
    current = password
    while True:
        new = PASSWORDS[1] if current == PASSWORDS[0] else PASSWORDS[0]
        print(f"changing {PASSWORDS.index(new)}", flush=True)
        change_own_password(ctx, current, new)
        current = new
        print(f"changed {PASSWORDS.index(new)}", flush=True)


def _child_backup(path: Path, password: str) -> None:
    from boligsag.services.backups import take_backup
    from boligsag.services.unlock import UnlockOptions, unlock

    ctx = unlock(path, "admin", password, options=UnlockOptions(integrity_check=False))
    folder = backup_folder_of(path)
    while True:
        print("writing", flush=True)
        backup = take_backup(ctx, folder)
        print(f"backup {backup.path.name}", flush=True)


def _child_rekey(path: Path, password: str) -> None:
    from boligsag.services.key_rotation import rotate_database_key

    while True:
        print("rotating", flush=True)
        rotate_database_key(path, "admin", password)
        print("rotated", flush=True)


def backup_folder_of(path: Path) -> Path:
    folder = path.parent / "kill-backups"
    folder.mkdir(exist_ok=True)
    return folder


# -- the parent ---------------------------------------------------------------------------


@dataclass
class Tally:
    kills: int = 0
    killed_before_a_save: int = 0
    saves_reported: int = 0
    rows_checked: int = 0
    people: set[str] = field(default_factory=set)
    contacts: set[str] = field(default_factory=set)
    changes: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"{self.kills} kills ({self.killed_before_a_save} before the child's first "
                f"save), {self.saves_reported} saves reported, {self.rows_checked} row "
                f"checks after the kills, all present; integrity_check ok after every kill")


def _start(path: Path, password: str, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "BOLIGSAG_PASSWORD": password,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.Popen([sys.executable, "-m", "tests.integration.crash_harness", mode,
                             str(path)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def _kill_at_random(process: subprocess.Popen[str], rng: random.Random,
                    longest_s: float) -> list[str]:
    time.sleep(rng.uniform(0.0, longest_s))
    process.send_signal(signal.SIGKILL)
    out, _err = process.communicate(timeout=30)
    return out.splitlines()


def _check(path: Path, password: str, tally: Tally) -> None:
    """Open as the app does, integrity_check, and every reported save present."""
    from boligsag.services.unlock import UnlockOptions, lock, unlock
    from boligsag.storage.models import Contact, Person

    ctx = unlock(path, "admin", password, options=UnlockOptions(integrity_check=False))
    try:
        with ctx.db.engine.connect() as conn:
            result = conn.execute(text("PRAGMA integrity_check")).scalars().all()
        assert result == ["ok"], result
        with ctx.read() as unit:
            session = unit.session
            people = {uuid: version for uuid, version in
                      session.execute(select(Person.uuid, Person.version))}
            contacts = set(session.scalars(select(Contact.uuid)))
    finally:
        lock(ctx)
    missing = (tally.people - people.keys()) | (tally.contacts - contacts)
    assert not missing, f"reported saves missing after kill {tally.kills}: {sorted(missing)}"
    stale = {uuid for uuid, version in tally.changes.items() if people[uuid] < version}
    assert not stale, f"reported changes lost after kill {tally.kills}: {sorted(stale)}"
    tally.rows_checked += len(tally.people) + len(tally.contacts) + len(tally.changes)


def kill_saves(path: Path, password: str, kills: int, seed: int,
               longest_s: float = 2.5) -> Tally:
    rng, tally = random.Random(seed), Tally()
    for _ in range(kills):
        lines = _kill_at_random(_start(path, password, "child"), rng, longest_s)
        tally.kills += 1
        tally.killed_before_a_save += not lines
        for line in lines:
            kind, uuid, *rest = line.split()
            tally.saves_reported += 1
            if kind == "person":
                tally.people.add(uuid)
            elif kind == "contact":
                tally.contacts.add(uuid)
            else:
                tally.changes[uuid] = max(tally.changes.get(uuid, 0), int(rest[0]))
        _check(path, password, tally)
    return tally


def kill_password_changes(path: Path, kills: int, seed: int,
                          longest_s: float = 2.0) -> tuple[int, int]:
    """(kills, kills that landed between "changing" and "changed")."""
    from boligsag.services.unlock import UnlockOptions, lock, unlock
    from boligsag.storage.errors import WrongPassword

    rng, current, mid_change = random.Random(seed), 0, 0
    for run in range(kills):
        lines = _kill_at_random(_start(path, PASSWORDS[current], "child-password"), rng,
                                longest_s)
        reported = [line.split() for line in lines]
        done = [int(n) for word, n in reported if word == "changed"]
        pending = reported[-1][0] == "changing" if reported else False
        mid_change += pending
        last = done[-1] if done else current
        maybe = int(reported[-1][1]) if pending else last
        opened = []
        for candidate in {last, maybe}:
            try:
                lock(unlock(path, "admin", PASSWORDS[candidate],
                            options=UnlockOptions(integrity_check=True)))
                opened.append(candidate)
            except WrongPassword:
                pass
        assert len(opened) == 1, f"kill {run}: {len(opened)} of the passwords open it"
        if not pending:
            assert opened == [last], f"kill {run}: a reported change was lost"
        current = opened[0]
    return kills, mid_change


@dataclass
class BackupTally:
    kills: int = 0
    mid_write: int = 0  # killed between "writing" and its "backup" line
    reported: set[str] = field(default_factory=set)
    # Listed backups opened and integrity-checked after a kill (each once: a kill cannot
    # touch a finished backup, which is another file).
    verified: set[str] = field(default_factory=set)

    def summary(self) -> str:
        return (f"backup writing: {self.kills} kills ({self.mid_write} while a backup was "
                f"being written), {len(self.reported)} backups reported and all listed; "
                f"{len(self.verified)} listed backups opened with the password and passed "
                f"integrity_check after the kills; the database itself after every kill")


def kill_backups(path: Path, password: str, kills: int, seed: int,
                 longest_s: float = 3.0) -> BackupTally:
    """Kill a process taking backups without end; after each kill the database opens
    and passes integrity_check, every backup it reported is listed, and every listed
    backup opens with the password in its own key file and passes integrity_check (a
    half-written one is never listed: it has its temporary name)."""
    from boligsag.services.backups import list_backups
    from boligsag.services.restore import inspect_backup
    from boligsag.services.unlock import UnlockOptions, lock, unlock

    rng, tally = random.Random(seed), BackupTally()
    for _ in range(kills):
        lines = _kill_at_random(_start(path, password, "child-backup"), rng, longest_s)
        tally.kills += 1
        tally.mid_write += bool(lines) and lines[-1] == "writing"
        tally.reported |= {line.split()[1] for line in lines if line.startswith("backup ")}
        ctx = unlock(path, "admin", password, options=UnlockOptions(integrity_check=True))
        try:
            listed = list_backups(backup_folder_of(path), ctx)
        finally:
            lock(ctx)
        names = {backup.path.name for backup in listed}
        assert tally.reported <= names, f"reported backups not listed: {tally.reported - names}"
        for backup in listed:
            if backup.path.name not in tally.verified:
                assert inspect_backup(backup.path, "admin", password).rows > 0
                tally.verified.add(backup.path.name)
    return tally


def kill_rotations(path: Path, password: str, kills: int, seed: int,
                   longest_s: float = 4.0) -> tuple[int, int, int]:
    """Kill a process rotating the database key without end; after each kill the
    administrator's password opens the file under whichever key it has (the old or the
    new), it passes integrity_check, its audit log verifies, and it holds the same
    people. (kills, kills during a rotation, rotations reported)."""
    from boligsag.services.audit_check import verify_audit_log
    from boligsag.services.unlock import UnlockOptions, lock, unlock
    from boligsag.storage.models import Person

    def people() -> int:
        ctx = unlock(path, "admin", password, options=UnlockOptions(integrity_check=True))
        try:
            report = verify_audit_log(ctx)
            assert report.problems == (), report.problems
            with ctx.read() as unit:
                return len(unit.session.scalars(select(Person.id)).all())
        finally:
            lock(ctx)

    rng, mid, rotated = random.Random(seed), 0, 0
    before = people()
    for run in range(kills):
        lines = _kill_at_random(_start(path, password, "child-rekey"), rng, longest_s)
        mid += bool(lines) and lines[-1] == "rotating"
        rotated += lines.count("rotated")
        assert people() == before, f"kill {run}: the data changed"
        strays = [p.name for p in path.parent.iterdir() if _a_copy(p)]
        assert not strays, f"kill {run}: a rotation's copy was left behind: {strays}"
    return kills, mid, rotated


# The child processes the parent kills, by the mode it starts them with.
_CHILDREN = {"child": _child, "child-password": _child_password,
             "child-backup": _child_backup, "child-rekey": _child_rekey}


def _a_copy(path: Path) -> bool:
    """A rotation's database copy (or its journal) left beside the database. A killed
    key-file write leaves a temporary file too (atomic.py), holding the key file's JSON
    or nothing: not what this looks for."""
    from boligsag.atomic import TEMP_PREFIX

    if not path.name.startswith(TEMP_PREFIX):
        return False
    with path.open("rb") as handle:
        head = handle.read(1)
    return path.name.endswith("-journal") or head not in (b"", b"{")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=(*_CHILDREN, "run"))
    parser.add_argument("database", type=Path)
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--password-changes", type=int, default=20)
    parser.add_argument("--backup-kills", type=int, default=20)
    parser.add_argument("--rotation-kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    child = _CHILDREN.get(args.mode)
    if child is not None:
        child(args.database, os.environ["BOLIGSAG_PASSWORD"])
        return 0
    if not args.database.exists():  # a new database, as a test's (tests/conftest.py)
        from boligsag.services.setup import create_database
        from tests.conftest import setup_input

        create_database(args.database, setup_input(admin_password=PASSWORDS[0]))
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    started = time.perf_counter()
    tally = kill_saves(args.database, PASSWORDS[0], args.kills, seed)
    print(f"seed {seed}: {tally.summary()} ({time.perf_counter() - started:.0f} s)")
    kills, mid = kill_password_changes(args.database, args.password_changes, seed)
    print(f"password change: {kills} kills, {mid} while the key file was being rewritten; "
          f"exactly one password opened the database after each")
    # The password is PASSWORDS[0] or [1] now: whichever opens it.
    password = next(p for p in PASSWORDS if _opens(args.database, p))
    print(kill_backups(args.database, password, args.backup_kills, seed).summary())
    kills, mid, rotated = kill_rotations(args.database, password, args.rotation_kills, seed)
    print(f"key rotation: {kills} kills ({mid} during a rotation), {rotated} rotations "
          f"finished; after each kill the administrator's password opened the file, "
          f"integrity_check and the audit log passed, the data was all there")
    return 0


def _opens(path: Path, password: str) -> bool:
    from boligsag.services.unlock import UnlockOptions, lock, unlock
    from boligsag.storage.errors import WrongPassword

    try:
        lock(unlock(path, "admin", password, options=UnlockOptions(integrity_check=False)))
    except WrongPassword:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
