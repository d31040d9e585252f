"""A rename onto a file another process holds open: on Windows ``os.replace`` raises
PermissionError (WinError 5 or 32) while a virus scanner or the indexer looks at the
file, or for as long as Excel keeps an export open. ``atomic`` tries again for a bounded
time, then says so clearly — and in every case the target is the old file or the new
one, and no temporary file is left behind.

Windows is simulated: ``os.replace`` is replaced by one that fails the way Windows does,
and ``IN_USE_PLATFORMS`` names this platform (the rule that decides is tested apart)."""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from boligsag import atomic
from boligsag.app_settings import LANGUAGE, AppSettings
from boligsag.i18n import tr_in

SHARING_VIOLATION = "The process cannot access the file because it is being used by " \
    "another process"


def windows_replace(monkeypatch: pytest.MonkeyPatch, failures: int) -> list[Path]:
    """``os.replace`` fails ``failures`` times as Windows does with the target open,
    then works; returns the targets it was called with."""
    real = os.replace
    calls: list[Path] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(Path(dst))
        if len(calls) <= failures:
            raise PermissionError(13, SHARING_VIOLATION)
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return calls


@pytest.fixture
def on_windows(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """This platform treated as Windows by ``atomic``; the waits recorded, not slept."""
    slept: list[float] = []
    monkeypatch.setattr(atomic, "IN_USE_PLATFORMS", frozenset({sys.platform}))
    monkeypatch.setattr(atomic, "time", SimpleNamespace(sleep=slept.append))
    return slept


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_permission_error_means_in_use_only_on_windows() -> None:
    sharing = PermissionError(13, SHARING_VIOLATION)
    assert atomic.in_use(sharing, "win32")
    assert atomic.in_use(OSError(13, "Access is denied"), "win32")  # errno 13 is one too
    assert not atomic.in_use(sharing, "linux")
    assert not atomic.in_use(sharing, "darwin")
    assert not atomic.in_use(FileNotFoundError(2, "gone"), "win32")
    assert not atomic.in_use(OSError(28, "No space left on device"), "win32")


def test_the_waits_grow_and_are_bounded() -> None:
    delays = atomic.IN_USE_DELAYS
    assert len(delays) >= 3
    assert all(a < b for a, b in itertools.pairwise(delays))
    assert 1.0 <= sum(delays) <= 3.0  # longer than a scanner holds a file; not a hang


@pytest.mark.parametrize("write", [
    pytest.param(lambda path: atomic.atomic_write(path, b"new"), id="write"),
    pytest.param(lambda path: atomic.atomic_copy(path.with_name("source"), path), id="copy"),
])
def test_a_file_held_for_a_moment_is_replaced_after_a_few_tries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_windows: list[float],
        write: Callable[[Path], None]) -> None:
    target = tmp_path / "Bolig æøå" / "rapport.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old")
    target.with_name("source").write_bytes(b"new")
    calls = windows_replace(monkeypatch, failures=3)
    write(target)
    assert target.read_bytes() == b"new"
    assert len(calls) == 4 and set(calls) == {target}
    assert on_windows == list(atomic.IN_USE_DELAYS[:3])
    assert sorted(files(target.parent)) == ["rapport.xlsx", "source"]  # no temp left


def test_a_file_that_stays_in_use_is_a_clear_error_and_nothing_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_windows: list[float]) -> None:
    target = tmp_path / "Mine Dokumenter" / "eksport.csv"
    target.parent.mkdir()
    target.write_bytes(b"last month")
    calls = windows_replace(monkeypatch, failures=10_000)
    with pytest.raises(atomic.FileInUse) as raised:
        atomic.atomic_write(target, b"this month")
    assert files(target.parent) == {"eksport.csv": b"last month"}
    assert len(calls) == len(atomic.IN_USE_DELAYS) + 1
    assert on_windows == list(atomic.IN_USE_DELAYS)
    error = raised.value
    # The command line: English, with Windows' reason; the UI: Danish, without it.
    assert str(error).startswith("The file could not be replaced because another program")
    assert str(error).endswith(f"({SHARING_VIOLATION})")
    assert error.in_language("da").startswith("Filen kunne ikke erstattes, fordi et andet")
    assert error.in_language("da") == tr_in("da", error.source)
    assert "eksport" not in str(error)  # no file name: it may hold a person's name
    assert isinstance(error.__cause__, PermissionError)


def test_on_linux_a_permission_error_is_reported_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(atomic, "time", SimpleNamespace(sleep=slept.append))
    target = tmp_path / "settings.json"
    target.write_bytes(b"{}")
    calls = windows_replace(monkeypatch, failures=1)
    with pytest.raises(PermissionError):
        atomic.atomic_write(target, b"new")
    assert (len(calls), slept) == (1, [])
    assert files(tmp_path) == {"settings.json": b"{}"}


def test_other_errors_are_not_tried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          on_windows: list[float]) -> None:
    def full(_src: object, _dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OSError, match="No space"):
        atomic.atomic_write(tmp_path / "a.txt", b"x")
    assert on_windows == [] and list(tmp_path.iterdir()) == []


def test_the_settings_file_survives_a_scanner(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, on_windows: list[float]) -> None:
    settings = AppSettings(tmp_path / "Søren Ærø" / "Boligsag")
    windows_replace(monkeypatch, failures=2)
    settings.set(LANGUAGE, "en")
    assert AppSettings(settings.directory).get(LANGUAGE) == "en"
    assert [p.name for p in settings.directory.iterdir()] == ["settings.json"]
