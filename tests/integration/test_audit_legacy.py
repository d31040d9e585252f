"""Databases of the previous version: an unkeyed SHA-256 audit chain and no anchor.

The first unlock with the key verifies the old chain as it was, records in a keyed
entry that (and whether intact) it was converted, and anchors the head. A chain that
was already broken is never silently blessed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from boligsag.cli import main
from boligsag.domain.enums import AuditAction
from boligsag.services import audit_check
from boligsag.services.unlock import lock, unlock
from boligsag.storage import keys
from boligsag.storage.engine import open_engine
from boligsag.storage.models import AuditEntry

from ..conftest import ADMIN_PASSWORD

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "rev0001", tmp_path / "old")
    return tmp_path / "old" / "boligsag.db"


def _check(path: Path, monkeypatch: pytest.MonkeyPatch,
           capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    code = main(["check", str(path)])
    return code, capsys.readouterr().out


def _entries(path: Path) -> list[AuditEntry]:
    ctx = unlock(path, "admin", ADMIN_PASSWORD)
    try:
        with ctx.read() as unit:
            session = unit.session
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    finally:
        lock(ctx)


def test_an_intact_old_chain_is_verified_then_keyed_and_anchored(
    old_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_path = keys.keys_path_for(old_db)
    assert keys.KeyStore.load(keys_path).audit_anchor is None
    code, out = _check(old_db, monkeypatch, capsys)
    assert "unkeyed entries, intact; keyed on the next unlock" in out

    entries = _entries(old_db)
    converted = [e for e in entries if e.action == AuditAction.CHAIN_CONVERTED]
    assert len(converted) == 1
    assert converted[0].detail.endswith("earlier unkeyed entries verified intact")
    # Recorded before the log-in that caused it, and anchored.
    assert entries[entries.index(converted[0]) + 1].action == AuditAction.LOGIN
    assert keys.KeyStore.load(keys_path).audit_anchor is not None

    _entries(old_db)  # a second unlock converts nothing more
    assert sum(e.action == AuditAction.CHAIN_CONVERTED for e in _entries(old_db)) == 1
    code, out = _check(old_db, monkeypatch, capsys)
    assert code == 0, out
    assert "chain and anchor intact" in out


def test_a_broken_old_chain_is_recorded_as_broken_and_stays_reported(
    old_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = keys.KeyStore.load(keys.keys_path_for(old_db))
    _, db_key = store.unwrap_for_user("admin", ADMIN_PASSWORD)
    engine = open_engine(old_db, db_key, integrity_check=False)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET detail = 'edited' WHERE id = 2"))
    engine.dispose()
    code, out = _check(old_db, monkeypatch, capsys)
    assert code == 1 and "Audit entry 2 (" in out

    entries = _entries(old_db)
    (converted,) = [e for e in entries if e.action == AuditAction.CHAIN_CONVERTED]
    assert "already broken at entry 2 (" in converted.detail
    ctx = unlock(old_db, "admin", ADMIN_PASSWORD)
    try:
        report = audit_check.verify_audit_log(ctx)
    finally:
        lock(ctx)
    assert [(p.kind, p.entry_id) for p in report.problems] == [("changed", 2)]
    code, out = _check(old_db, monkeypatch, capsys)
    assert code == 1 and "Audit entry 2 (" in out
