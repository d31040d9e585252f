"""Two lists in one window offer "Fortryd": only the latest change is undone by Ctrl+Z."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from boligsag.ui.undo_notice import UndoNotice


def _list_in(window: QMainWindow, parent: QWidget) -> tuple[QWidget, UndoNotice]:
    owner = QWidget(parent)
    layout = QVBoxLayout(owner)
    parent.layout().addWidget(owner)
    return owner, UndoNotice(owner, layout)


def test_ctrl_z_undoes_the_latest_change_of_two_lists(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = QMainWindow()
    qtbot.addWidget(window)
    central = QWidget()
    QVBoxLayout(central)
    window.setCentralWidget(central)
    window.statusBar().showMessage("")  # the app's window always has its status bar
    follow_up_list, follow_ups = _list_in(window, central)
    follow_up_list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    _, reminders = _list_in(window, central)
    with qtbot.waitActive(window):  # shortcuts only reach the active window
        window.show()
        window.activateWindow()
    undone: list[str] = []
    follow_ups.show_notice("follow-up done", lambda: undone.append("follow-up"))
    reminders.show_notice("reminder done", lambda: undone.append("reminder"))
    assert follow_ups.isHidden() and not follow_ups.action.isEnabled()
    assert reminders.isVisible() and reminders.action.isEnabled()

    follow_up_list.setFocus()
    qtbot.keyClick(follow_up_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)

    assert undone == ["reminder"]
    assert not reminders.action.isEnabled()
