"""Per-user settings (no Qt in the module itself; tested here with the shell)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boligsag import app_settings
from boligsag.app_settings import (
    IDLE_LOCK_MINUTES,
    LANGUAGE,
    LAST_DATABASE,
    WINDOW_GEOMETRY,
    AppSettings,
    default_database_path,
)


def test_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path)
    assert settings.get(LANGUAGE) == "da"
    assert settings.get(IDLE_LOCK_MINUTES) == 10
    assert settings.get(WINDOW_GEOMETRY) == ""
    assert settings.database_path() == default_database_path()
    assert default_database_path().name == "boligsag.db"
    assert not settings.path.exists()  # reading never writes


def test_values_survive_a_restart_and_the_file_is_private(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path / "cfg")
    settings.set(LANGUAGE, "en")
    settings.set(LAST_DATABASE, "/data/Ærtebjerg/boligsag.db")
    again = AppSettings(tmp_path / "cfg")
    assert again.get(LANGUAGE) == "en"
    assert again.database_path() == Path("/data/Ærtebjerg/boligsag.db")
    assert json.loads(settings.path.read_text(encoding="utf-8"))["language"] == "en"
    assert settings.path.stat().st_mode & 0o077 == 0
    assert [p.name for p in settings.directory.iterdir()] == ["settings.json"]  # no temp left


def test_invalid_values_are_refused_and_bad_files_read_as_defaults(tmp_path: Path) -> None:
    settings = AppSettings(tmp_path)
    with pytest.raises(ValueError):
        settings.set(LANGUAGE, "sv")
    with pytest.raises(ValueError):
        settings.set(IDLE_LOCK_MINUTES, True)  # a bool is not a number of minutes
    (tmp_path / "settings.json").write_text('{"language": 3, "idle_lock_minutes": 0, '
                                            '"unknown": "x"}', encoding="utf-8")
    damaged = AppSettings(tmp_path)
    assert damaged.get(LANGUAGE) == "da" and damaged.get(IDLE_LOCK_MINUTES) == 10
    damaged.set(IDLE_LOCK_MINUTES, 5)
    assert "unknown" not in json.loads((tmp_path / "settings.json").read_text())
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    assert AppSettings(tmp_path).get(IDLE_LOCK_MINUTES) == 10


def test_the_environment_variable_moves_the_folder(config_dir: Path) -> None:
    # ``config_dir`` (the fixture) set BOLIGSAG_CONFIG_DIR; tests never touch the
    # developer's real settings.
    assert app_settings.config_dir() == config_dir == AppSettings().directory
