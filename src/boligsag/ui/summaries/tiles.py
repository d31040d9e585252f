"""Key-figure tiles: the dozen numbers a board asks for first, big and calm.

A tile shows the figure as the tables show it (exact for a team lead, published for
staff); a team lead double-clicks a tile to see the records behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from boligsag.i18n import current_language, tr
from boligsag.summaries.model import CellRef, Summary, ValueKind
from boligsag.summaries.published import Published, format_cell
from boligsag.ui.widgets import named

from .table_model import mark_tooltip
from .view import Shown

# In reading order: people, contacts, activities, referrals, jobs.
TILE_KEYS = (
    "participants", "new_participants", "contacts", "hours", "sessions", "attendance_rate",
    "drop_in", "referrals", "closed_share", "median_days", "young_people_with_job",
    "still_employed_12",
)
COLUMNS = 6


def tile_caption(key: str) -> str:
    """Short captions for the tiles; the engine's full label is the tooltip."""
    return {
        "participants": tr("Participants"),
        "new_participants": tr("New participants"),
        "contacts": tr("Contacts"),
        "hours": tr("Hours of contact"),
        "sessions": tr("Sessions held"),
        "attendance_rate": tr("Attendance rate"),
        "drop_in": tr("Drop-in visits"),
        "referrals": tr("Referrals"),
        "closed_share": tr("Share with the loop closed"),
        "median_days": tr("Median to first meeting"),
        "young_people_with_job": tr("Young people with a job"),
        "still_employed_12": tr("Still in a job after 12 months"),
    }.get(key, key)


def tile_text(cell: Published) -> str:
    text = format_cell(cell, current_language())
    if not text:
        return "–"
    if cell.kind is ValueKind.DAYS and not cell.mark:
        return tr("{days} days", days=text)
    return text


class Tile(QFrame):
    activated = Signal(object, str)  # CellRef, its label

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.ref: CellRef | None = None
        self.label = ""
        named(self, f"tile_{key}", key)
        self.setProperty("role", "card")
        self.setMinimumHeight(84)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 14, 10)
        layout.setSpacing(2)
        self.value = named(QLabel("–"), f"tileValue_{key}", key)
        self.value.setProperty("role", "figure")
        self.caption = QLabel()
        self.caption.setProperty("role", "muted")
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.value)
        layout.addWidget(self.caption, 1)

    def set_figure(self, label: str, cell: Published, ref: CellRef | None) -> None:
        text = tile_text(cell)
        caption = tile_caption(self.key)
        self.value.setText(text)
        self.caption.setText(caption)
        self.label = label
        self.setAccessibleName(caption)
        self.value.setAccessibleName(caption)
        self.setAccessibleDescription(f"{label}: {text}")
        self.ref = ref if not cell.mark and cell.value else None
        tips = [label]
        if cell.mark:
            tips.append(mark_tooltip(cell.mark))
        if self.ref is not None:
            tips.append(tr("Double-click to see the records behind this figure."))
        self.setToolTip("\n".join(tips))
        self.setCursor(Qt.CursorShape.PointingHandCursor if self.ref is not None
                       else Qt.CursorShape.ArrowCursor)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.ref is not None:
            self.activated.emit(self.ref, self.label)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class KeyFigureTiles(QWidget):
    """Six tiles a row on a wide screen, four or three on a narrow one."""

    drill_requested = Signal(object, str)
    SPACING = 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "keyFigureTiles", tr("Key figures"))
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(self.SPACING)
        self.tiles: dict[str, Tile] = {}
        for key in TILE_KEYS:
            tile = Tile(key)
            tile.activated.connect(self.drill_requested.emit)
            self.tiles[key] = tile
        self.columns = 0
        self._arrange(COLUMNS)

    def _tile_width(self) -> int:
        return max(t.minimumSizeHint().width() for t in self.tiles.values())

    def _arrange(self, columns: int) -> None:
        if columns == self.columns:
            return
        self.columns = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for n, tile in enumerate(self.tiles.values()):
            self.grid.addWidget(tile, n // columns, n % columns)
        for column in range(columns):
            self.grid.setColumnStretch(column, 1)

    def _fitting(self, width: int) -> int:
        for columns in (COLUMNS, 4, 3):
            if columns * self._tile_width() + (columns - 1) * self.SPACING <= width:
                return columns
        return 3

    def minimumSizeHint(self) -> QSize:
        return QSize(3 * self._tile_width() + 2 * self.SPACING,
                     super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(self._fitting(event.size().width()))

    def show_figures(self, shown: Shown, *, drillable: bool) -> None:
        summary: Summary = shown.summary
        for key, tile in self.tiles.items():
            figure = shown.figures.get(key)
            tile.setVisible(figure is not None)
            if figure is None:
                continue
            ref = summary.key_figure(key).ref if drillable and shown.exact else None
            tile.set_figure(figure.label.text(), figure.cell, ref)
        self._arrange(self._fitting(self.width()) if self.width() > 0 else self.columns)
