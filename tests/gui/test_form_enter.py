"""Enter in a form dialog saves; it never cancels what was typed.

A save disables OK while it runs; Qt then moves the focus from OK to Annullér, and an
auto-default Annullér would take over Enter: the user fixes the field the save refused,
presses Enter, and the dialog closes with everything typed lost (the log-in trap of
issue 9, in every form dialog)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

from boligsag.ui.widgets import ok_cancel_buttons


def test_enter_after_a_refused_save_saves_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    field = QLineEdit()
    layout.addWidget(field)
    saves: list[str] = []

    def save() -> None:
        saves.append(field.text())
        ok.setEnabled(False)  # as the dialogs do while the save runs in the background
        ok.setEnabled(True)  # the save was refused (e.g. a stale record): try again

    buttons, ok, _cancel = ok_cancel_buttons(dialog, "Gem", "test", save)
    layout.addWidget(buttons)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    ok.setFocus()
    qtbot.keyClick(ok, Qt.Key.Key_Return)  # the first save: OK had the focus
    assert saves == [""]

    focused = dialog.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Return)  # wherever the focus went, Enter saves

    assert saves == ["", ""]
    assert dialog.isVisible()
