"""View → High contrast: the choice is saved and applies at the next start, and the
start follows it (or the system's wish when the user has not chosen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from boligsag.app_settings import CONTRAST, AppSettings
from boligsag.ui.shell import contrast
from boligsag.ui.shell.contrast import chosen_scheme
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.theme import HIGH_CONTRAST, STANDARD


def test_the_choice_is_saved_and_said_to_apply_at_the_next_start(
        qtbot: QtBot, main_window: MainWindow, settings: AppSettings) -> None:
    action = main_window.findChild(QAction, "actionHighContrast")
    assert action is not None and action.isCheckable() and not action.isChecked()
    said: list[str] = []

    def close_message() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        said.append(box.text())
        box.accept()

    QTimer.singleShot(0, close_message)
    action.trigger()
    assert settings.get(CONTRAST) == "high"
    assert said == ["Boligsag starter med høj kontrast fra næste gang, programmet åbnes."]
    QTimer.singleShot(0, close_message)
    action.trigger()
    assert settings.get(CONTRAST) == "standard"


@pytest.mark.parametrize(("choice", "system_high", "expected"), [
    ("high", False, HIGH_CONTRAST), ("standard", True, STANDARD),
    ("system", True, HIGH_CONTRAST), ("system", False, STANDARD)])
def test_the_start_follows_the_choice_else_the_system(
        settings: AppSettings, monkeypatch: pytest.MonkeyPatch, choice: str,
        system_high: bool, expected: object) -> None:
    settings.set(CONTRAST, choice)
    monkeypatch.setattr(contrast, "system_wants_high_contrast", lambda _app: system_high)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert chosen_scheme(settings, app) is expected


def test_the_start_up_module_loads_no_module_that_holds_a_colour() -> None:
    """``boligsag`` imports ui/shell/app.py before the look is chosen: nothing it loads
    may take the theme's colours as names, or that module keeps the standard look."""
    import subprocess
    import sys

    probe = ("import sys\nimport boligsag.ui.shell.app\nfrom boligsag.ui import theme\n"
             "print(sorted(n for n, m in sys.modules.items() if n.startswith('boligsag.ui.')"
             " and n != 'boligsag.ui.theme' and any(isinstance(getattr(m, c, None), str)"
             " for c in theme.COLOUR_NAMES)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ,
                                            "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
