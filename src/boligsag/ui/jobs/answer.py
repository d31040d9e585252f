"""Still employed? Yes / no / unknown, answered with one key (J, N, U; Y also means
yes, for an English keyboard habit)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from boligsag.domain.enums import StillEmployed
from boligsag.i18n import tr
from boligsag.ui.widgets import DialogHeader, named

ANSWER_KEYS: dict[int, StillEmployed] = {
    Qt.Key.Key_J: StillEmployed.YES,
    Qt.Key.Key_Y: StillEmployed.YES,
    Qt.Key.Key_N: StillEmployed.NO,
    Qt.Key.Key_U: StillEmployed.UNKNOWN,
}


def answer_for_key(event: QKeyEvent) -> StillEmployed | None:
    """The answer a plain key press (no Ctrl/Alt) stands for, if any."""
    if event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                            | Qt.KeyboardModifier.AltModifier):
        return None
    return ANSWER_KEYS.get(event.key())


class StillEmployedDialog(QDialog):
    answered = Signal(str)  # a StillEmployed value

    def __init__(self, question: str, detail: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "stillEmployedDialog", tr("Follow-up on a job"))
        self.setWindowTitle(tr("Follow-up on a job"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 20)
        layout.setSpacing(14)
        layout.addWidget(DialogHeader("people", question, detail))
        row = QHBoxLayout()
        row.setSpacing(10)
        self.buttons: dict[StillEmployed, QPushButton] = {}
        for answer, text, name in (
                (StillEmployed.YES, tr("&Yes, still employed"), "answerYesButton"),
                (StillEmployed.NO, tr("&No, not any more"), "answerNoButton"),
                (StillEmployed.UNKNOWN, tr("&Unknown"), "answerUnknownButton")):
            button = named(QPushButton(text), name, text.replace("&", ""))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, a=answer: self.answer(a))
            row.addWidget(button)
            self.buttons[answer] = button
        row.addStretch(1)
        layout.addLayout(row)
        hint = QLabel(tr("Press J for yes, N for no or U for unknown. Esc cancels."))
        hint.setProperty("role", "small")
        layout.addWidget(hint)
        self.buttons[StillEmployed.YES].setFocus()

    def answer(self, answer: StillEmployed) -> None:
        self.answered.emit(str(answer))
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        answer = answer_for_key(event)
        if answer is not None:
            self.answer(answer)
            return
        super().keyPressEvent(event)
