""""Hvorfor åbner du sagen?": the purpose asked before someone else's restricted case
is shown, or an SSP-locked note is read (issue 13 §4; services/access_purpose.py). A
short list of the usual reasons, or "Andet" with a text of the user's own; the purpose
goes into the access log with the view.

:func:`case_purpose` and :func:`ssp_note_purpose` make the two; ``given`` is emitted
with the service's answer once it has accepted the purpose.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QLineEdit, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.access_purpose import MAX_LENGTH, PURPOSES, give_purpose
from boligsag.services.contacts import reveal_ssp_note
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.ui.errors import error_text
from boligsag.ui.events import run_service
from boligsag.ui.forms import buddy
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons

OTHER = "other"


def case_purpose(ctx: AppContext, person_id: int, name: str,
                 parent: QWidget | None = None) -> PurposeDialog:
    """Asked before someone else's restricted case opens; ``given`` once accepted."""
    return PurposeDialog(
        lambda purpose: give_purpose(ctx, person_id, purpose), parent,
        window_title=tr("Restricted case"), heading=tr("Why do you open the case?"),
        text=tr("{name} is a restricted case. Your purpose is written in the access log "
                "with what you look at, and the person can see it in an access report.",
                name=name), ok_text=tr("Open the case"))


def ssp_note_purpose(ctx: AppContext, contact_id: int,
                     parent: QWidget | None = None) -> PurposeDialog:
    """Asked before an SSP-locked note is shown; ``given`` carries the note's text."""
    return PurposeDialog(
        lambda purpose: reveal_ssp_note(ctx, contact_id, purpose), parent,
        window_title=tr("SSP note"), heading=tr("Why do you read the SSP note?"),
        text=tr("The note was exchanged in the SSP cooperation (section 115 of the "
                "Administration of Justice Act). Your purpose is written in the access log."),
        ok_text=tr("Show the note"))


class PurposeDialog(QDialog):
    given = Signal(object)  # what ``submit`` returned

    def __init__(self, submit: Callable[[str], object], parent: QWidget | None = None, *,
                 window_title: str, heading: str, text: str, ok_text: str) -> None:
        super().__init__(parent)
        self.submit = submit
        named(self, "purposeDialog", heading)
        self.setWindowTitle(window_title)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(DialogHeader("key", heading, text))
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
        buttons, self.ok_button, _cancel = ok_cancel_buttons(self, ok_text, "purpose", self.give)
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
        run_service(self, None, self.submit, self.purpose(), on_success=self._given,
                    on_failure=self._failed)

    def _given(self, answer: object) -> None:
        self.given.emit(answer)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self.error.show_message(" ".join(error.field_messages().values()))
        else:
            self.error.show_message(error_text(error))
