"""Administration → Sletning: the retention period, the people kept past it (with the
day of their last contact, enrollment, job, referral or consent), and anonymising the
chosen ones in one action after a question (services/retention.py).

The list is read and the anonymisation (with the file's vacuum, which takes a while on
a large database) runs off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import number_text, short_date
from boligsag.i18n import tr
from boligsag.services import retention
from boligsag.services.context import AppContext
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.widgets import named


class RetentionPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.result = ""  # what the last anonymisation did, said with the new list
        named(self, "retentionPanel", tr("Deletion"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 12, 12)
        layout.setSpacing(10)
        intro = QLabel(tr(
            "<p>Personal data may not be kept longer than needed (GDPR Article 5(1)(e)). "
            "People with no contact, enrollment, job, referral or consent in the period "
            "below are listed here. Anonymising removes name, CPR number, address, "
            "contact details, notes and other free text, household and family links. "
            "Birth date, gender and housing area are kept for the statistics, so figures "
            "for past periods do not change.</p><p>Anonymising cannot be undone. Backups "
            "made before it still hold the data until they are rotated out.</p>"))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(intro)

        row = QHBoxLayout()
        label = QLabel(tr("&Retention period"))
        self.months = named(QSpinBox(), "retentionMonthsSpin", tr("Retention period"))
        self.months.setRange(*retention.MONTHS_LIMITS)
        self.months.setSuffix(tr(" months"))
        self.months.setValue(retention.retention_months(ctx))
        label.setBuddy(self.months)
        self.save_button = named(QPushButton(tr("Save period")), "saveRetentionButton",
                                 tr("Save the retention period"))
        self.save_button.clicked.connect(self.save_period)
        row.addWidget(label)
        row.addWidget(self.months)
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.state = named(QLabel(), "retentionState", tr("Status"))
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.list = named(QListWidget(), "retentionList", tr("People due for anonymisation"))
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.all_button = named(QPushButton(tr("Choose all")), "retentionAllButton",
                                tr("Choose everyone in the list"))
        self.all_button.clicked.connect(self.choose_all)
        self.anonymise_button = named(QPushButton(tr("Anonymise chosen…")),
                                      "anonymiseButton", tr("Anonymise the chosen people"))
        self.anonymise_button.setProperty("role", "primary")
        self.anonymise_button.clicked.connect(self.ask_anonymise)
        buttons.addWidget(self.all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.anonymise_button)
        layout.addLayout(buttons)
        self.list.itemChanged.connect(lambda _item: self._enable())
        self._enable()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # read when the tab is opened: the list changes daily
        self.refresh()

    # -- the list ----------------------------------------------------------------------

    def refresh(self) -> None:
        self.state.setProperty("role", "muted")
        self.state.setText(tr("Looking for people kept past the period…"))
        run_in_background(self, lambda _task: retention.due_people(self.ctx),
                          on_success=self._show, on_failure=self._failed)

    def _show(self, due: list[retention.DuePerson]) -> None:
        self.list.clear()
        for person in due:
            item = QListWidgetItem(tr("{name} · last activity {date}", name=person.name,
                                      date=short_date(person.last_activity)))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.state.setProperty("role", "")
        found = tr("{count} people are due for anonymisation.",
                   count=number_text(len(due), 0)) if due \
            else tr("Nobody is due for anonymisation.")
        self.state.setText(f"{self.result} {found}" if self.result else found)
        self.result = ""
        self._enable()

    def chosen(self) -> list[int]:
        return [int(self.list.item(row).data(Qt.ItemDataRole.UserRole))
                for row in range(self.list.count())
                if self.list.item(row).checkState() == Qt.CheckState.Checked]

    def choose_all(self) -> None:
        for row in range(self.list.count()):
            self.list.item(row).setCheckState(Qt.CheckState.Checked)

    def _enable(self) -> None:
        self.all_button.setEnabled(self.list.count() > 0)
        self.anonymise_button.setEnabled(bool(self.chosen()))

    # -- acting ------------------------------------------------------------------------

    def save_period(self) -> None:
        run_service(self, self.events, retention.set_retention_months, self.ctx,
                    self.months.value(), on_success=lambda _none: self.refresh(),
                    on_failure=self._failed)

    def ask_anonymise(self) -> QMessageBox | None:
        chosen = self.chosen()
        if not chosen:
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Anonymise"), tr(
            "Anonymise {count} people?", count=number_text(len(chosen), 0)),
            QMessageBox.StandardButton.NoButton, self)
        named(box, "anonymiseQuestion", tr("Anonymise"))
        box.setInformativeText(tr("Their names, CPR numbers, addresses and notes are "
                                  "removed for good. This cannot be undone."))
        go = box.addButton(tr("Anonymise"), QMessageBox.ButtonRole.DestructiveRole)
        named(go, "anonymiseConfirmButton", tr("Anonymise"))
        cancel = box.addButton(tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._answered(box.clickedButton() is go, chosen))
        box.open()
        return box

    def _answered(self, go: bool, chosen: list[int]) -> None:
        if not go:
            return
        self.anonymise_button.setEnabled(False)
        self.state.setProperty("role", "muted")
        self.state.setText(tr("Anonymising and clearing the database file…"))
        run_service(self, self.events, retention.anonymise, self.ctx, chosen,
                    on_success=self._done, on_failure=self._failed)

    def _done(self, done: retention.Anonymised) -> None:
        self.result = tr("{count} people anonymised.", count=number_text(done.people, 0))
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.state.setProperty("role", "error")
        self.state.setText(error_text(error))
        self._enable()
