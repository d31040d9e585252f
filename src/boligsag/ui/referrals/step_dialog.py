"""One step of a referral's status flow: the date it happened (today unless told
otherwise) and an optional note. The service decides whether the step is allowed; a
refusal (no valid consent, a date before the previous step) is shown in the dialog,
which stays open so the worker can read what to fix."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import ReferralStatus
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.referrals import ReferralRow, change_status, referral_details
from boligsag.ui.case_labels import step_help, step_title
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.forms import (
    FieldMessages,
    buddy,
    date_edit,
    text_box_height,
    to_date,
    to_qdate,
)
from boligsag.ui.stale_notice import StaleNotice
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, named, ok_cancel_buttons


class StatusStepDialog(QDialog):
    """Ask for the date and note of one step, then record it."""

    recorded = Signal(object)  # the ReferralRow after the step

    def __init__(self, ctx: AppContext, events: AppEvents, row: ReferralRow,
                 target: ReferralStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.row, self.target = ctx, events, row, ReferralStatus(target)
        self._busy = False
        title = step_title(self.target)
        named(self, "statusStepDialog", title)
        self.setWindowTitle(title)
        self.setMinimumWidth(500)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("bridge", title, tr(
            "{person} · {service}", person=row.person_name, service=row.service_name)))
        explanation = named(QLabel(step_help(self.target)), "stepHelp", tr("Explanation"))
        explanation.setWordWrap(True)
        explanation.setProperty("role", "muted")
        layout.addWidget(explanation)

        today = ctx.today()
        form = form_layout(8)
        self.date = date_edit("stepDateEdit", tr("Date"), today,
                              minimum=min(row.status_changed_on, today), maximum=today)
        form.addRow(buddy(tr("&Date"), self.date), self.date)
        self.errors = FieldMessages(FieldError("stepError"))
        form.addRow("", self.errors.add("on", FieldError("stepDateError")))
        self.note = named(QPlainTextEdit(), "stepNoteEdit", tr("Note"))
        self.note.setPlaceholderText(tr("Optional: e.g. sent by secure e-mail to the "
                                        "reception"))
        self.note.setTabChangesFocus(True)
        text_box_height(self.note, 70)
        form.addRow(buddy(tr("&Note"), self.note), self.note)
        layout.addLayout(form)
        self.errors.general.setProperty("role", "banner")
        layout.addWidget(self.errors.general)

        buttons, self.ok_button, self.cancel_button = ok_cancel_buttons(
            self, title, "step", self.submit)
        layout.addWidget(buttons)
        # The form holds only this step's own date and note: a colleague's change to the
        # referral is adopted as is; the service then judges the step against it.
        self.stale_notice = StaleNotice(
            self, ctx, events, {Entity.REFERRALS},
            load=lambda: referral_details(ctx, row.id).row, version=lambda r: r.version,
            base_version=lambda: self.row.version, fill=self._adopt, reload_offered=False)
        layout.insertWidget(1, self.stale_notice)
        self.date.setFocus()

    def _adopt(self, row: ReferralRow) -> None:
        self.row = row
        self.date.setMinimumDate(to_qdate(min(row.status_changed_on, self.ctx.today())))

    def submit(self) -> None:
        if self._busy:
            return
        self._set_busy(True)
        self.errors.clear()
        run_service(self, self.events, change_status, self.ctx, self.row.id, self.target,
                    on=to_date(self.date.date()), note=self.note.toPlainText(),
                    version=self.row.version, on_success=self._done, on_failure=self._failed)

    def _done(self, row: ReferralRow) -> None:
        self._set_busy(False)
        self.recorded.emit(row)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.errors.show(error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.date, self.note, self.ok_button, self.cancel_button):
            widget.setEnabled(not busy)

    def reject(self) -> None:
        if not self._busy:
            super().reject()
