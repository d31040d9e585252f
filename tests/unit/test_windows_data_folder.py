"""On Windows the database, its key file and the settings live in
``%LOCALAPPDATA%\\Boligsag`` — the local profile, never the roaming ``%APPDATA%`` that a
domain log-off copies to a server (a multi-gigabyte encrypted database must not roam),
and never the program folder the uninstaller removes. The platform and environment are
passed in, so Windows' answers are checked here on Linux, with a user name that has
æøå and spaces in it."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import pytest

from boligsag import app_settings
from boligsag.app_settings import AppSettings, config_dir, data_dir, default_database_path

LOCAL = r"C:\Users\Søren Ærø Åberg\AppData\Local"
ROAMING = r"C:\Users\Søren Ærø Åberg\AppData\Roaming"
WINDOWS_ENV = {"LOCALAPPDATA": LOCAL, "APPDATA": ROAMING, "USERPROFILE": r"C:\Users\Søren"}


def windows(path: Path) -> PureWindowsPath:
    """A path built on Linux from Windows' parts, read as Windows would."""
    return PureWindowsPath(str(path))


def test_the_database_is_under_localappdata_not_roaming() -> None:
    assert windows(default_database_path("win32", WINDOWS_ENV)) == PureWindowsPath(
        LOCAL, "Boligsag", "boligsag.db")
    assert not str(data_dir("win32", WINDOWS_ENV)).startswith(ROAMING)


def test_the_settings_sit_beside_it_unless_the_override_is_set() -> None:
    assert windows(config_dir("win32", WINDOWS_ENV)) == PureWindowsPath(LOCAL, "Boligsag")
    chosen = {**WINDOWS_ENV, app_settings.CONFIG_DIR_ENV: r"D:\Profiler\Åse"}
    assert windows(config_dir("win32", chosen)) == PureWindowsPath(r"D:\Profiler\Åse")


def test_the_installers_program_folder_is_a_different_folder() -> None:
    """The per-user installer puts the program in %LOCALAPPDATA%\\Programs\\Boligsag and
    removes that folder on uninstall; the data folder must not be it or inside it."""
    program = PureWindowsPath(LOCAL, "Programs", "Boligsag")
    data = windows(data_dir("win32", WINDOWS_ENV))
    assert data != program and program not in data.parents
    # ... and the script's idea of the data folder is this one.
    script = (Path(__file__).resolve().parents[2] / "installer" / "windows"
              / "boligsag.nsi").read_text("utf-8")
    assert '!define DATA_SUBDIR "Boligsag"' in script
    assert data.name == "Boligsag"


def test_without_localappdata_windows_own_local_folder_is_asked(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare environment (a service account): platformdirs asks Windows for the local
    folder. Here its override variables stand in for Windows' answer."""
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", LOCAL)
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", ROAMING)
    assert windows(data_dir("win32", {})) == PureWindowsPath(LOCAL, "Boligsag")


def test_linux_keeps_the_xdg_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert default_database_path("linux", {}) == tmp_path / "data" / "Boligsag" / "boligsag.db"
    assert config_dir("linux", {}) == tmp_path / "config" / "Boligsag"


def test_a_real_folder_with_aeoeaa_and_spaces_works_as_the_profile(tmp_path: Path) -> None:
    """The same function with a LOCALAPPDATA that exists: settings are written, read
    back and point at the database there."""
    local = tmp_path / "Users" / "Søren Ærø Åberg" / "AppData" / "Local"
    env = {"LOCALAPPDATA": str(local)}
    settings = AppSettings(config_dir("win32", env))
    settings.set(app_settings.LAST_DATABASE, str(default_database_path("win32", env)))
    again = AppSettings(local / "Boligsag")
    assert again.database_path() == local / "Boligsag" / "boligsag.db"
    assert (local / "Boligsag" / "settings.json").is_file()
