"""Shortcuts are shown (issue 14 §5): every action with a key shortcut says it in its
tooltip, as the menus say it beside the action's name, so a keyboard user can learn the
key from either."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot

from boligsag.ui.shell.main_window import MainWindow


def test_every_action_with_a_shortcut_names_it_in_its_tooltip(
        qtbot: QtBot, main_window: MainWindow) -> None:
    assert len(main_window.pages) > 5  # every page built, with its actions
    with_keys = [a for a in main_window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert len(with_keys) > 20
    silent = [f"{a.objectName()} ({a.shortcut().toString()}): {a.toolTip()!r}"
              for a in with_keys
              if a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
              not in a.toolTip()]
    assert silent == []
