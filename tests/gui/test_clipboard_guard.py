"""A CPR number copied from Boligsag leaves the clipboard (issue 13 §6;
ui/clipboard_guard.py): after the delay (30 s in the app, shortened here), at once when
the real main window locks, and never other text or text copied since."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from boligsag.ui.clipboard_guard import CLEAR_AFTER_MS, ClipboardGuard
from boligsag.ui.shell.main_window import MainWindow


def test_a_copied_cpr_number_is_cleared_after_the_delay_and_other_text_stays(
        qtbot: QtBot) -> None:
    assert CLEAR_AFTER_MS == 30_000
    window = QWidget()  # Boligsag active: the copies are its own
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.applicationState()
                    == Qt.ApplicationState.ApplicationActive, timeout=5_000)
    clipboard = QGuiApplication.clipboard()
    guard = ClipboardGuard(clear_after_ms=200)
    try:
        clipboard.setText("Amira Hassan, 010190-1234")
        qtbot.waitUntil(lambda: clipboard.text() == "", timeout=5_000)
        clipboard.setText("Ring til Amira på 20 30 40 50")  # no CPR number
        qtbot.wait(500)
        assert clipboard.text() == "Ring til Amira på 20 30 40 50"
        clipboard.setText("0101901234")
        clipboard.setText("noget andet")  # copied over before the delay: kept
        qtbot.wait(500)
        assert clipboard.text() == "noget andet"
    finally:
        guard.detach()


def test_a_cpr_number_another_program_copied_is_left_alone(qtbot: QtBot) -> None:
    """Boligsag not active and not the owner: not its copy (the timer never starts)."""
    clipboard = QGuiApplication.clipboard()
    guard = ClipboardGuard(clear_after_ms=200)
    try:
        if QGuiApplication.applicationState() == Qt.ApplicationState.ApplicationActive:
            guard._ours = lambda: False  # type: ignore[method-assign]  # another program
        clipboard.setText("Fra Nexus: 010190-1234")
        qtbot.wait(500)
        assert clipboard.text() == "Fra Nexus: 010190-1234"
        assert not guard.timer.isActive()
    finally:
        guard.detach()


def test_locking_the_window_clears_a_copied_cpr_number_at_once(
        qtbot: QtBot, main_window: MainWindow) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("CPR 311290-1234")
    assert clipboard.text() == "CPR 311290-1234"
    main_window.lock_now()
    assert clipboard.text() == ""
