"""The look every list of the app shares, and keeping the chosen row across a reload."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from boligsag.ui.elide import elide_view

from .rows import ROW_ROLE, RowsModel

FIT_SAMPLE_ROWS = 100


def setup_table(view: QTableView, model: QAbstractItemModel, *,
                stretch: int | Sequence[int] | None = None, fit: Sequence[int] = (),
                widths: dict[int, int] | None = None, row_height: int = 34) -> QTableView:
    """Row selection, no grid, calm rows; ``fit`` columns follow their contents,
    ``stretch`` (one column or several) takes the rest, else the last column does;
    ``widths`` are starting widths the user may change."""
    view.setModel(model)
    elide_view(view)  # cut cells end in "…" and show their text on hover
    # The selected row shows where the keyboard is; Qt's dotted focus frame on one
    # cell only adds noise. A rule of the application's style sheet (theme.py) picks
    # these lists by this property: a style sheet of the view's own would make Qt style
    # the view and its cells apart from the rest, slower to build and to paint.
    view.setProperty("list", True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)  # Tab leaves the list, as in any form
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(row_height)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setStretchLastSection(stretch is None)
    for column in fit:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    # A fitted column asks the rows for their width at every layout, by default up to a
    # thousand of them: 90 ms on the GUI thread for a long follow-up list. The visible
    # rows and those around them are enough for dates and kinds; a longer text further
    # down ends in "…" and shows in full on hover.
    header.setResizeContentsPrecision(FIT_SAMPLE_ROWS)
    for column, width in (widths or {}).items():
        header.resizeSection(column, width)
    for column in [stretch] if isinstance(stretch, int) else stretch or ():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    return view


def current_row(view: QTableView) -> Any | None:
    """The frozen row under the view's current index, if any."""
    index = view.currentIndex()
    if not index.isValid() or not view.selectionModel().isSelected(index):
        return None
    return index.data(ROW_ROLE)


def select_key(view: QTableView, model: RowsModel, key: Any,
               fallback_row: int | None = None) -> bool:
    """Select (and make current) the row with ``key``, or ``fallback_row`` clamped."""
    row = model.find(key) if key is not None else -1
    if row < 0 and fallback_row is not None and model.rowCount():
        row = max(0, min(fallback_row, model.rowCount() - 1))
    if row < 0:
        return False
    index = model.index(row, max(view.currentIndex().column(), 0))
    view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)
    return True


def keep_selection(view: QTableView, model: RowsModel) -> Callable[[], None]:
    """Call before a reload; the returned function reselects the same record."""
    row = current_row(view)
    key = model.key(row) if row is not None else None
    position = view.currentIndex().row()
    return lambda: select_key(view, model, key, position if key is not None else None)
