"""Shared set-up for the Opgørelser GUI tests (no tests of its own): one small demo
database per session (150 residents, 3,000 contacts over ten years), unlocked as the
administrator or as a staff member, and the real main window on the summaries page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, create_demo_database
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.summaries.filter import SummaryFilter
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.summaries import SummariesPage
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import CHEAP_KDF
from .helpers import child

TODAY = date(2026, 11, 25)
LAST_YEAR = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))
STAFF_USER = "jonas"  # a medarbejder in every demo database
COMPUTE_TIMEOUT = 30_000


@pytest.fixture(scope="session")
def summary_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("summaries-gui") / "demo.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys, "KDF_PARAMS", CHEAP_KDF)
        create_demo_database(path, people=150, contacts=3000, seed=7, today=TODAY)
    return path


def open_demo(path: Path, username: str = "admin") -> AppContext:
    return unlock(path, username, DEMO_PASSWORD, clock=FixedClock(datetime(2026, 11, 25, 10)),
                  options=UnlockOptions(integrity_check=False))


@pytest.fixture
def lead_ctx(summary_demo: Path) -> Iterator[AppContext]:
    ctx = open_demo(summary_demo)
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    lock(ctx)


@pytest.fixture
def staff_ctx(summary_demo: Path) -> Iterator[AppContext]:
    ctx = open_demo(summary_demo, STAFF_USER)
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    lock(ctx)


def window_for(qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> MainWindow:
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_summaries(qtbot: QtBot, window: MainWindow) -> SummariesPage:
    """Navigate as a user does (View menu action, Ctrl+6), wait for the filter choices."""
    child(window, QAction, "actionShow_summaries").trigger()
    page = child(window, SummariesPage, "page_summaries")
    assert window.current_page() is page
    qtbot.waitUntil(lambda: page.choices is not None, timeout=10_000)
    return page


@pytest.fixture
def lead_page(qtbot: QtBot, lead_ctx: AppContext, settings: AppSettings) -> SummariesPage:
    return open_summaries(qtbot, window_for(qtbot, lead_ctx, settings))


@pytest.fixture
def staff_page(qtbot: QtBot, staff_ctx: AppContext, settings: AppSettings) -> SummariesPage:
    return open_summaries(qtbot, window_for(qtbot, staff_ctx, settings))


def show_published(qtbot: QtBot, page: SummariesPage) -> None:
    """Turn on "Vis som i eksporten" and wait until the published figures are shown
    (the service publishes them in the background, the first time only)."""
    from .helpers import click

    assert page.published is None, "already published: nothing to wait for"
    with qtbot.waitSignal(page.published_shown, timeout=COMPUTE_TIMEOUT):
        click(qtbot, page, "showPublishedCheck")


def compute_last_year(qtbot: QtBot, page: SummariesPage) -> None:
    """Click the "Sidste år" preset and Beregn; wait until the figures are shown."""
    from .helpers import click

    click(qtbot, page, "presetLastYear")
    with qtbot.waitSignal(page.computed, timeout=COMPUTE_TIMEOUT):
        click(qtbot, page, "computeButton")
    assert page.summary is not None and page.summary.filter == LAST_YEAR
