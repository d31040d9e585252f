"""The Opgørelser screen in the real main window: choose a period, compute, see the
engine's figures; bad input; drill-down; staff see published figures only; a new
computation cancels the one running; refresh when data changes."""

from __future__ import annotations

from datetime import date

from PySide6.QtCharts import QAbstractBarSeries
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QLabel, QPushButton, QTableView, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.published import format_cell, publish
from boligsag.ui.pages.summaries import SummariesPage
from boligsag.ui.summaries.drill_dialog import DrillDownDialog
from boligsag.ui.summaries.table_model import CELL_REF_ROLE

from . import test_summaries_support as support
from .helpers import child, click, click_list_row
from .test_summaries_support import COMPUTE_TIMEOUT, LAST_YEAR, compute_last_year, show_published

# The shared fixtures, bound here so pytest finds them in this module.
lead_ctx = support.lead_ctx
lead_page = support.lead_page
staff_ctx = support.staff_ctx
staff_page = support.staff_page
summary_demo = support.summary_demo


def table_view(page: SummariesPage, key: str) -> QTableView:
    return child(page, QTableView, f"summaryTable_{key}")


def double_click(qtbot: QtBot, view: QTableView, row: int, column: int) -> None:
    """As a user does: the first click selects the cell, the second makes it a
    double-click (Qt ignores a double-click on a cell that was not pressed first)."""
    point = view.visualRect(view.model().index(row, column)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_a_computed_year_shows_the_engines_figures(
        qtbot: QtBot, lead_page: SummariesPage, lead_ctx: AppContext) -> None:
    assert child(lead_page, QWidget, "summaryIntro").isVisible()
    compute_last_year(qtbot, lead_page)
    expected = compute_summary(lead_ctx, LAST_YEAR)
    tile = child(lead_page, QLabel, "tileValue_participants")
    assert tile.text() == f"{expected.value(expected.key_figure('participants').ref):,}" \
        .replace(",", ".")
    contacts = expected.value(expected.key_figure("contacts").ref)
    assert child(lead_page, QLabel, "tileValue_contacts").text() == \
        f"{contacts:,}".replace(",", ".")
    # The channel table: Danish number format, right-aligned, bold total row.
    view = table_view(lead_page, "contacts_by_channel")
    total_row = view.model().rowCount() - 1
    total = view.model().index(total_row, 1)
    assert total.data() == f"{contacts:,}".replace(",", ".")
    assert total.data(Qt.ItemDataRole.FontRole).bold()
    assert total.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    # The charts are drawn from the same figures.
    chart = lead_page.results.charts["overview_chart"].chart()
    assert chart is not None
    series = chart.series()[0]
    assert isinstance(series, QAbstractBarSeries)
    drawn = sum(bar_set.sum() for bar_set in series.barSets())
    assert drawn == contacts
    funnel = lead_page.results.charts["funnel_chart"].chart()
    assert funnel is not None and funnel.series()[0].barSets()[0].count() == 5
    assert "1. januar 2025" in child(lead_page, QLabel, "summaryInfo").text()


def test_enter_computes_from_the_filter_bar(qtbot: QtBot, lead_page: SummariesPage) -> None:
    date_to = child(lead_page, QDateEdit, "dateTo")
    date_to.setFocus()
    with qtbot.waitSignal(lead_page.computed, timeout=COMPUTE_TIMEOUT):
        qtbot.keyClick(date_to, Qt.Key.Key_Return)
    assert lead_page.summary is not None
    assert lead_page.summary.filter.date_to == date(2026, 11, 25)  # "I år" by default


def test_an_end_before_the_start_is_explained_beside_the_field(
        qtbot: QtBot, lead_page: SummariesPage) -> None:
    child(lead_page, QDateEdit, "dateFrom").setDate(QDate(2025, 6, 1))
    child(lead_page, QDateEdit, "dateTo").setDate(QDate(2025, 1, 31))
    click(qtbot, lead_page, "computeButton")
    message = child(lead_page, QLabel, "periodError")
    assert message.isVisible()
    assert "slutter, før den begynder" in message.text() and "01.06.2025" in message.text()
    assert lead_page.compute_task is None and lead_page.summary is None
    # Correcting the date clears the message at once.
    child(lead_page, QDateEdit, "dateTo").setDate(QDate(2025, 12, 31))
    assert not message.isVisible()


def test_an_empty_selection_is_explained_and_not_computed(
        qtbot: QtBot, lead_page: SummariesPage) -> None:
    areas = child(lead_page, QPushButton, "areaFilter")
    click(qtbot, lead_page, "areaFilter")
    popup = lead_page.filters.selects["area"]
    click_list_row(qtbot, popup.list, 0)  # "Alle" off: nothing is chosen
    assert areas.text() == "Ingen valgt"
    popup.popup.hide()
    click(qtbot, lead_page, "computeButton")
    message = child(lead_page, QLabel, "selectionError")
    assert message.isVisible() and "Boligområde" in message.text()
    assert lead_page.compute_task is None
    click_list_row(qtbot, popup.list, 1)  # one area: valid again
    assert not message.isVisible()
    assert lead_page.filters.current_filter().area_ids == (popup.selected_ids() or ())[:1]


def test_a_nothing_registered_period_shows_an_empty_state(
        qtbot: QtBot, lead_page: SummariesPage) -> None:
    lead_page.filters.set_period(date(2001, 1, 1), date(2001, 12, 31))
    with qtbot.waitSignal(lead_page.computed, timeout=COMPUTE_TIMEOUT):
        click(qtbot, lead_page, "computeButton")
    assert child(lead_page, QWidget, "summaryNothing").isVisible()
    assert not child(lead_page, QPushButton, "exportXlsxButton").isEnabled()


def test_drill_down_lists_the_records_and_offers_the_person(
        qtbot: QtBot, lead_page: SummariesPage, lead_ctx: AppContext) -> None:
    compute_last_year(qtbot, lead_page)
    lead_page.results.show_tab("contacts")
    view = table_view(lead_page, "contacts_by_channel")
    index = view.model().index(1, 1)
    expected = int(index.data().replace(".", ""))
    assert index.data(CELL_REF_ROLE) is not None
    double_click(qtbot, view, 1, 1)
    dialog = lead_page.drill_dialog
    assert isinstance(dialog, DrillDownDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=COMPUTE_TIMEOUT)
    assert dialog.model.rowCount() == expected
    assert dialog.model.headings[:3] == ("Dato", "Kanal", "Medarbejder")
    table = child(dialog, QTableView, "drillDownTable")
    row = next(r for r in range(table.model().rowCount())
               if table.model().index(r, 0).data(Qt.ItemDataRole.UserRole + 1) is not None)
    with qtbot.waitSignal(lead_page.person_requested, timeout=2_000) as opened:
        double_click(qtbot, table, row, 3)
    assert isinstance(opened.args[0], int)
    click(qtbot, dialog, "drillDownClose")


def test_a_tile_drills_down_to_people(qtbot: QtBot, lead_page: SummariesPage) -> None:
    compute_last_year(qtbot, lead_page)
    tile = lead_page.results.tiles.tiles["participants"]
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton)
    dialog = lead_page.drill_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=COMPUTE_TIMEOUT)
    assert dialog.model.kind == "person"
    assert dialog.model.headings[:2] == ("Navn", "Fødselsdato")
    assert dialog.model.rowCount() == int(tile.value.text().replace(".", ""))


def test_staff_see_published_figures_without_drill_down_or_export(
        qtbot: QtBot, staff_page: SummariesPage, lead_ctx: AppContext) -> None:
    assert staff_page.findChild(QPushButton, "exportXlsxButton") is None
    assert staff_page.findChild(QPushButton, "exportCsvButton") is None
    assert staff_page.findChild(QPushButton, "exportPdfButton") is None
    assert not child(staff_page, QWidget, "showPublishedCheck").isVisible()
    compute_last_year(qtbot, staff_page)
    # The figures an export publishes (the service gives staff nothing more exact).
    published = publish(compute_summary(lead_ctx, LAST_YEAR))
    for key in ("participants", "contacts", "attendance_rate", "closed_share"):
        tile = child(staff_page, QLabel, f"tileValue_{key}")
        assert tile.text() == format_cell(published.figure(key).cell, "da")
    # Small counts are withheld in the tables exactly as in the exports.
    table = published.table("participants")
    view = table_view(staff_page, "participants")
    shown = [view.model().index(r, c).data() for r in range(view.model().rowCount())
             for c in range(1, view.model().columnCount())]
    expected = [format_cell(cell, "da") for row in (*table.rows, table.total)
                for cell in row.cells]
    assert shown == expected
    assert ".." in shown and "<5" not in shown
    # No drill-down affordance anywhere.
    model = view.model()
    assert all(model.cell_ref(r, c) is None for r in range(model.rowCount())
               for c in range(model.columnCount()))
    staff_page.results.show_tab("participants")
    double_click(qtbot, view, 2, 1)
    assert staff_page.drill_dialog is None
    assert staff_page.results.tiles.tiles["participants"].ref is None


def test_a_team_lead_can_view_the_published_figures(
        qtbot: QtBot, lead_page: SummariesPage, lead_ctx: AppContext) -> None:
    compute_last_year(qtbot, lead_page)
    show_published(qtbot, lead_page)
    published = publish(compute_summary(lead_ctx, LAST_YEAR))
    view = table_view(lead_page, "participants")
    first = view.model().index(0, 1)
    assert first.data() == format_cell(published.table("participants").rows[0].cells[0], "da")
    assert first.data(CELL_REF_ROLE) is None  # no drill-down from published figures
    assert "udeladte tal vises som .." in child(lead_page, QLabel, "summaryInfo").text()


def test_a_new_computation_cancels_the_running_one(
        qtbot: QtBot, lead_page: SummariesPage) -> None:
    lead_page.compute(SummaryFilter(date(2016, 12, 1), date(2026, 11, 25)))
    first = lead_page.compute_task
    assert first is not None
    with qtbot.waitSignal(lead_page.computed, timeout=COMPUTE_TIMEOUT):
        lead_page.compute(LAST_YEAR)
    assert first.is_cancelled()
    qtbot.waitUntil(first.done.is_set, timeout=COMPUTE_TIMEOUT)
    qtbot.wait(50)  # let a late result of the first arrive: it must be ignored
    assert lead_page.summary is not None and lead_page.summary.filter == LAST_YEAR
    assert not child(lead_page, QWidget, "computeProgress").isVisible()


def test_cancel_stops_a_computation(qtbot: QtBot, lead_page: SummariesPage) -> None:
    lead_page.compute(SummaryFilter(date(2016, 12, 1), date(2026, 11, 25)))
    task = lead_page.compute_task
    assert task is not None
    click(qtbot, lead_page, "computeProgressCancel")
    qtbot.waitUntil(lambda: lead_page.compute_task is None, timeout=COMPUTE_TIMEOUT)
    assert task.is_cancelled() and lead_page.summary is None
    assert not child(lead_page, QWidget, "computeProgress").isVisible()


def test_changes_recompute_while_shown_and_mark_stale_otherwise(
        qtbot: QtBot, lead_page: SummariesPage) -> None:
    compute_last_year(qtbot, lead_page)
    window = lead_page.window()
    with qtbot.waitSignal(lead_page.computed, timeout=COMPUTE_TIMEOUT):
        lead_page.events.announce(frozenset({Entity.CONTACTS}))
    window.show_page("start")
    computed: list[object] = []
    lead_page.computed.connect(computed.append)
    lead_page.events.announce(frozenset({Entity.CONTACTS}))
    qtbot.wait(200)
    assert computed == []  # hidden: nothing recomputed, the page is only marked stale
    with qtbot.waitSignal(lead_page.computed, timeout=COMPUTE_TIMEOUT):
        window.show_page("summaries")
    assert lead_page.summary is not None and lead_page.summary.filter == LAST_YEAR


def test_the_filters_changed_hint(qtbot: QtBot, lead_page: SummariesPage) -> None:
    compute_last_year(qtbot, lead_page)
    hint = child(lead_page, QLabel, "filtersChangedHint")
    assert not hint.isVisible()
    click(qtbot, lead_page, "presetThisYear")
    assert hint.isVisible()
    click(qtbot, lead_page, "presetLastYear")
    assert not hint.isVisible()
