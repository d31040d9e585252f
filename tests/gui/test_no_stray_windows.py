"""Building a page never flashes a window of its own: a widget made visible before it
has a parent opens as a top-level window for a moment (it takes the focus from the main
window, and on a desktop it blinks on the screen). Pages are built when first shown."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from boligsag.ui.event_filter import survives_teardown

from .test_focus_chain import _open_first_person


class WindowsShown(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    @survives_teardown
    def eventFilter(self, watched: object, event: object) -> bool:
        if (isinstance(event, QEvent) and event.type() == QEvent.Type.Show
                and isinstance(watched, QWidget) and watched.isWindow()):
            self.shown.append(f"{type(watched).__name__} {watched.objectName()!r}")
        return False


def test_no_page_or_persons_page_opens_a_stray_window(
        qtbot: QtBot, demo_window: QWidget) -> None:
    window = demo_window
    watcher = WindowsShown()
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(watcher)
    try:
        for page_id in [p.page_id for p in window.pages]:  # type: ignore[attr-defined]
            window.show_page(page_id)  # type: ignore[attr-defined]
            qtbot.wait(200)
        _open_first_person(qtbot, window)
    finally:
        app.removeEventFilter(watcher)
    assert watcher.shown == []
    assert QApplication.activeWindow() is window
