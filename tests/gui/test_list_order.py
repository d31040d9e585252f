"""Every list opens in the order its header shows (issue 9, item 3).

Each page of the real main window, on demo data: every table whose header shows a sort
indicator has its rows in that order (by the value the column sorts by, a date for a
date column), and Henvisninger opens with the most overdue referral first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QTableView, QWidget
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.domain.enums import ReferralStatus
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.referrals import change_status
from boligsag.services.unlock import lock
from boligsag.ui.list_order import SORT_ROLE
from boligsag.ui.pages.referrals import ReferralsPage
from boligsag.ui.referrals.model import ROW_ROLE, Column, ReferralsModel
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.shell.navigation import PAGES

from .test_referrals_support import adult, consent, give_address, referral, wait_loaded
from .test_summaries_support import open_demo, summary_demo, window_for

__all__ = ["summary_demo"]  # the shared demo database (a session fixture)

# Who sees each page: the administrator sees all but the volunteers' own page.
USER_FOR = {"network_mothers": "fatima"}
# Pages whose lists sort by a header: there the check must find an indicator.
SORTED_PAGES = {"people", "referrals"}


def settle(qtbot: QtBot) -> None:
    """Until no background query is running and every answer has been shown (an answer
    may start the next query, so look again after delivering)."""
    pool = QThreadPool.globalInstance()
    for _round in range(20):
        qtbot.waitUntil(lambda: pool.activeThreadCount() == 0, timeout=20_000)
        QApplication.processEvents()
        if pool.activeThreadCount() == 0:
            return
    raise AssertionError("background work never settled")


@pytest.fixture
def demo_window(qtbot: QtBot, summary_demo: Path, settings: AppSettings,
                request: pytest.FixtureRequest) -> Iterator[MainWindow]:
    callspec = getattr(request.node, "callspec", None)
    page_id = callspec.params.get("page_id", "referrals") if callspec else "referrals"
    ctx: AppContext = open_demo(summary_demo, USER_FOR.get(page_id, "admin"))
    window = window_for(qtbot, ctx, settings)
    yield window
    QThreadPool.globalInstance().waitForDone(10_000)
    window.close()
    lock(ctx)


def in_order(values: list[Any], descending: bool) -> bool:
    """Values without one (None) form one block at an end; the rest are sorted."""
    present = [v for v in values if v is not None]
    nones = len(values) - len(present)
    at_end = values[len(present):] == [None] * nones
    at_start = values[:nones] == [None] * nones
    return (at_end or at_start) and present == sorted(present, reverse=descending)


def sorted_tables(page: QWidget) -> list[QTableView]:
    return [t for t in page.findChildren(QTableView)
            if t.isVisibleTo(page) and t.horizontalHeader().isSortIndicatorShown()]


# The demo is a stand-alone database: pages shown only on a team laptop (Konflikter: the
# newest conflict first, no sort indicator to disagree with) are not in its window.
@pytest.mark.parametrize("page_id", [page.page_id for page in PAGES
                                     if getattr(page, "shown_in", None) is None])
def test_every_list_opens_in_the_order_its_header_shows(
        qtbot: QtBot, demo_window: MainWindow, page_id: str) -> None:
    demo_window.show_page(page_id)
    page = demo_window.page(page_id)
    assert page is not None and demo_window.current_page() is page
    settle(qtbot)
    tables = sorted_tables(page)
    if page_id in SORTED_PAGES:
        assert tables, f"{page_id}: its list has lost its sort indicator"
    for table in tables:
        model, header = table.model(), table.horizontalHeader()
        assert model.rowCount() > 1, f"{table.objectName()}: no rows to check on demo data"
        column = header.sortIndicatorSection()
        descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        values = [model.index(r, column).data(SORT_ROLE) for r in range(model.rowCount())]
        assert any(v is not None for v in values), (
            f"{table.objectName()}: column {column} has an indicator but no sort value")
        assert in_order(values, descending), (
            f"{table.objectName()} says column {column} "
            f"{'descending' if descending else 'ascending'}, rows are {values[:8]}…")


def test_referrals_open_with_the_most_overdue_first(
        qtbot: QtBot, demo_window: MainWindow) -> None:
    demo_window.show_page("referrals")
    page = demo_window.page("referrals")
    assert isinstance(page, ReferralsPage)
    settle(qtbot)
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == Column.DUE
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    model = page.model
    rows = [model.index(r, 0).data(ROW_ROLE) for r in range(model.rowCount())]
    overdue = [r for r in rows if r.overdue]
    assert len(overdue) >= 2, "the demo data should have overdue referrals"
    # Every overdue referral before every other, the longest overdue at the very top.
    assert rows[:len(overdue)] == overdue
    today = page.model.today
    days_over = [(today - r.due_on).days for r in overdue]
    assert days_over == sorted(days_over, reverse=True)
    assert rows[0].due_on == min(r.due_on for r in rows if r.due_on is not None)
    assert model.index(0, Column.DUE).data() == f"{days_over[0] + 1} dage over"
    # The dates of the rest go forward in time, compared as dates.
    later: list[date] = [r.due_on for r in rows[len(overdue):] if r.due_on is not None]
    assert later == sorted(later)
    tip = model.headerData(Column.DUE, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert tip == "Sorteret med de mest overskredne først"


def test_the_follow_up_order_is_by_the_day_not_by_the_status_day(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock) -> None:
    """The status days run first meeting (40 days ago), sent (20), draft (10); with
    their limits (60, 14, 7) the follow-up days run sent, draft, first meeting."""
    jobcentre = give_address(ctx)
    ids = {}
    for name, steps, days_ago in (
            ("Anna", (ReferralStatus.SENT, ReferralStatus.RECEIVED,
                      ReferralStatus.FIRST_MEETING), 40),
            ("Bo", (ReferralStatus.SENT,), 20), ("Carl", (), 10)):
        person = adult(ctx, name, "Jensen")
        clock.advance(days=-days_ago)
        given = consent(ctx, person, jobcentre)
        made = referral(ctx, person, jobcentre, given.id)
        for step in steps:
            change_status(ctx, made.id, step)
        clock.advance(days=days_ago)
        ids[name] = made.id
    model = ReferralsModel(ctx)
    model.reload()
    wait_loaded(qtbot, model)
    assert [model.row_at(r).id for r in range(3)] == [ids["Bo"], ids["Carl"], ids["Anna"]]
    model.sort(Column.DUE, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    assert [model.row_at(r).id for r in range(3)] == [ids["Anna"], ids["Carl"], ids["Bo"]]
