"""Topics of a contact, each under its focus area (indsatsområde).

Keyboard, with the list focused: type letters to filter ("sko" leaves "Skole og
fravær"), ↑ / ↓ to move, Space to tick or untick, Backspace to take back a letter,
Esc to clear the filter. The ticked topics are summed up under the list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.contact_choices import FocusAreaTopics
from boligsag.services.person_fields import fold_name
from boligsag.ui.fields import clearable
from boligsag.ui.theme import MUTED, PRIMARY_SOFT, TEXT
from boligsag.ui.widgets import named

TOPIC_ROLE = Qt.ItemDataRole.UserRole + 1


class TopicTree(QTreeWidget):
    """Passes typed letters to the filter field instead of jumping to items."""

    def __init__(self, picker: TopicPicker) -> None:
        super().__init__()
        self.picker = picker

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                         | Qt.KeyboardModifier.AltModifier)
        if key == Qt.Key.Key_Space and plain:
            self.picker.toggle_current()
            return
        if key == Qt.Key.Key_Backspace and self.picker.filter.text():
            self.picker.filter.setText(self.picker.filter.text()[:-1])
            return
        if key == Qt.Key.Key_Escape and self.picker.filter.text():
            self.picker.filter.clear()
            return
        if plain and text and text.isprintable() and not text.isspace():
            self.picker.filter.setText(self.picker.filter.text() + text)
            return
        before = self.currentItem()
        super().keyPressEvent(event)
        current = self.currentItem()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and current is not None \
                and current.data(0, TOPIC_ROLE) is None:
            super().keyPressEvent(event)  # step over the focus-area heading
            if self.currentItem() is None or self.currentItem().data(0, TOPIC_ROLE) is None:
                self.setCurrentItem(before)


class TopicPicker(QWidget):
    changed = Signal()

    def __init__(self, focus_areas: tuple[FocusAreaTopics, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "quickLogTopics", tr("Topics"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.filter = named(QLineEdit(), "quickLogTopicFilter", tr("Filter topics"))
        self.filter.setPlaceholderText(tr("Type to filter · Space ticks · ↑↓ move"))
        clearable(self.filter)
        self.filter.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes to the list
        self.tree = named(TopicTree(self), "quickLogTopicTree", tr("Topics"))
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(14)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet(f"QTreeWidget {{ outline: 0; }} QTreeWidget::item "
                                f"{{ padding: 3px 2px; }} QTreeWidget::item:selected "
                                f"{{ background: {PRIMARY_SOFT}; color: {TEXT}; }}")
        heading_font = QFont()
        heading_font.setBold(True)
        heading_font.setPointSizeF(heading_font.pointSizeF() * 0.92)
        for area in focus_areas:
            if not area.topics:
                continue
            heading = QTreeWidgetItem([area.label.upper()])
            # Enabled (a disabled item disables its children) but not selectable; the
            # arrow keys pass over it (TopicTree.keyPressEvent).
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            heading.setFont(0, heading_font)
            heading.setForeground(0, QBrush(QColor(MUTED)))
            self.tree.addTopLevelItem(heading)
            for topic in area.topics:
                item = QTreeWidgetItem(heading, [topic.label])
                item.setData(0, TOPIC_ROLE, topic.id)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsUserCheckable
                              | Qt.ItemFlag.ItemNeverHasChildren)
                item.setCheckState(0, Qt.CheckState.Unchecked)
                item.setForeground(0, QBrush(QColor(TEXT)))
                item.setData(0, Qt.ItemDataRole.AccessibleTextRole,
                             f"{topic.label} ({area.label})")
        self.tree.expandAll()
        self.tree.itemChanged.connect(lambda _item, _column: self._summarise())
        self.summary = named(QLabel(), "quickLogTopicSummary", tr("Chosen topics"))
        self.summary.setProperty("role", "small")
        self.summary.setWordWrap(True)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        self.filter.textChanged.connect(self._apply_filter)
        self.setFocusProxy(self.tree)
        self._select_first_visible()
        self._summarise()

    def topic_items(self) -> list[QTreeWidgetItem]:
        items = []
        iterator = QTreeWidgetItemIterator(self.tree)
        while iterator.value():
            item = iterator.value()
            if item.data(0, TOPIC_ROLE) is not None:
                items.append(item)
            iterator += 1
        return items

    def values(self) -> tuple[int, ...]:
        return tuple(int(i.data(0, TOPIC_ROLE)) for i in self.topic_items()
                     if i.checkState(0) == Qt.CheckState.Checked)

    def set_values(self, topic_ids: tuple[int, ...]) -> None:
        chosen = set(topic_ids)
        for item in self.topic_items():
            item.setCheckState(0, Qt.CheckState.Checked if item.data(0, TOPIC_ROLE) in chosen
                               else Qt.CheckState.Unchecked)

    def toggle_current(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.data(0, TOPIC_ROLE) is None or item.isHidden():
            return
        checked = item.checkState(0) == Qt.CheckState.Checked
        item.setCheckState(0, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _apply_filter(self, text: str) -> None:
        wanted = fold_name(text)
        for index in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(index)
            area_matches = bool(wanted) and wanted in fold_name(heading.text(0))
            shown = 0
            for number in range(heading.childCount()):
                item = heading.child(number)
                visible = not wanted or area_matches or wanted in fold_name(item.text(0))
                item.setHidden(not visible)
                shown += visible
            heading.setHidden(shown == 0)
        current = self.tree.currentItem()
        if current is None or current.isHidden():
            self._select_first_visible()

    def _select_first_visible(self) -> None:
        for item in self.topic_items():
            if not item.isHidden() and not (item.parent() and item.parent().isHidden()):
                self.tree.setCurrentItem(item)
                return

    def _summarise(self) -> None:
        names = [i.text(0) for i in self.topic_items()
                 if i.checkState(0) == Qt.CheckState.Checked]
        self.summary.setText(tr("Chosen: {topics}", topics=", ".join(names)) if names
                             else tr("No topics chosen."))
        self.changed.emit()
