"""The audit log proves something: a keyed chain anchored in the key file.

Every way of tampering with the log found by the attack on issue 8 (an edited entry, a
deleted one, a cut-off tail, an emptied log, a chain rewritten with plain SHA-256 or
with a wrong key) is detected by the check after unlock and by ``boligsag check``, which
name the entry and its time but never a person.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from boligsag.cli import main
from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.engine import open_engine

from ..conftest import ADMIN_PASSWORD, CreatedDb

Tamper = Callable[[Connection], None]


def _open(created_db: CreatedDb, clock: FixedClock) -> AppContext:
    return unlock(created_db.path, "admin", ADMIN_PASSWORD, clock=clock,
                  options=UnlockOptions(integrity_check=False))


def _view(ctx: AppContext, n: int) -> None:
    for i in range(n):
        with ctx.write(None) as unit:
            unit.audit(AuditAction.VIEW, entity="people", detail=f"view {i}")


@pytest.fixture
def used_db(created_db: CreatedDb, clock: FixedClock) -> CreatedDb:
    """A database with a log-in and six views in its log."""
    ctx = _open(created_db, clock)
    try:
        _view(ctx, 6)
    finally:
        lock(ctx)
    return created_db


def _db_key(created_db: CreatedDb) -> bytes:
    store = keys.KeyStore.load(keys.keys_path_for(created_db.path))
    return store.unwrap_for_user("admin", ADMIN_PASSWORD)[1]


def _tamper(created_db: CreatedDb, change: Tamper) -> None:
    """What someone with the database key and an SQL shell can do."""
    engine = open_engine(created_db.path, _db_key(created_db), integrity_check=False)
    try:
        with engine.begin() as connection:
            change(connection)
    finally:
        engine.dispose()


def _rows(connection: Connection) -> list[dict[str, object]]:
    result = connection.execute(text("SELECT * FROM audit_entries ORDER BY id"))
    return [dict(row._mapping) for row in result]


def _payload(prev: str, row: dict[str, object]) -> bytes:
    # The link format, as anyone reading the source knows it.
    at = row["at"]
    at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    return json.dumps([prev, at.isoformat(timespec="microseconds"), row["user_id"],
                       row["username"], row["action"], row["entity"], row["entity_uuid"],
                       row["person_uuid"], row["detail"]],
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rewrite(connection: Connection, digest: Callable[[bytes], str]) -> None:
    """Change an entry's text and recompute every link after it."""
    prev = "0" * 64
    for row in _rows(connection):
        if row["id"] == 3:
            row["detail"] = "rewritten afterwards"
        new_hash = digest(_payload(prev, row))
        connection.execute(text("UPDATE audit_entries SET detail = :d, prev_hash = :p, "
                                "hash = :h WHERE id = :i"),
                           {"d": row["detail"], "p": prev, "h": new_hash, "i": row["id"]})
        prev = new_hash


def edit_one(c: Connection) -> None:
    c.execute(text("UPDATE audit_entries SET detail = 'edited afterwards' WHERE id = 3"))


def delete_one(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_entries WHERE id = 3"))


def cut_tail(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_entries WHERE id > (SELECT max(id) - 3 "
                   "FROM audit_entries)"))


def delete_all(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_entries"))


def rewrite_plain(c: Connection) -> None:
    _rewrite(c, lambda data: hashlib.sha256(data).hexdigest())


def rewrite_wrong_key(c: Connection) -> None:
    key = secrets.token_bytes(32)
    _rewrite(c, lambda data: hmac.new(key, data, "sha256").hexdigest())


TAMPERING = [edit_one, delete_one, cut_tail, delete_all, rewrite_plain, rewrite_wrong_key]


def _check(created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    code = main(["check", str(created_db.path)])
    return code, capsys.readouterr().out


def test_an_intact_log_passes_the_check(
    used_db: CreatedDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 0, out
    assert "audit log:  8 entries, chain and anchor intact" in out


@pytest.mark.parametrize("change", TAMPERING, ids=lambda f: f.__name__)
def test_boligsag_check_detects_tampering(
    used_db: CreatedDb, change: Tamper, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _tamper(used_db, change)
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 1, out
    line = next(line for line in out.splitlines() if line.startswith("audit log:"))
    assert "broken:" in line
    assert re.search(r"entry \d+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)", line)  # where
    assert "Nørgaard" not in out and str(used_db.path.parent) not in out
    assert out.strip().endswith("problems found")


@pytest.mark.parametrize("change", TAMPERING, ids=lambda f: f.__name__)
def test_the_check_after_unlock_detects_tampering(
    used_db: CreatedDb, clock: FixedClock, change: Tamper
) -> None:
    from boligsag.services import audit_check

    _tamper(used_db, change)
    ctx = _open(used_db, clock)  # writes its log-in entry to the damaged log
    try:
        _view(ctx, 4)  # and a few saves: none of them may hide the damage
        report = audit_check.verify_audit_log(ctx)
        assert not report.ok
        message = audit_check.message_for(ctx, report)
        assert message and "Nørgaard" not in message
    finally:
        lock(ctx)


def test_where_it_breaks_names_the_entry(
    used_db: CreatedDb, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _tamper(used_db, edit_one)
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 1
    assert "Audit entry 3 (2026-11-25 10:30:00) was changed after it was written." in out
    _tamper(used_db, delete_one)
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 1
    assert "Audit entry 4 (2026-11-25 10:30:00) does not follow the entry before it" in out


def test_the_anchor_follows_every_save_and_cannot_be_edited(
    used_db: CreatedDb, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys_path = keys.keys_path_for(used_db.path)
    anchor = keys.KeyStore.load(keys_path).audit_anchor
    assert anchor is not None and anchor["entry_id"] == 8
    doc = json.loads(keys_path.read_text(encoding="utf-8"))
    doc["audit_anchor"]["entry_id"] = 6  # as if entries 7 and 8 had never been written
    keys_path.write_text(json.dumps(doc), encoding="utf-8")
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 1 and "anchor in the key file was altered" in out


def test_a_removed_anchor_is_reported_not_recreated(
    used_db: CreatedDb, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys_path = keys.keys_path_for(used_db.path)
    doc = json.loads(keys_path.read_text(encoding="utf-8"))
    doc["audit_anchor"] = None
    keys_path.write_text(json.dumps(doc), encoding="utf-8")
    ctx = _open(used_db, clock)
    lock(ctx)
    assert keys.KeyStore.load(keys_path).audit_anchor is None
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 1 and "no longer records the audit log's newest entry" in out


def test_saves_after_a_cut_tail_do_not_hide_it(
    used_db: CreatedDb, clock: FixedClock, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # SQLite reuses the ids of deleted newest rows; new entries past the old anchor must
    # not move it onto a chain that no longer contains the anchored entry.
    _tamper(used_db, cut_tail)
    ctx = _open(used_db, clock)
    try:
        _view(ctx, 6)
    finally:
        lock(ctx)
    anchor = keys.KeyStore.load(keys.keys_path_for(used_db.path)).audit_anchor
    assert anchor is not None and anchor["entry_id"] == 8
    code, out = _check(used_db, monkeypatch, capsys)
    assert code == 1 and "is not the entry the key file records" in out


def test_the_anchor_only_moves_forward_with_several_programs(used_db: CreatedDb) -> None:
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from boligsag.domain.enums import AuditAction\n"
        "from boligsag.services.unlock import UnlockOptions, lock, unlock\n"
        "ctx = unlock(sys.argv[1], 'admin', sys.argv[2],"
        " options=UnlockOptions(integrity_check=False))\n"
        "for i in range(8):\n"
        "    with ctx.write(None) as unit:\n"
        "        unit.audit(AuditAction.VIEW, entity='people', detail='p')\n"
        "lock(ctx)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(used_db.path), ADMIN_PASSWORD],
                              env=env) for _ in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    anchor = keys.KeyStore.load(keys.keys_path_for(used_db.path)).audit_anchor
    assert anchor is not None and anchor["entry_id"] == 8 + 4 * 9
