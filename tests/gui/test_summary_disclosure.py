"""What a staff member sees on the Opgørelser screen is the audited publication: one
mark ("..") for every withheld figure, so the mark never says "1 to 4", and the
linear-programming attacker learns nothing from the figures on the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.summaries.published import format_cell, publish
from boligsag.ui.pages.summaries import SummariesPage

from ..unit.disclosure_attacker import attack
from . import test_summaries_support as support
from .helpers import child
from .test_summaries_support import LAST_YEAR, compute_last_year

# The shared fixtures, bound here so pytest finds them in this module.
lead_ctx = support.lead_ctx
staff_ctx = support.staff_ctx
staff_page = support.staff_page
summary_demo = support.summary_demo


def test_staff_see_one_mark_for_every_withheld_figure_and_nothing_to_narrow(
        qtbot: QtBot, staff_page: SummariesPage, lead_ctx: AppContext) -> None:
    compute_last_year(qtbot, staff_page)
    exact = compute_summary(lead_ctx, LAST_YEAR)
    published = publish(exact)
    screen: list[str] = []
    tooltips: set[str] = set()
    for table in published.tables:
        model = child(staff_page, QTableView, f"summaryTable_{table.key}").model()
        shown = [model.index(r, c).data() for r in range(model.rowCount())
                 for c in range(1, model.columnCount())]
        # The screen shows the publication, cell for cell.
        assert shown == [format_cell(cell, "da") for row in (*table.rows, table.total)
                         if row is not None for cell in row.cells], table.key
        screen += shown
        tooltips |= {model.index(r, c).data(Qt.ItemDataRole.ToolTipRole)
                     for r in range(model.rowCount()) for c in range(1, model.columnCount())
                     if model.index(r, c).data() == ".."}
    assert ".." in screen and not any(text.startswith("<") for text in screen)
    # Every withheld figure says the same thing, in Danish.
    assert len(tooltips) == 1 and "1 til 4" in tooltips.pop()
    assert "udeladte tal vises som .." in child(staff_page, QLabel, "summaryInfo").text()
    # And the attacker, with everything on the screen and the legend, narrows nothing.
    found = attack(exact, published)
    assert found.withheld > 20 and not found.leaks, found
