"""The administration command line: exit codes, one-line errors, passwords never in argv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from boligsag.cli import main
from boligsag.services.unlock import lock, unlock
from boligsag.storage import recovery_key

from ..conftest import ADMIN_PASSWORD, CreatedDb

INIT_ARGS = ["--organisation", "Boligsocialt Hus Ærtebjerg", "--plan", "Helhedsplan Øst",
             "--area", "Ærtebjerg Øst", "--area", "Søndergården", "--admin-name", "Åse Nørgaard"]


def test_init_creates_database_and_prints_recovery_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    path = tmp_path / "ny.db"
    assert main(["init", str(path), *INIT_ARGS]) == 0
    out = capsys.readouterr().out
    recovery = next(line.strip() for line in out.splitlines() if line.count("-") == 7)
    assert recovery_key.normalize_recovery_key(recovery)
    lock(unlock(path, "admin", ADMIN_PASSWORD))
    # Running it again refuses and names the file.
    assert main(["init", str(path), *INIT_ARGS]) == 1
    assert str(path) in capsys.readouterr().err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "x.db")]) == 2  # required options missing
    assert main(["no-such-command"]) == 2
    capsys.readouterr()


def test_missing_password_without_terminal_is_a_usage_error(
    created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOLIGSAG_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - closed by pytest
    assert main(["check", str(created_db.path)]) == 2
    assert "BOLIGSAG_PASSWORD" in capsys.readouterr().err


def test_check_reports_ok(
    created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    assert main(["check", str(created_db.path)]) == 0
    out = capsys.readouterr().out
    assert "SQLCipher 4" in out and "quick_check ok" in out and out.strip().endswith("ok")


def test_wrong_password_is_one_line_without_traceback(created_db: CreatedDb) -> None:
    env = {**os.environ, "BOLIGSAG_PASSWORD": "forkert-kodeord"}
    result = subprocess.run(
        [sys.executable, "-m", "boligsag", "check", str(created_db.path)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "boligsag check: Wrong username or password."
    assert "Traceback" not in result.stderr


def test_passwd_changes_password(
    created_db: CreatedDb, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The database is opened (to check the key and audit the change), never re-encrypted.
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("BOLIGSAG_NEW_PASSWORD", "et-helt-nyt-kodeord")
    assert main(["passwd", str(created_db.path), "admin"]) == 0
    monkeypatch.setenv("BOLIGSAG_NEW_PASSWORD", "kort")
    monkeypatch.setenv("BOLIGSAG_PASSWORD", "et-helt-nyt-kodeord")
    assert main(["passwd", str(created_db.path), "admin"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    lock(unlock(created_db.path, "admin", "et-helt-nyt-kodeord"))


def test_demo_command_creates_a_database_admin_can_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from boligsag.services.demo import DEMO_PASSWORD

    path = tmp_path / "demo.db"
    assert main(["demo", str(path), "--people", "60", "--contacts", "300"]) == 0
    assert "admin" in capsys.readouterr().out
    ctx = unlock(path, "admin", DEMO_PASSWORD)
    try:
        from boligsag.services.people_search import count_people

        assert count_people(ctx) >= 60
    finally:
        lock(ctx)
    assert main(["demo", str(path), "--people", "5"]) == 2
