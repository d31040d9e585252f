"""A button that opens a checklist: "Alle" or any subset of a short list (plans, areas,
focus areas, activities, staff).

The button reads "Alle", the one name chosen, or "3 valgt" (the names in its tooltip).
Unchecking everything is allowed while choosing, and reported by
:meth:`MultiSelect.selected_ids` as an empty tuple so the filter bar can say what to do
instead of silently computing for everyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.casework_common import Choice
from boligsag.ui.elide import elide
from boligsag.ui.models.rows import ID_ROLE
from boligsag.ui.theme import BORDER, PRIMARY_SOFT, SURFACE, TEXT, chevron
from boligsag.ui.widgets import named

POPUP_STYLE = f"""
QFrame#{{name}} {{{{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px; }}}}
QFrame#{{name}} QListWidget {{{{ border: none; outline: none; background: {SURFACE}; }}}}
QFrame#{{name}} QListWidget::item {{{{ padding: 5px 6px; border-radius: 4px; color: {TEXT}; }}}}
QFrame#{{name}} QListWidget::item:hover,
QFrame#{{name}} QListWidget::item:selected {{{{ background: {PRIMARY_SOFT}; color: {TEXT}; }}}}
"""
ALL = -1  # the id of the "Alle" row
SEARCH_FROM = 9  # lists longer than this get a search field


class _CheckList(QListWidget):
    """Rows toggle on click, Space and Enter, not only on the small check box."""

    toggled = Signal(QListWidgetItem)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemClicked.connect(self.toggled.emit)
        self.itemActivated.connect(self.toggled.emit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and self.currentItem() is not None:
            self.toggled.emit(self.currentItem())
            return
        super().keyPressEvent(event)


class MultiSelect(QPushButton):
    changed = Signal()

    def __init__(self, object_name: str, accessible_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, accessible_name)
        self.setProperty("role", "multiSelect")
        self._choices: list[Choice] = []
        self._checked: set[int] | None = None  # None: all
        self.popup = QFrame(self, Qt.WindowType.Popup)
        named(self.popup, f"{object_name}Popup", accessible_name)
        self.popup.setStyleSheet(POPUP_STYLE.format(name=f"{object_name}Popup"))
        box = QVBoxLayout(self.popup)
        box.setContentsMargins(6, 6, 6, 6)
        box.setSpacing(6)
        self.search = named(QLineEdit(), f"{object_name}Search", tr("Search"))
        self.search.setPlaceholderText(tr("Search…"))
        self.search.setClearButtonEnabled(True)
        for clear in self.search.findChildren(QToolButton):  # Qt's clear button
            named(clear, f"{object_name}SearchClear", tr("Clear the search"))
        self.search.textChanged.connect(self._filter)
        self.list = named(_CheckList(), f"{object_name}List", accessible_name)
        self.list.toggled.connect(self._toggle)
        box.addWidget(self.search)
        box.addWidget(self.list)
        self.clicked.connect(self.open_popup)
        self._chevron = QIcon(chevron()).pixmap(12, 12)
        self._update_text()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.drawPixmap(self.width() - 22, (self.height() - 12) // 2, self._chevron)
        painter.end()

    # -- choices and selection ----------------------------------------------------------

    def set_choices(self, choices: Sequence[Choice]) -> None:
        """Replace the list; a selection of ids that still exist is kept."""
        self._choices = [c for c in choices if c.id is not None]
        if self._checked is not None:
            known = {int(c.id) for c in self._choices if c.id is not None}
            self._checked &= known
            if self._checked == known and known:
                self._checked = None  # every one of them is "Alle"
        self._fill()

    def selected_ids(self) -> tuple[int, ...] | None:
        """None for all; the chosen ids otherwise (empty when nothing is checked)."""
        if self._checked is None:
            return None
        return tuple(int(c.id) for c in self._choices if c.id in self._checked)

    def filter_ids(self) -> tuple[int, ...]:
        """What ``SummaryFilter`` takes: an empty tuple means all."""
        return self.selected_ids() or ()

    def set_selected(self, ids: Sequence[int] | None) -> None:
        known = {c.id for c in self._choices}
        self._checked = None if ids is None else {i for i in ids if i in known}
        if self._checked is not None and self._choices and len(self._checked) == len(known):
            self._checked = None
        self._fill()
        self.changed.emit()

    def selected_names(self) -> list[str]:
        chosen = self.selected_ids()
        if chosen is None:
            return []
        return [c.label for c in self._choices if c.id in set(chosen)]

    # -- popup --------------------------------------------------------------------------

    def open_popup(self) -> None:
        self.search.setVisible(len(self._choices) >= SEARCH_FROM)
        self.search.clear()
        self.list.ensurePolished()
        rows = min(self.list.count(), 12)
        row_height = max(self.list.sizeHintForRow(0), 20)
        height = max(rows, 1) * row_height + 2 * self.list.frameWidth() + 4
        self.list.setFixedHeight(height)
        width = max(self.width(), min(self.list.sizeHintForColumn(0) + 40, 460), 260)
        self.popup.setFixedWidth(width)
        self.popup.adjustSize()
        self.popup.move(self.mapToGlobal(QPoint(0, self.height() + 2)))
        self.popup.show()
        (self.search if self.search.isVisible() else self.list).setFocus()
        self.list.setCurrentRow(0)

    def _fill(self) -> None:
        self.list.clear()
        everything = QListWidgetItem(tr("All"))
        everything.setData(ID_ROLE, ALL)
        bold = everything.font()
        bold.setBold(True)
        everything.setFont(bold)
        self.list.addItem(everything)
        for choice in self._choices:
            item = QListWidgetItem(choice.label)
            item.setData(ID_ROLE, int(choice.id) if choice.id is not None else ALL)
            self.list.addItem(item)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self._sync_checks()
        self._update_text()

    def _sync_checks(self) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            item_id = item.data(ID_ROLE)
            on = self._checked is None or (item_id != ALL and item_id in self._checked)
            item.setData(Qt.ItemDataRole.CheckStateRole,
                         Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _toggle(self, item: QListWidgetItem) -> None:
        item_id = item.data(ID_ROLE)
        all_ids = {int(c.id) for c in self._choices if c.id is not None}
        if item_id == ALL:
            self._checked = set() if self._checked is None else None
        else:
            checked = set(all_ids) if self._checked is None else set(self._checked)
            checked ^= {item_id}
            self._checked = None if checked == all_ids else checked
        self._sync_checks()
        self._update_text()
        self.changed.emit()

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(1, self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def _update_text(self) -> None:
        chosen = self.selected_ids()
        names = self.selected_names()
        if chosen is None:
            text = tr("All")
        elif not chosen:
            text = tr("None chosen")
        elif len(chosen) == 1:
            text = names[0]
        else:
            text = tr("{count} chosen", count=len(chosen))
        self.setText(elide(text, self, 190))
        self.setToolTip("\n".join(names) if len(names) > 1 else text)
        self.setAccessibleDescription(", ".join(names) if names else text)
