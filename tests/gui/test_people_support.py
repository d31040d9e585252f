"""Shared set-up for the people, quick-log, contacts and start-page GUI tests: records
made through the services, and the keyboard as a user has it (keys go to whatever has
the focus)."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.ui.pages.people import PeoplePage
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, type_text

D = TypeVar("D", bound=QDialog)


def make_person(ctx: AppContext, first: str, last: str, born: date | None = None,
                **fields: object) -> int:
    draft = PersonDraft(first, last, birth_date=born, **fields)  # type: ignore[arg-type]
    return create_person(ctx, draft).person.id


def focused(qtbot: QtBot) -> QWidget:
    """The widget the keyboard types into (waits until there is one)."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5_000)
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier =
          Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(qtbot), key, modifier)


def type_keys(qtbot: QtBot, text: str) -> None:
    type_text(qtbot, focused(qtbot), text)


def top_dialog(qtbot: QtBot, kind: type[D], name: str) -> D:
    """The visible dialog ``name``, wherever it is parented."""
    found: list[D] = []

    def shown() -> bool:
        # Windows only (a dialog is one, parented or not): wrapping every widget of the
        # application for Python, some of them being torn down by a test before, once
        # crashed the interpreter in a full run.
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, kind) and shiboken6.isValid(w)
                    and w.objectName() == name and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=5_000)
    dialog = found[-1]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)  # keys now go to it
    return dialog


def back_to(qtbot: QtBot, window: QWidget) -> None:
    """After a dialog closed: a window manager hands the activation back to the main
    window; offscreen there is none, so the test does."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)


def trigger(window: QWidget, name: str) -> None:
    action = child(window, QAction, name)
    assert action.isEnabled(), f"{name} is disabled"
    action.trigger()


def open_people(qtbot: QtBot, window: MainWindow) -> PeoplePage:
    trigger(window, "actionShow_people")
    page = window.page("people")
    assert isinstance(page, PeoplePage)
    qtbot.waitUntil(lambda: page.list_view.model.ever_loaded
                    and not page.list_view.searching(), timeout=10_000)
    return page


def open_person(qtbot: QtBot, window: MainWindow, person_id: int) -> PeoplePage:
    window.open_person(person_id)
    page = window.page("people")
    assert isinstance(page, PeoplePage)
    view = page.person_view
    qtbot.waitUntil(lambda: view.page is not None and view.page.detail.person.id == person_id
                    and view.timeline.loaded and not view.timeline.loading, timeout=10_000)
    return page
