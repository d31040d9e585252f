"""How the contact happened, as one row of buttons that is a single stop for Tab.

With the row focused, the underlined letter picks a channel (F fremmøde, T telefon,
H hjemmebesøg, O opsøgende, S sms/mail) and ← / → move between them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

from boligsag.i18n import tr
from boligsag.services.casework_common import Choice
from boligsag.ui.theme import BORDER, ON_PRIMARY, PRIMARY, PRIMARY_PRESSED, PRIMARY_SOFT, SURFACE
from boligsag.ui.widgets import named

_STYLE = f"""
QPushButton {{ border: 1px solid {BORDER}; border-radius: 0; padding: 5px 12px;
               background: {SURFACE}; }}
QPushButton:hover {{ background: {PRIMARY_SOFT}; }}
QPushButton:checked {{ background: {PRIMARY}; color: {ON_PRIMARY};
                       border-color: {PRIMARY_PRESSED}; }}
QPushButton[first="true"] {{ border-top-left-radius: 5px; border-bottom-left-radius: 5px; }}
QPushButton[last="true"] {{ border-top-right-radius: 5px; border-bottom-right-radius: 5px; }}
QWidget#quickLogChannel[focused="true"] QPushButton {{ border-color: {PRIMARY}; }}
"""


def key_letters(labels: list[str]) -> list[str]:
    """A distinct letter per label: its first letter, else the first one still free."""
    taken: set[str] = set()
    letters = []
    for text in labels:
        letter = next((c for c in text.casefold() if c.isalpha() and c not in taken), "")
        taken.add(letter)
        letters.append(letter)
    return letters


class ChannelPicker(QWidget):
    changed = Signal(str)

    def __init__(self, channels: tuple[Choice, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "quickLogChannel", tr("Channel"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(_STYLE)
        self.codes = [c.code for c in channels]
        self.letters = key_letters([c.label for c in channels])
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        for number, (choice, letter) in enumerate(zip(channels, self.letters, strict=True)):
            button = named(QPushButton(self._with_letter(choice.label, letter)),
                           f"quickLogChannel_{choice.code}", choice.label)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.setToolTip(tr("{channel} (key {key} when the channels are chosen)",
                                 channel=choice.label, key=letter.upper()))
            button.setProperty("first", number == 0)
            button.setProperty("last", number == len(channels) - 1)
            self.group.addButton(button, number)
            self.buttons.append(button)
            row.addWidget(button)
        row.addStretch(1)
        self.group.idToggled.connect(self._toggled)
        if self.buttons:
            self.buttons[0].setChecked(True)

    @staticmethod
    def _with_letter(label: str, letter: str) -> str:
        """Underline the key letter ("&Telefon"); "&&" keeps a literal ampersand."""
        text = label.replace("&", "&&")
        index = text.casefold().find(letter) if letter else -1
        return text if index < 0 else text[:index] + "&" + text[index:]

    def value(self) -> str:
        number = self.group.checkedId()
        return self.codes[number] if 0 <= number < len(self.codes) else ""

    def label(self) -> str:
        button = self.group.checkedButton()
        return button.accessibleName() if button is not None else ""

    def set_value(self, code: str) -> None:
        if code in self.codes:
            self.buttons[self.codes.index(code)].setChecked(True)

    def _toggled(self, number: int, checked: bool) -> None:
        if checked:
            self.setAccessibleDescription(self.buttons[number].accessibleName())
            self.changed.emit(self.codes[number])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text().casefold()
        current = self.group.checkedId()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and self.buttons:
            step = 1 if key == Qt.Key.Key_Right else -1
            self.buttons[(current + step) % len(self.buttons)].setChecked(True)
            return
        if text and text in self.letters and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.buttons[self.letters.index(text)].setChecked(True)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._polish(True)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        self._polish(False)
        super().focusOutEvent(event)

    def _polish(self, focused: bool) -> None:
        self.setProperty("focused", "true" if focused else "false")
        for widget in (self, *self.buttons):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
