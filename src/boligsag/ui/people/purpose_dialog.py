""""Hvorfor åbner du sagen?": the purpose asked before someone else's restricted case
is shown (issue 13 §4; services/access_purpose.py). A short list of the usual reasons,
or "Andet" with a text of the user's own; the purpose goes into the access log with
every view of the case during this log-in.

``PurposeDialog(ctx, person_id, name, parent)``; ``given`` is emitted once the
service has accepted the purpose.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.access_purpose import MAX_LENGTH, PURPOSES, give_purpose
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.ui.errors import error_text
from boligsag.ui.events import run_service
from boligsag.ui.forms import buddy
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons

OTHER = "other"


class PurposeDialog(QDialog):
    given = Signal()

    def __init__(self, ctx: AppContext, person_id: int, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.person_id = ctx, person_id
        named(self, "purposeDialog", tr("Why do you open the case?"))
        self.setWindowTitle(tr("Restricted case"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(DialogHeader("key", tr("Why do you open the case?"), tr(
            "{name} is a restricted case. Your purpose is written in the access log with "
            "what you look at, and the person can see it in an access report.", name=name)))
        self.choice = named(QComboBox(), "purposeCombo", tr("Purpose"))
        for purpose in PURPOSES:
            self.choice.addItem(tr(purpose), tr(purpose))
        self.choice.addItem(tr("Other (write it below)"), OTHER)
        self.text = named(QLineEdit(), "purposeTextEdit", tr("Purpose in your own words"))
        self.text.setMaxLength(MAX_LENGTH)
        self.text.setPlaceholderText(tr("E.g. a meeting with the school on Thursday"))
        self.error = FieldError("purposeError")
        form = form_layout(10)
        form.addRow(buddy(tr("&Purpose"), self.choice), self.choice)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(self.text)
        box.addWidget(self.error)
        form.addRow(buddy(tr("&Own words"), self.text), box)
        layout.addLayout(form)
        note = QLabel(tr("Do not write names or CPR numbers here."))
        note.setProperty("role", "muted")
        layout.addWidget(note)
        buttons, self.ok_button, _cancel = ok_cancel_buttons(
            self, tr("Open the case"), "purpose", self.give)
        layout.addWidget(buttons)
        self.text.textChanged.connect(self.error.clear_message)  # retyped: judge anew
        self.choice.currentIndexChanged.connect(self._chosen)
        self._chosen()
        self.choice.setFocus()

    def _chosen(self) -> None:
        other = self.choice.currentData() == OTHER
        self.text.setEnabled(other)
        if other:
            self.text.setFocus()

    def purpose(self) -> str:
        chosen = self.choice.currentData()
        return self.text.text() if chosen == OTHER else str(chosen)

    def give(self) -> None:
        self.ok_button.setEnabled(False)
        self.error.clear_message()
        run_service(self, None, give_purpose, self.ctx, self.person_id, self.purpose(),
                    on_success=lambda _none: self._given(), on_failure=self._failed)

    def _given(self) -> None:
        self.given.emit()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self.error.show_message(" ".join(error.field_messages().values()))
        else:
            self.error.show_message(error_text(error))
