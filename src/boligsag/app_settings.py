"""Per-user application settings, declared in one place with their types and defaults.

These are machine-local preferences (language, which database was opened last, window
geometry, idle-lock minutes), stored as JSON in the platform's user config folder.
Organisation-wide settings live encrypted inside the database instead
(``services.org_settings``). Nothing about residents is ever written here: the only
name stored is the staff login last used, which the login screen shows anyway.

No Qt import, so the CLI and the tests can use it; writes are atomic (temp file in the
same folder, fsync, ``os.replace``) so a crash never leaves half a settings file.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs

from boligsag.atomic import atomic_write
from boligsag.i18n import DEFAULT_LANGUAGE, LANGUAGES

APP_NAME = "Boligsag"
CONFIG_DIR_ENV = "BOLIGSAG_CONFIG_DIR"
SETTINGS_FILE = "settings.json"

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class SettingSpec(Generic[T]):
    """One setting: its key in the file, its type, default, and an optional check.

    A stored value of the wrong type, or one the check rejects, reads as the default,
    so a hand-edited or damaged file can never stop the application from starting.
    """

    key: str
    type_: type[T]
    default: T
    check: Callable[[T], bool] | None = None

    def coerce(self, value: Any) -> T:
        # bool is an int subclass in Python; never accept True as a number of minutes.
        if type(value) is not self.type_:
            return self.default
        if self.check is not None and not self.check(value):
            return self.default
        return value


LANGUAGE = SettingSpec("language", str, DEFAULT_LANGUAGE, lambda v: v in LANGUAGES)
LAST_DATABASE = SettingSpec("last_database", str, "")
LAST_USERNAME = SettingSpec("last_username", str, "")
WINDOW_GEOMETRY = SettingSpec("window_geometry", str, "")  # base64 of saveGeometry()
IDLE_LOCK_MINUTES = SettingSpec("idle_lock_minutes", int, 10, lambda v: 1 <= v <= 240)
# The look: follow the system (high contrast when Windows' high-contrast theme or a dark
# theme is on), or the user's own choice of "high" or "standard" (View → High contrast).
CONTRAST_CHOICES = ("system", "high", "standard")
CONTRAST = SettingSpec("contrast", str, "system", lambda v: v in CONTRAST_CHOICES)

ALL_SETTINGS: tuple[SettingSpec[Any], ...] = (
    LANGUAGE, LAST_DATABASE, LAST_USERNAME, WINDOW_GEOMETRY, IDLE_LOCK_MINUTES, CONTRAST,
)


def data_dir(platform: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the default database and its key file.

    Windows: ``%LOCALAPPDATA%\\Boligsag``, the local profile, never the roaming one
    (``%APPDATA%``), which a domain log-off copies to a server: a multi-gigabyte
    encrypted database must stay on the laptop. Elsewhere platformdirs' user data
    folder (``~/.local/share/Boligsag``). ``platform`` and ``environ`` default to this
    process's; the tests pass Windows' values.
    """
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform == "win32":
        local = environ.get("LOCALAPPDATA", "").strip()
        if local:
            return Path(local) / APP_NAME
        # No LOCALAPPDATA (a service account's bare environment): ask Windows itself,
        # still for the local folder.
        from platformdirs.windows import Windows

        return Path(Windows(APP_NAME, appauthor=False, roaming=False).user_data_dir)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir(platform: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The folder of ``settings.json``: ``BOLIGSAG_CONFIG_DIR`` when set; on Windows the
    data folder (Windows has no separate place for settings that stay local);
    elsewhere platformdirs' user config folder (``~/.config/Boligsag``)."""
    environ = os.environ if environ is None else environ
    override = environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override)
    if (platform or sys.platform) == "win32":
        return data_dir(platform, environ)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_database_path(platform: str | None = None,
                          environ: Mapping[str, str] | None = None) -> Path:
    return data_dir(platform, environ) / "boligsag.db"


class AppSettings:
    """The settings file of one user. Reads once; every ``set`` writes the file."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else config_dir()
        self.path = self.directory / SETTINGS_FILE
        self._values: dict[str, Any] = self._load()

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            # Start with defaults rather than refuse to start; the next save repairs it.
            log.warning("ignoring unreadable settings file %s: %s", self.path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, spec: SettingSpec[T]) -> T:
        return spec.coerce(self._values.get(spec.key, spec.default))

    def set(self, spec: SettingSpec[T], value: T) -> None:
        if type(value) is not spec.type_ or (spec.check is not None and not spec.check(value)):
            raise ValueError(f"invalid value for setting {spec.key!r}: {value!r}")
        if self._values.get(spec.key) == value:
            return
        self._values[spec.key] = value
        self.save()

    def save(self) -> None:
        known = {spec.key for spec in ALL_SETTINGS}
        # Only declared keys are written: an unknown key from a newer version is dropped
        # rather than carried along unchecked.
        data = {k: v for k, v in self._values.items() if k in known}
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        atomic_write(self.path, text.encode("utf-8"))

    def database_path(self) -> Path:
        """The database to open when no ``--db`` is given."""
        last = self.get(LAST_DATABASE)
        return Path(last) if last else default_database_path()
