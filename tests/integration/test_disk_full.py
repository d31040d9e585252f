"""Disk full while saving (issue 13 §6): a child process saves people until the disk
refuses a write (its file-size limit a little above the database, so the write-ahead
log runs out of room as on a full disk). The user is told in Danish what happened and
what to do, a second save is refused the same way (no crash), and afterwards the
database opens, passes the integrity check and holds every save reported as done."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Person

from ..conftest import CreatedDb

ROOT = Path(__file__).resolve().parents[2]


def test_a_full_disk_refuses_the_save_in_plain_words_and_loses_nothing(
        created_db: CreatedDb) -> None:
    env = {**os.environ, "BOLIGSAG_PASSWORD": created_db.password,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    child = subprocess.run([sys.executable, "-m", "tests.integration.disk_full_child",
                            str(created_db.path)], env=env, capture_output=True, text=True,
                           timeout=120)
    lines = child.stdout.splitlines()
    assert child.returncode == 0, child.stderr[-2000:]
    saved = [line.split()[1] for line in lines if line.startswith("saved ")]
    kind, again, *message = lines[-1].split()[1:]
    assert len(saved) >= 5  # it saved until the room ran out
    assert (kind, again) == ("WriteFailed", "WriteFailed")
    assert " ".join(message) == (
        "Boligsag kunne ikke skrive på disken; den er måske fuld eller defekt. Det, der er "
        "gemt før, er bevaret. Frigør plads (eller spørg jeres it-support), og gem igen.")

    ctx = unlock(created_db.path, "admin", created_db.password,
                 options=UnlockOptions(integrity_check=True))
    try:
        with ctx.db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
        with ctx.read() as unit:
            stored = set(unit.session.scalars(select(Person.uuid)))
    finally:
        lock(ctx)
    assert set(saved) <= stored
