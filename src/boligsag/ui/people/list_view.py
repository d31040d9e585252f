"""The people list with search-as-you-type.

Typing waits for a 150 ms pause, then asks the database (FTS5 trigram index) off the
GUI thread; an answer to an older query is dropped. Keyboard: ↓ from the search field
into the list, ↑ from its first row back; Enter opens the chosen person (from the
search field: the chosen or else the first match).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import number_text
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.people_search import PersonSummary, count_people
from boligsag.ui.background import run_in_background
from boligsag.ui.elide import elide_view
from boligsag.ui.errors import error_text
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.fields import clearable
from boligsag.ui.list_order import sortable_by_model
from boligsag.ui.models.rows import ROW_ROLE
from boligsag.ui.models.table import setup_table
from boligsag.ui.widgets import EmptyState, named

from .models import PeopleColumn, PeopleModel

DEBOUNCE_MS = 150


class PeopleListView(QWidget):
    open_person = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._count_generation = 0
        self._keep: int | None = None  # the person to keep selected after a reload
        self._open_when_loaded = False
        self._counting = False
        named(self, "peopleListView", tr("People list"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)

        self.bar = bar = QHBoxLayout()
        bar.setSpacing(12)
        self.search = named(QLineEdit(), "peopleSearchEdit", tr("Search for people"))
        self.search.setPlaceholderText(tr("Search by name, CPR number, address or phone "
                                          "(Ctrl+F)"))
        clearable(self.search)
        self.search.setMinimumWidth(420)
        self.search.installEventFilter(self)
        self.count = named(QLabel(), "peopleCountLabel", tr("Number of people"))
        self.count.setProperty("role", "muted")
        bar.addWidget(self.search, 3)
        bar.addWidget(self.count, 2)  # the page adds its "Ny person" button after this
        layout.addLayout(bar)

        self.model = PeopleModel(ctx, self)
        self.table = elide_view(named(QTableView(), "peopleTable", tr("People")))
        self._setup_table()
        layout.addWidget(self.table, 1)
        self.empty = EmptyState(tr("No one matches the search"), tr(
            "Check the spelling, or search by part of the name, the CPR number or the "
            "phone number. To register someone new, press Ctrl+N."))
        self.empty.hide()
        layout.addWidget(self.empty)
        layout.addStretch(0)
        self.hint = named(QLabel(tr(
            "↓ from the search into the list · Enter opens the person · Ctrl+N new person · "
            "Ctrl+L log a contact")), "peopleKeyboardHint", tr("Keyboard"))
        self.hint.setProperty("role", "small")
        layout.addWidget(self.hint)
        self.error = named(QLabel(), "peopleListError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        self.table.activated.connect(lambda index: self._open_row(index.row()))

    def _setup_table(self) -> None:
        table = setup_table(self.table, self.model, stretch=PeopleColumn.ADDRESS, widths={
            PeopleColumn.NAME: 260, PeopleColumn.BORN: 170, PeopleColumn.CPR: 130,
            PeopleColumn.PHONE: 170})
        table.installEventFilter(self)
        sortable_by_model(table, self.model)  # header clicks: model.sort → ORDER BY in SQL

    # -- searching ------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def searching(self) -> bool:
        """True until the rows for what is typed are shown."""
        return self._timer.isActive() or self.model.loading or self._counting

    def run_search(self, keep: int | None = None) -> None:
        self._timer.stop()
        self._keep = keep
        text = self.search.text().strip()
        self.model.set_query(text)
        self._count_generation += 1
        generation = self._count_generation
        self._counting = True
        ctx = self.ctx
        run_in_background(self, lambda _task: count_people(ctx, text),
                          on_success=lambda n: self._show_count(n, text, generation),
                          on_failure=self._failed)

    def reload(self) -> None:
        """The data changed: same search, fresh rows, same person chosen."""
        person = self.current_person()
        self.run_search(person.id if person is not None else None)

    def _show_count(self, count: int, text: str, generation: int) -> None:
        if generation != self._count_generation:
            return
        self._counting = False
        number = number_text(count, 0)
        if text:
            self.count.setText(tr("{count} match “{text}”", count=number, text=text)
                               if count != 1 else tr("1 match “{text}”", text=text))
        else:
            self.count.setText(tr("{count} people", count=number) if count != 1
                               else tr("1 person"))

    def _loaded(self, rows: int) -> None:
        self.error.hide()
        self.table.setVisible(rows > 0)
        self.empty.setVisible(rows == 0 and bool(self.model.query))
        if rows:
            row = self.model.find(self._keep) if self._keep is not None else -1
            self.table.selectRow(max(row, 0))
        if self._open_when_loaded:
            self._open_when_loaded = False
            if rows:
                self._open_row(0)

    def _failed(self, error: BaseException) -> None:
        self._counting = False
        self.error.setText(error_text(error))
        self.error.show()

    # -- opening --------------------------------------------------------------------------

    def current_person(self) -> PersonSummary | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return index.data(ROW_ROLE)

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_person.emit(self.model.row_at(row).id)

    def open_current(self) -> None:
        person = self.current_person()
        if person is not None:
            self.open_person.emit(person.id)
        elif self.model.rowCount():
            self._open_row(0)

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self.search:
            if key == Qt.Key.Key_Down and self.model.rowCount():
                self.table.setFocus()
                if not self.table.currentIndex().isValid():
                    self.table.selectRow(0)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive() or self.model.loading:
                    # The rows on screen belong to an older search: open the first
                    # match of this one as soon as it arrives.
                    self._open_when_loaded = True
                    if self._timer.isActive():
                        self.run_search()
                    return True
                self.open_current()
                return True
        elif watched is self.table:
            if key == Qt.Key.Key_Up and self.table.currentIndex().row() <= 0:
                self.search.setFocus()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_current()
                return True
        return False
