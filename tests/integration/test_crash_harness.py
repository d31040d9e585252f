"""kill -9 while saving, changing the password and writing backups (issue 13 §6), a few
times in the test suite; ``python -m tests.integration.crash_harness run DB --kills
1000`` is the full run whose figures are in the closing notes. After every kill the
database opens, passes ``PRAGMA integrity_check`` and holds every save the killed
process reported; after a killed password change exactly one of the two passwords opens
it; after a killed backup every listed backup opens and passes the check; after a
killed key rotation the administrator's password opens the file, old key or new."""

from __future__ import annotations

import os
import random

from tests.integration import crash_harness

from ..conftest import CreatedDb

KILLS = 15
PASSWORD_KILLS = 8
BACKUP_KILLS = 6
ROTATION_KILLS = 6


def _seed() -> int:
    seed = int(os.environ.get("BOLIGSAG_KILL_SEED") or random.randrange(1 << 30))
    print(f"BOLIGSAG_KILL_SEED={seed}")
    return seed


def test_every_reported_save_survives_kill_9(created_db: CreatedDb) -> None:
    assert created_db.password == crash_harness.PASSWORDS[0]
    tally = crash_harness.kill_saves(created_db.path, created_db.password, KILLS, _seed())
    print(tally.summary())
    assert tally.kills == KILLS
    assert tally.saves_reported >= KILLS  # the kills did land among saves, not only before
    assert tally.rows_checked > 0


def test_a_killed_password_change_leaves_exactly_one_password_that_opens(
        created_db: CreatedDb) -> None:
    kills, mid_change = crash_harness.kill_password_changes(
        created_db.path, PASSWORD_KILLS, _seed())
    print(f"{kills} kills, {mid_change} while the key file was being rewritten")
    assert kills == PASSWORD_KILLS


def test_a_killed_backup_is_never_listed_half_written(created_db: CreatedDb) -> None:
    tally = crash_harness.kill_backups(created_db.path, created_db.password, BACKUP_KILLS,
                                       _seed())
    print(tally.summary())
    assert tally.kills == BACKUP_KILLS
    assert tally.reported and tally.verified >= tally.reported


def test_a_killed_key_rotation_leaves_a_file_the_password_opens(created_db: CreatedDb) -> None:
    kills, mid, rotated = crash_harness.kill_rotations(
        created_db.path, created_db.password, ROTATION_KILLS, _seed())
    print(f"{kills} kills, {mid} during a rotation, {rotated} rotations finished")
    assert kills == ROTATION_KILLS and mid + rotated > 0
