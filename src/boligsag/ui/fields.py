"""Small field helpers shared by the people, contacts and address forms."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QLineEdit, QToolButton

from boligsag.domain.postal_codes import town_for
from boligsag.i18n import tr
from boligsag.ui.widgets import named


def clearable(edit: QLineEdit) -> QLineEdit:
    """Qt's clear button, named like every other button (for screen readers and tests)."""
    edit.setClearButtonEnabled(True)
    for button in edit.findChildren(QToolButton):
        named(button, f"{edit.objectName()}ClearButton", tr("Clear the field"))
    return edit


class PostalTown(QObject):
    """Fills the town when a known Danish postal code is typed, the one way every form
    with a postal code does it.

    The town is only written while it is empty or still holds what this helper wrote
    (so a town the user typed, or a saved one that differs from the list, is never
    overwritten). An unknown code gets a quiet note in :attr:`note` (which the form
    places under the fields), never a refusal: PO-box codes and foreign addresses are real.
    """

    def __init__(self, code: QLineEdit, town: QLineEdit, note_name: str) -> None:
        super().__init__(code)
        self.code, self.town = code, town
        self._filled = ""  # the town text this helper wrote last
        self.note = named(QLabel(), note_name, tr("Postal code"))
        self.note.setProperty("role", "small")
        self.note.setWordWrap(True)
        self.note.hide()
        code.textChanged.connect(self._code_changed)
        town.textEdited.connect(self._town_typed)

    def _code_changed(self, text: str) -> None:
        text = text.strip()
        complete = len(text) == 4 and text.isascii() and text.isdigit()
        found = town_for(text) if complete else None
        self._set_note(tr("Unknown postal code: write the town yourself.")
                       if complete and found is None else "")
        automatic = self.town.text() in ("", self._filled)
        if not automatic:
            return
        self._filled = found or ""
        if self.town.text() != self._filled:
            self.town.setText(self._filled)

    def _town_typed(self, _text: str) -> None:
        self._filled = ""  # the user's own town from now on

    def _set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setAccessibleDescription(text)
        self.note.setVisible(bool(text))
