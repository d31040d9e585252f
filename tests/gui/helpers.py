"""Driving widgets the way a user does: find them by objectName, type, click."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QListWidget, QWidget
from pytestqt.qtbot import QtBot

T = TypeVar("T", bound=QObject)


def child(parent: QObject, kind: type[T], name: str) -> T:
    found = parent.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name!r} in {parent.objectName()!r}"
    return found


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Like ``qtbot.keyClicks``, which only knows ASCII: æ, ø, å, ş... arrive as key
    events carrying their text, as a Danish keyboard delivers them."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, char))


def type_into(qtbot: QtBot, parent: QWidget, name: str, text: str) -> QLineEdit:
    edit = child(parent, QLineEdit, name)
    edit.clear()
    edit.setFocus()
    type_text(qtbot, edit, text)
    assert edit.text() == text
    return edit


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = child(parent, QAbstractButton, name)
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def click_list_row(qtbot: QtBot, view: QListWidget, row: int) -> None:
    rect = view.visualItemRect(view.item(row))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
