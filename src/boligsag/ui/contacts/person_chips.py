"""The quick log's person field: type a few letters, Enter adds the highlighted match
as a chip; Backspace in the empty field removes the last chip.

Matches come from ``person_picker`` off the GUI thread after a short pause in typing
(an older query's answer is dropped) and are shown in a list that floats under the
field. The list never takes the focus, so every key stays in the text field: ↓ / ↑
move through the matches, Enter takes one, Esc closes the list. With nothing typed,
Enter is left to the dialog (save).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.casework_common import PersonRef
from boligsag.services.contacts import person_picker
from boligsag.services.context import AppContext
from boligsag.services.people_search import PersonSummary
from boligsag.ui.background import run_in_background
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.flow_layout import FlowLayout
from boligsag.ui.theme import BORDER, HOVER_BORDER, PRIMARY, PRIMARY_SOFT, SURFACE, TEXT
from boligsag.ui.widgets import named

DEBOUNCE_MS = 120
MAX_MATCHES = 8


def match_text(person: PersonSummary) -> str:
    parts = [person.full_name]
    if person.age is not None:
        parts.append(tr("{age} years", age=person.age))
    if person.address:
        parts.append(person.address)
    return " · ".join(parts)


class Chip(QFrame):
    removed = Signal(int)

    def __init__(self, person: PersonRef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person = person
        named(self, f"personChip_{person.id}", person.name)
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ background: {PRIMARY_SOFT}; "
                           f"border: 1px solid {HOVER_BORDER}; border-radius: 12px; }}")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 1, 4, 1)
        row.setSpacing(2)
        label = QLabel(person.name)
        label.setStyleSheet("background: transparent; border: none;")
        close = named(QToolButton(), f"removePersonChip_{person.id}",
                      tr("Remove {name}", name=person.name))
        close.setText("×")
        close.setAutoRaise(True)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        close.setToolTip(tr("Remove (Backspace in the empty field)"))
        close.setStyleSheet(f"QToolButton {{ border: none; color: {PRIMARY}; "
                            "font-weight: bold; padding: 0 4px; }")
        close.clicked.connect(lambda: self.removed.emit(self.person.id))
        row.addWidget(label)
        row.addWidget(close)
        self.setFixedHeight(26)


class PersonChips(QFrame):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._chips: list[Chip] = []
        self._generation = 0
        self._answered = 0  # the generation whose matches are shown
        self._add_when_ready = False
        self._matches: list[PersonSummary] = []
        named(self, "quickLogPeople", tr("People"))
        self.setStyleSheet(f"QFrame#quickLogPeople {{ background: {SURFACE}; border: 1px solid "
                           f"{BORDER}; border-radius: 5px; }} "
                           "QFrame#quickLogPeople[focused=\"true\"] { border: 2px solid "
                           f"{PRIMARY}; }}")
        self.flow = FlowLayout(self, spacing=6, fill_last=True)
        self.flow.setContentsMargins(5, 3, 5, 3)
        self.edit = named(QLineEdit(), "quickLogPersonEdit", tr("Find a person"))
        self.edit.setPlaceholderText(tr("Type a few letters of the name, CPR or phone"))
        self.edit.setFrame(False)
        self.edit.setStyleSheet("QLineEdit, QLineEdit:focus { border: none; padding: 3px 2px;"
                                " background: transparent; }")
        self.edit.setMinimumWidth(170)
        self.flow.addWidget(self.edit)
        self.setFocusProxy(self.edit)
        self.popup = named(QListWidget(), "quickLogPersonMatches", tr("Matching people"))
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setStyleSheet(f"QListWidget {{ background: {SURFACE}; border: 1px solid "
                                 f"{HOVER_BORDER}; border-radius: 4px; padding: 2px; }} "
                                 f"QListWidget::item {{ padding: 4px 8px; }} "
                                 f"QListWidget::item:selected {{ background: {PRIMARY_SOFT}; "
                                 f"color: {TEXT}; }}")
        shadow = QGraphicsDropShadowEffect(self.popup)
        shadow.setBlurRadius(18)
        shadow.setOffset(0, 4)
        shadow.setColor(QColor(0, 0, 0, 70))
        self.popup.setGraphicsEffect(shadow)  # it floats above the form
        self.popup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.popup.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.popup.itemClicked.connect(self._take_item)
        self.popup.hide()
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self.edit.textEdited.connect(lambda _t: self._timer.start())
        self.edit.installEventFilter(self)

    # -- people ---------------------------------------------------------------------------

    def people(self) -> list[PersonRef]:
        return [chip.person for chip in self._chips]

    def person_ids(self) -> tuple[int, ...]:
        return tuple(chip.person.id for chip in self._chips)

    def add_person(self, person: PersonRef) -> None:
        if person.id in self.person_ids():
            return
        chip = Chip(person, self)
        chip.removed.connect(self.remove_person)
        self.flow.insert_widget(len(self._chips), chip)
        self._chips.append(chip)
        self.updateGeometry()
        self.changed.emit()

    def remove_person(self, person_id: int) -> None:
        for chip in self._chips:
            if chip.person.id == person_id:
                self._chips.remove(chip)
                self.flow.removeWidget(chip)
                chip.deleteLater()
                self.updateGeometry()
                self.changed.emit()
                return

    # What the form holds, for ui/form_values.py (a colleague's change to the contact).

    def form_value(self) -> tuple[PersonRef, ...]:
        return tuple(self.people())

    def set_form_value(self, people: tuple[PersonRef, ...]) -> None:
        wanted = {person.id for person in people}
        for person_id in self.person_ids():
            if person_id not in wanted:
                self.remove_person(person_id)
        for person in people:
            self.add_person(person)

    def pending_text(self) -> str:
        return self.edit.text().strip()

    def searching(self) -> bool:
        return self._timer.isActive() or self._answered != self._generation

    # -- matches --------------------------------------------------------------------------

    def _search(self) -> None:
        text = self.pending_text()
        self._generation += 1
        generation = self._generation
        if not text:
            self._show_matches([], generation)
            return
        ctx, chosen = self.ctx, set(self.person_ids())

        def work(_task: object) -> list[PersonSummary]:
            found = person_picker(ctx, text, limit=MAX_MATCHES + len(chosen))
            return [p for p in found if p.id not in chosen][:MAX_MATCHES]

        run_in_background(self, work, on_success=lambda rows: self._show_matches(rows, generation),
                          on_failure=lambda _error: self._show_matches([], generation))

    def _show_matches(self, rows: list[PersonSummary], generation: int) -> None:
        if generation != self._generation:
            return
        self._answered = generation
        self._matches = rows
        self.popup.clear()
        for person in rows:
            item = QListWidgetItem(match_text(person))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.popup.addItem(item)
        if not rows and self.pending_text():
            item = QListWidgetItem(tr("No one matches “{text}”.", text=self.pending_text()))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.popup.addItem(item)
        if rows:
            self.popup.setCurrentRow(0)
        self._place_popup(self.popup.count())
        if self._add_when_ready:
            self._add_when_ready = False
            if rows:
                self._take_item(self.popup.item(0))

    def _place_popup(self, count: int) -> None:
        if not count or not self.isVisible():
            self.popup.hide()
            return
        window = self.window()
        if self.popup.parent() is not window:
            self.popup.setParent(window)
        below = self.mapTo(window, QPoint(0, self.height() + 2))
        row = max(self.popup.sizeHintForRow(0), 20)
        self.popup.setGeometry(below.x(), below.y(), self.width(),
                               min(count, MAX_MATCHES) * row + 8)
        self.popup.show()
        self.popup.raise_()

    def hide_matches(self) -> None:
        self.popup.hide()

    def _take_item(self, item: QListWidgetItem | None) -> None:
        person = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if person is None:
            return
        self._generation += 1  # drop answers still on their way
        self._answered = self._generation
        self._matches = []
        self.add_person(PersonRef(person.id, person.full_name))
        self.edit.clear()
        self.popup.hide()
        self.edit.setFocus()

    def _move(self, step: int) -> None:
        if not self.popup.isVisible() or not self._matches:
            return
        row = max(0, min(self.popup.currentRow() + step, len(self._matches) - 1))
        self.popup.setCurrentRow(row)

    # -- keys -----------------------------------------------------------------------------

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            self._set_focused(True)
        elif kind == QEvent.Type.FocusOut:
            self._set_focused(False)
            self.popup.hide()
        if kind != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, text = event.key(), self.pending_text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and text:
            if self._timer.isActive() or self._answered != self._generation:
                self._add_when_ready = True  # typed fast: take the first match when it comes
                if self._timer.isActive():
                    self._timer.stop()
                    self._search()
            elif self._matches:
                self._take_item(self.popup.currentItem())
            return True
        if key == Qt.Key.Key_Backspace and not self.edit.text() and self._chips:
            self.remove_person(self._chips[-1].person.id)
            return True
        if key == Qt.Key.Key_Down:
            self._move(1)
            return True
        if key == Qt.Key.Key_Up:
            self._move(-1)
            return True
        if key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.popup.hide()
            return True
        return False

    def _set_focused(self, focused: bool) -> None:
        self.setProperty("focused", "true" if focused else "false")
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.edit.setFocus()
        super().mousePressEvent(event)
