"""The pages not opened yet are built while nobody uses keyboard or mouse (so that
opening one later is instant), one at a time, and never while the user types."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext
from boligsag.ui import idle
from boligsag.ui.events import AppEvents
from boligsag.ui.shell import prebuild
from boligsag.ui.shell.main_window import MainWindow


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prebuild, "FIRST_DELAY_MS", 50)
    monkeypatch.setattr(prebuild, "INTERVAL_MS", 20)
    monkeypatch.setattr(prebuild, "QUIET_MS", 300)
    monkeypatch.setattr(idle, "REST_MS", 100)


def built(window: MainWindow) -> int:
    return len(window.page_classes) - sum(
        1 for row in range(len(window.page_classes)) if row not in window._built)


def open_window(qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> MainWindow:
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    return window


def test_left_alone_every_page_gets_built_and_none_is_shown(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings, quick: None) -> None:
    window = open_window(qtbot, ctx, settings)
    assert built(window) == 1  # the start page: the others wait for a quiet moment
    qtbot.waitUntil(lambda: window._next_unbuilt() is None, timeout=10_000)
    assert window.current_page().page_id == "start"
    assert all(not page.isVisible() for page in window.pages if page.page_id != "start")


def test_nothing_is_built_while_the_user_types(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings, quick: None) -> None:
    window = open_window(qtbot, ctx, settings)
    field = QLineEdit(window)
    field.show()
    for _key in range(15):  # 1.5 s of typing, a key every 100 ms
        qtbot.keyClick(field, "a")
        qtbot.wait(100)
        assert built(window) == 1
    qtbot.waitUntil(lambda: window._next_unbuilt() is None, timeout=10_000)


def test_a_locked_window_builds_nothing(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings, quick: None) -> None:
    window = open_window(qtbot, ctx, settings)
    window.lock_now()
    qtbot.wait(1_000)
    assert built(window) == 1
