"""Choose a person by typing: any part of the name, CPR, address or phone.

The search is the people list's own (``people_search.list_people``, FTS5 trigrams),
run off the GUI thread a moment after the last key press; an answer to an older
query is dropped. Down moves into the results, Enter chooses."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.casework_common import Page
from boligsag.services.context import AppContext
from boligsag.services.people_search import PersonSummary, list_people
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.theme import BORDER, PRIMARY_SOFT, SURFACE, TEXT
from boligsag.ui.widgets import named

RESULTS = 8
DELAY_MS = 180
VISIBLE_ROWS = 6


def describe(person: PersonSummary) -> str:
    parts = [person.full_name]
    if person.birth_date:
        parts.append(tr("born {date}", date=short_date(person.birth_date)))
    if person.address:
        parts.append(person.address)
    return " · ".join(parts)


class PersonPicker(QWidget):
    chosen = Signal(object)  # PersonSummary, or None when the choice is cleared

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id: int | None = None
        self.person_name = ""
        self._generation = 0
        named(self, "personPicker", tr("Person"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.edit = named(QLineEdit(), "personSearchEdit", tr("Search for a person"))
        self.edit.setPlaceholderText(tr("Type a name, CPR number, address or phone"))
        self.edit.setClearButtonEnabled(True)
        for button in self.edit.findChildren(QToolButton):  # the clear button Qt adds
            named(button, "personSearchClearButton", tr("Clear the search"))
        self.edit.installEventFilter(self)
        layout.addWidget(self.edit)
        self.results = named(QListWidget(), "personResults", tr("Matching people"))
        self.results.setUniformItemSizes(True)
        self.results.setStyleSheet(
            f"QListWidget {{ background: {SURFACE}; border: 1px solid {BORDER}; "
            "border-radius: 5px; padding: 2px; outline: none; }"
            "QListWidget::item { padding: 5px 8px; border-radius: 4px; }"
            f"QListWidget::item:selected {{ background: {PRIMARY_SOFT}; color: {TEXT}; }}")
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.hide()
        self.results.itemActivated.connect(self._activate)
        self.results.itemClicked.connect(self._activate)
        layout.addWidget(self.results)
        self.status = named(QLabel(), "personPickerStatus", tr("Chosen person"))
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)
        self.timer = QTimer(self, singleShot=True, interval=DELAY_MS)
        self.timer.timeout.connect(self.search_now)
        self.edit.textEdited.connect(self._edited)

    def set_fixed(self, person_id: int, name: str) -> None:
        """A referral or consent of a known person: shown, not changeable."""
        self.person_id, self.person_name = person_id, name
        self.edit.setText(name)
        self.edit.setReadOnly(True)
        self.edit.setClearButtonEnabled(False)

    def _edited(self, _text: str) -> None:
        if self.person_id is not None:
            self.person_id, self.person_name = None, ""
            self.status.hide()
            self.chosen.emit(None)
        self.timer.start()

    def search_now(self) -> None:
        self.timer.stop()
        text = self.edit.text().strip()
        self._generation += 1
        generation = self._generation
        if not text:
            self.results.clear()
            self.results.hide()
            return
        ctx = self.ctx
        run_in_background(self, lambda _t: list_people(ctx, text, limit=RESULTS),
                          on_success=lambda page: self._show(generation, page),
                          on_failure=lambda error: self._failed(generation, error))

    def _show(self, generation: int, page: Page[PersonSummary]) -> None:
        if generation != self._generation:
            return
        self.results.clear()
        for person in page.items:
            item = QListWidgetItem(describe(person))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.results.addItem(item)
        if not page.items:
            item = QListWidgetItem(tr("No one matches. Check the spelling or search for "
                                      "part of the name."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addItem(item)
        self.results.setCurrentRow(0 if page.items else -1)
        rows = min(self.results.count(), VISIBLE_ROWS)
        self.results.setFixedHeight(rows * max(self.results.sizeHintForRow(0), 28)
                                    + 2 * self.results.frameWidth() + 4)
        self.results.show()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.status.setText(error_text(error))
            self.status.show()

    def _activate(self, item: QListWidgetItem) -> None:
        person = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(person, PersonSummary):
            self.choose(person)

    def choose(self, person: PersonSummary) -> None:
        self.person_id, self.person_name = person.id, person.full_name
        self.edit.setText(person.full_name)
        self.results.hide()
        self.status.setText(describe(person))
        self.status.show()
        self.chosen.emit(person)

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down and self.results.isVisible():
                self.results.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.results.isVisible():
                item = self.results.currentItem()
                if item is not None:
                    self._activate(item)
                return True
        return super().eventFilter(watched, event)
