"""A layout that places widgets left to right and wraps to a new line when the width
runs out (Qt's "Flow Layout" example). The chips of the person field use it with
``fill_last`` (the text field after them takes what is left of its line); a person's
row of buttons with ``align_right``, so that with a large font or display scaling the
buttons take two lines instead of pushing the window past the screen."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 6, *,
                 fill_last: bool = False, align_right: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self._fill_last = fill_last
        self._align_right = align_right

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def insert_widget(self, index: int, widget: QWidget) -> None:
        """Put ``widget`` at ``index`` (chips go before the text field)."""
        self.addWidget(widget)  # adopts the widget and appends its item
        item = self._items.pop()
        self._items.insert(index, item)
        self.invalidate()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins: QMargins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        visible = [i for i in self._items if not (i.widget() and i.widget().isHidden())]
        # Lay out line by line: (item, width) of each line, then place them.
        lines: list[list[tuple[QLayoutItem, int]]] = [[]]
        x = area.x()
        for number, item in enumerate(visible):
            width = max(item.sizeHint().width(), item.minimumSize().width())
            if x + width > area.right() + 1 and lines[-1]:
                lines.append([])
                x = area.x()
            if self._fill_last and number == len(visible) - 1:  # fills the rest of its line
                width = max(width, area.right() + 1 - x)
            lines[-1].append((item, width))
            x += width + self._spacing
        y = area.y()
        for line in lines:
            used = sum(width for _item, width in line) + self._spacing * (len(line) - 1)
            x = area.right() + 1 - used if self._align_right else area.x()
            height = max((item.sizeHint().height() for item, _width in line), default=0)
            for item, width in line:
                if apply:  # centred in its line: a label beside a taller spin box or button
                    item_height = item.sizeHint().height()
                    top = y + (height - item_height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, item_height)))
                x += width + self._spacing
            y += height + self._spacing
        return max(y - self._spacing, area.y()) - rect.y() + margins.bottom()
