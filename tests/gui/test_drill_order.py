"""The records behind a summary figure sort their name columns in Danish order when
a header is clicked (issue 14 §3), as the lists sorted in SQL do."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QSortFilterProxyModel, Qt
from pytestqt.qtbot import QtBot

from boligsag.services.summaries.choices import RecordRow
from boligsag.ui.list_order import SORT_ROLE
from boligsag.ui.summaries.drill_dialog import RecordsModel

NAMES = ["Åse Holm", "anders Berg", "Ørsted Ib", "Çelik Ümit", "Zakariya Ali", "Bent Ko",
         "Aabenraa Bo", "Ærø Eva", "Dorte Dam"]
DANISH = ["anders Berg", "Bent Ko", "Çelik Ümit", "Dorte Dam", "Zakariya Ali", "Ærø Eva",
          "Ørsted Ib", "Aabenraa Bo", "Åse Holm"]


def test_clicking_the_name_header_sorts_in_danish_order(qtbot: QtBot) -> None:
    model = RecordsModel()
    model.set_rows("person", [RecordRow("person", i, i, (name, date(1990, 1, 1), "", ""))
                              for i, name in enumerate(NAMES)])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == DANISH
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == DANISH[::-1]
