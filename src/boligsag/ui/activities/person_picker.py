"""Pick a person by typing a few letters of the name (or CPR, address, phone).

The search runs off the GUI thread on every pause in typing; a late answer to an older
query is dropped. Keyboard: type, ↓ into the matches, Enter takes the highlighted (or
the first) match; once someone is picked, Enter goes on to the dialog's Save.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.contacts import person_picker
from boligsag.services.context import AppContext
from boligsag.services.people_search import PersonSummary
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.widgets import named

from .forms import calm_list

DEBOUNCE_MS = 120


def describe(person: PersonSummary) -> str:
    parts = [person.full_name]
    if person.age is not None:
        parts.append(tr("{age} years", age=person.age))
    if person.address:
        parts.append(person.address)
    return " · ".join(parts)


class PersonPicker(QWidget):
    picked = Signal(object)  # PersonSummary, or None when the choice is cleared

    def __init__(self, ctx: AppContext, object_name: str = "personPicker",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person: PersonSummary | None = None
        self._query_number = 0
        named(self, object_name, tr("Person"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.edit = named(QLineEdit(), f"{object_name}Edit", tr("Search for a person"))
        self.edit.setPlaceholderText(tr("Type a few letters of the name, CPR or address"))
        self.edit.setClearButtonEnabled(True)
        self.results = calm_list(named(QListWidget(), f"{object_name}Results",
                                       tr("Matching people")))
        self.results.setFixedHeight(176)
        self.results.hide()
        self.status = named(QLabel(), f"{object_name}Status", tr("Search status"))
        self.status.setProperty("role", "small")
        self.status.hide()
        layout.addWidget(self.edit)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self.setFocusProxy(self.edit)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.edit.textEdited.connect(self._text_edited)
        self.edit.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.itemActivated.connect(self._choose_item)
        self.results.itemClicked.connect(self._choose_item)

    # -- searching ------------------------------------------------------------------------

    def _text_edited(self, _text: str) -> None:
        if self.person is not None:
            self.person = None
            self.picked.emit(None)
        self._timer.start()

    def _search(self) -> None:
        text = self.edit.text().strip()
        self._query_number += 1
        number = self._query_number
        if not text:
            self._show([], number)
            return
        run_in_background(self, lambda _task: person_picker(self.ctx, text, limit=8),
                          on_success=lambda rows: self._show(rows, number),
                          on_failure=self._failed)

    def _show(self, rows: list[PersonSummary], number: int) -> None:
        if number != self._query_number or self.person is not None:
            return  # an answer to an older query, or someone was picked meanwhile
        self.results.clear()
        for person in rows:
            item = QListWidgetItem(describe(person))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.results.addItem(item)
        if rows:
            self.results.setCurrentRow(0)
        self.results.setVisible(bool(rows))
        typed = bool(self.edit.text().strip())
        self.status.setText("" if rows or not typed else tr("No one matches."))
        self.status.setVisible(not rows and typed)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))
        self.status.show()

    # -- choosing -------------------------------------------------------------------------

    def _choose_item(self, item: QListWidgetItem) -> None:
        self.choose(item.data(Qt.ItemDataRole.UserRole))

    def choose(self, person: PersonSummary) -> None:
        self.person = person
        self._query_number += 1  # drop answers still on their way
        self.edit.setText(person.full_name)
        self.results.hide()
        self.status.setText(describe(person))
        self.status.show()
        self.edit.setFocus()
        self.picked.emit(person)

    def searching(self) -> bool:
        return self._timer.isActive()

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.edit:
            if key == Qt.Key.Key_Down and self.results.isVisible():
                self.results.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.person is None:
                current = self.results.currentItem()
                if self.results.isVisible() and current is not None:
                    self._choose_item(current)
                return True  # never "save" with no one picked
        elif watched is self.results:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                current = self.results.currentItem()
                if current is not None:
                    self._choose_item(current)
                return True
            if key == Qt.Key.Key_Up and self.results.currentRow() == 0:
                self.edit.setFocus()
                return True
            if key == Qt.Key.Key_Escape:
                self.results.hide()
                self.edit.setFocus()
                return True
        return False
