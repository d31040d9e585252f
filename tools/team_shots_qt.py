"""Driving the real app for tools/team_screenshots.py: waiting for what the user would see
(failing the series with the step named when it does not come), typing as a keyboard
does, the numbered PNGs, and a join's pull held mid-way for its progress shot."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from team_shots_server import StepFailed, log

TIMEOUT = 10.0  # seconds a step may take before the series fails


def wait_until(what: str, condition: Callable[[], object], timeout: float = TIMEOUT) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise StepFailed(f"not within {timeout:.0f} s: {what}")
        QApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.5) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)


def type_text(widget: Any, text: str) -> None:
    """As a Danish keyboard delivers it (QTest.keyClicks only knows ASCII)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for char in text:
        if char.isascii():
            QTest.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def focused() -> Any:
    from PySide6.QtWidgets import QApplication

    wait_until("a widget with the keyboard focus", QApplication.focusWidget)
    return QApplication.focusWidget()


def press(key: Any, modifier: Any = None) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(focused(), key, modifier or Qt.KeyboardModifier.NoModifier)
    settle(0.1)


def visible_dialog(name: str) -> Any:
    from PySide6.QtWidgets import QApplication, QDialog

    found: list[Any] = []

    def shown() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)
                    and w.objectName() == name and w.isVisible()]
        return bool(found)
    wait_until(f"the dialog {name}", shown)
    return found[0]


def closed(dialog: Any) -> bool:
    """Closed, or deleted (most dialogs delete themselves on close)."""
    import shiboken6

    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def child(parent: Any, kind: Any, name: str) -> Any:
    widget = parent.findChild(kind, name)
    if widget is None:
        raise StepFailed(f"no {kind.__name__} {name}")
    return widget


class Series:
    """The numbered PNGs, each with what it shows (printed at the end)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.shots: list[tuple[Path, str]] = []
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("[0-9][0-9]-*.png"):
            old.unlink()

    def save(self, widget: Any, name: str, caption: str, *, screen: bool = False) -> None:
        """``screen``: the whole (virtual) screen, with tooltips and popups on it."""
        from PySide6.QtWidgets import QApplication

        settle(0.6)
        path = self.out / f"{len(self.shots) + 1:02d}-{name}.png"
        picture = (QApplication.primaryScreen().grabWindow(0) if screen
                   else widget.grab())
        if not picture.save(str(path)):
            raise StepFailed(f"could not save {path}")
        self.shots.append((path, caption))
        log(f"{path}: {caption}")


class HeldPull:
    """Small pull pages, and the join's pull held after its second page until the
    screenshot of the progress bar is taken (so the bar is caught mid-pull)."""

    def __init__(self) -> None:
        self.waiting = threading.Event()
        self.release = threading.Event()

    def __enter__(self) -> HeldPull:
        from boligsag.services.sync_client import engine
        from boligsag.services.sync_client.transport import ServerConnection

        self._limit, self._pull = engine.FIRST_PULL_LIMIT, ServerConnection.pull
        engine.FIRST_PULL_LIMIT = 20
        pages = [0]
        original = self._pull

        def pull(connection: Any, cursor: str | None, limit: int) -> Any:
            pages[0] += 1
            if pages[0] == 3:
                self.waiting.set()
                self.release.wait(60)
            return original(connection, cursor, limit)
        ServerConnection.pull = pull  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        from boligsag.services.sync_client import engine
        from boligsag.services.sync_client.transport import ServerConnection

        self.release.set()
        engine.FIRST_PULL_LIMIT = self._limit
        ServerConnection.pull = self._pull  # type: ignore[method-assign]
