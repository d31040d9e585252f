"""One rule for every sortable list: the header's sort indicator shows the order the rows
are really in, from the first paint on.

A list that sorts in SQL keeps its order in its model (``sort_column``/``sort_order``);
:func:`sortable_by_model` puts the indicator there before enabling header clicks. Qt's
``setSortingEnabled(True)`` calls ``model.sort()`` with whatever the indicator shows at
that moment, so setting the indicator by hand elsewhere is how the two came apart (the
referrals list said "follow up by, descending" while loading by the status day).

Each sortable model also answers :data:`SORT_ROLE` with the value its rows are ordered
by (a ``date`` for a date column, never its "dd.mm.yyyy" text), so a test can check the
order a user sees without parsing the display text.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

#: The value a column is sorted by; rows without one (None) come last in both directions.
#: The one sort role of every list model (ui/models/rows.py answers it too).
SORT_ROLE = Qt.ItemDataRole.UserRole + 3


class SortedInModel(Protocol):
    def sort_column(self) -> int: ...

    def sort_order(self) -> Qt.SortOrder: ...


def sortable_by_model(view: QTableView, model: SortedInModel) -> None:
    """Show the model's own order in the header, then let header clicks sort (in the
    model, so in SQL). Call after ``view.setModel(model)``."""
    view.horizontalHeader().setSortIndicator(model.sort_column(), model.sort_order())
    view.setSortingEnabled(True)


def show_model_order(view: QTableView, model: SortedInModel) -> None:
    """Put the indicator back where the order is (after a click on a column the model
    cannot sort by), without asking the model to sort again."""
    header = view.horizontalHeader()
    header.blockSignals(True)
    header.setSortIndicator(model.sort_column(), model.sort_order())
    header.blockSignals(False)
    header.viewport().update()
