"""A summary table as a card: title, the table (as tall as its rows, up to a limit),
and the table's note. A double-click on a figure asks for its drill-down."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.summaries.model import CellRef
from boligsag.summaries.published import PublishedTable
from boligsag.ui.widgets import named

from .table_model import CELL_REF_ROLE, SummaryTableModel

ROW_HEIGHT = 30
MAX_VISIBLE_ROWS = 25  # a year by month, a topic list; ten years by month scroll inside
FIRST_COLUMN_MIN = 150  # narrower, the row labels elide (their tooltip has them in full)
FIGURE_COLUMN_MIN = 80


class SummaryTableView(QTableView):
    drill_requested = Signal(object, str)  # CellRef, a description for the dialog title

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = SummaryTableModel(self)
        self.preferred_width = FIRST_COLUMN_MIN
        self.setModel(self.model_)
        named(self, f"summaryTable_{key}", key)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(FIGURE_COLUMN_MIN)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.doubleClicked.connect(self._double_clicked)

    def set_table(self, table: PublishedTable | None, *, drillable: bool) -> None:
        self.model_.set_table(table, drillable=drillable)
        if table is not None:
            self.setAccessibleName(table.title.text())
        self.setCursor(Qt.CursorShape.PointingHandCursor if drillable
                       else Qt.CursorShape.ArrowCursor)
        self._fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The sizes below are measured once; a new font or style (the application's
        # style sheet reaches a tab's tables when the tab is first shown) needs them again.
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_columns()

    def _fit_columns(self) -> None:
        self.ensurePolished()  # measured with the style sheet's fonts and padding
        header = self.horizontalHeader()
        columns = self.model_.columnCount()
        if columns:
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        rows = min(self.model_.rowCount(), MAX_VISIBLE_ROWS)
        height = header.sizeHint().height() + rows * ROW_HEIGHT + 2 * self.frameWidth() + 2
        self.setFixedHeight(height)
        # Every figure column as wide as its widest figure and (wrapped) heading, always:
        # a narrow screen shortens the row labels, never a number. Sized here, once, by
        # the one widest cell: ResizeToContents would ask every cell of a ten-year table
        # at every layout, hundreds of milliseconds on the GUI thread.
        bold_font = QFont(self.font())
        bold_font.setBold(True)  # the total row and column, as the model shows them
        bold = QFontMetrics(bold_font)
        figures = 0
        for column in range(1, columns):
            width = max(self._content_width(column, bold), header.sectionSizeHint(column),
                        FIGURE_COLUMN_MIN)
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
            figures += width
        extra = 2 * self.frameWidth() + 2
        if self.model_.rowCount() > MAX_VISIBLE_ROWS:
            extra += self.verticalScrollBar().sizeHint().width()
        label = max(FIRST_COLUMN_MIN, self._content_width(0, bold) + 24, header.sectionSizeHint(0))
        self.preferred_width = label + figures + extra
        self.setMinimumWidth(FIRST_COLUMN_MIN + figures + extra)

    def _content_width(self, column: int, bold: QFontMetrics) -> int:
        """What ``sizeHintForColumn`` answers, from the widest cell alone."""
        row = self.model_.widest_row(column, self.fontMetrics(), bold)
        if row < 0:
            return 0
        return self.sizeHintForIndex(self.model_.index(row, column)).width()

    def _double_clicked(self, index: QModelIndex) -> None:
        ref = index.data(CELL_REF_ROLE)
        if not isinstance(ref, CellRef):
            return
        model = self.model_
        row_label = model.index(index.row(), 0).data()
        column_label = model.headerData(index.column(), Qt.Orientation.Horizontal,
                                        Qt.ItemDataRole.ToolTipRole)
        table = model.table
        title = table.title.text() if table is not None else ""
        self.drill_requested.emit(ref, f"{title} · {row_label} · {column_label}")


class TableCard(QFrame):
    """A titled card around one table, with its note underneath."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, f"summaryCard_{key}", key)
        self.key = key
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(8)
        self.title = QLabel()
        self.title.setProperty("role", "cardTitle")
        self.title.setWordWrap(True)
        self.view = SummaryTableView(key)
        self.note = QLabel()
        self.note.setProperty("role", "small")
        self.note.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def preferred_width(self) -> int:
        """Wide enough for every row label in full (a ``CardRow`` lays out by this)."""
        margins = self.layout().contentsMargins()
        return self.view.preferred_width + margins.left() + margins.right() + 2

    def set_table(self, table: PublishedTable | None, *, drillable: bool) -> None:
        self.setVisible(table is not None)
        if table is None:
            return
        self.title.setText(table.title.text())
        self.setAccessibleName(table.title.text())
        self.view.set_table(table, drillable=drillable)
        note = table.note.text() if table.note is not None else ""
        self.note.setText(note)
        self.note.setVisible(bool(note))
