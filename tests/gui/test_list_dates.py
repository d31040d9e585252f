"""Every list of the app writes its dates one way (boligsag.formatting.short_date):
05.11.2026 in Danish, 05/11/2026 in English — never 05-11-2026 or 2026-11-05 beside it.

Walks every table and list of the real main window, page by page and on a person's
page, on the small demo database, in both languages: each cell's text and tooltip."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QCoreApplication,
    Qt,
    QThreadPool,
)
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.i18n import set_language
from boligsag.services.consents import expiring_consents
from boligsag.services.context import AppContext
from boligsag.services.jobs import list_jobs
from boligsag.services.unlock import lock
from boligsag.ui.qt_translations import install_qt_translations
from boligsag.ui.shell.main_window import MainWindow

from .test_summaries_support import open_demo, summary_demo, window_for  # noqa: F401

# Anything that looks like a written date: d-m-y, y-m-d, with - . or / between.
DATE_LIKE = re.compile(r"(?<![\d.,])\d{1,4}[-./]\d{1,2}[-./]\d{1,4}(?![\d,])")
SHORT = {"da": re.compile(r"\d{2}\.\d{2}\.\d{4}"), "en": re.compile(r"\d{2}/\d{2}/\d{4}")}
ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
         Qt.ItemDataRole.AccessibleTextRole)
# Lists that show dates in the demo (a list absent here would pass without a look).
DATED = {"followUpTable", "sessionsTable", "contactsTable", "referralsTable", "jobsTable",
         "consentsTable", "timelineList"}


@pytest.fixture
def demo_ctx(summary_demo: Path) -> Iterator[AppContext]:  # noqa: F811
    ctx = open_demo(summary_demo)
    yield ctx
    QThreadPool.globalInstance().waitForDone(10_000)
    lock(ctx)


def settle() -> None:
    """Loads started by a load (a page, then its chosen row) are done too."""
    for _ in range(4):
        QThreadPool.globalInstance().waitForDone(10_000)
        QCoreApplication.processEvents()


def dates_in(model: QAbstractItemModel) -> Iterator[str]:
    for row in range(min(model.rowCount(), 60)):
        # A list model's columnCount is private in PySide: one column.
        columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
        for column in range(columns):
            index = model.index(row, column)
            for role in ROLES:
                value = index.data(role)
                if isinstance(value, str):
                    yield from DATE_LIKE.findall(value)


def walk(window: MainWindow, found: dict[str, set[str]]) -> None:
    settle()
    for view in window.findChildren(QAbstractItemView):
        model = view.model()
        if model is not None and view.objectName():
            found.setdefault(view.objectName(), set()).update(dates_in(model))


@pytest.mark.parametrize("language", ["da", "en"])
def test_every_list_writes_its_dates_the_same_way(
        qtbot: QtBot, demo_ctx: AppContext, settings: AppSettings, language: str) -> None:
    set_language(language)
    install_qt_translations(language)
    window = window_for(qtbot, demo_ctx, settings)
    found: dict[str, set[str]] = {}
    for page in window.pages:
        window.show_page(page.page_id)
        walk(window, found)
        if page.page_id == "activities":  # the chosen activity's sessions tab
            tabs = page.detail.tabs  # type: ignore[attr-defined]
            tabs.setCurrentIndex(tabs.count() - 1)
            walk(window, found)
    # A person with a job and one with a consent, on their own page.
    job = list_jobs(demo_ctx)[0]
    consent = expiring_consents(demo_ctx)[0]
    people = window.page("people")
    for person_id, tab in ((job.person_id, "jobs"), (consent.person_id, "consents")):
        window.open_person(person_id)
        view = people.person_view  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda v=view, p=person_id: v.page is not None
                        and v.page.detail.person.id == p, timeout=10_000)
        walk(window, found)
        view.tabs.setCurrentWidget(getattr(view, tab))
        walk(window, found)

    wrong = {name: sorted(d for d in dates if not SHORT[language].fullmatch(d))
             for name, dates in found.items()}
    assert {name: dates for name, dates in wrong.items() if dates} == {}
    assert {name for name, dates in found.items() if dates} >= DATED
