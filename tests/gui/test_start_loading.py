"""The start page never says "nothing due" while it is still counting (issue 9, item 8):
until the figures are there it says it is loading, then shows the real counts. And its
"Hvad" column ends cut text in "…" with the whole text on hover."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStyleOptionViewItem, QTableView
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.ui.elide import ElidedDelegate
from boligsag.ui.events import AppEvents
from boligsag.ui.jobs.models import FollowUpColumn
from boligsag.ui.pages import start as start_module
from boligsag.ui.referrals import reminders as reminders_module
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_people_support import make_person


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()  # never leave a worker thread waiting after the test


def held(gate: threading.Event, work: Callable[..., Any]) -> Callable[..., Any]:
    def wait_then(*args: Any, **kwargs: Any) -> Any:
        assert gate.wait(10), "the test never released the loader"
        return work(*args, **kwargs)
    return wait_then


def visible_texts(window: MainWindow) -> list[str]:
    page = window.page("start")
    assert page is not None
    return [label.text() for label in page.findChildren(QLabel) if label.isVisible()]


def test_no_zero_counts_while_the_start_page_is_loading(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings, gate: threading.Event,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for module, name in ((reminders_module, "overdue_referrals"),
                         (reminders_module, "expiring_consents"),
                         (start_module, "organisation_overview")):
        monkeypatch.setattr(module, name, held(gate, getattr(module, name)))
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)

    title = child(window, QLabel, "overdueReferralsTitle")
    consents = child(window, QLabel, "expiringConsentsTitle")
    texts = visible_texts(window)
    assert not [t for t in texts if "(0)" in t], texts
    assert not [t for t in texts if t.startswith(("Ingen henvisninger", "Ingen samtykker"))]
    assert child(window, QLabel, "overdueReferralsLoading").isVisible()
    assert "Henter" in child(window, QLabel, "overdueReferralsLoading").text()

    gate.set()
    qtbot.waitUntil(lambda: title.text().endswith("(0)"), timeout=5_000)
    qtbot.waitUntil(lambda: consents.text().endswith("(0)"), timeout=5_000)
    assert child(window, QLabel, "overdueReferralsEmpty").isVisible()
    assert not child(window, QLabel, "overdueReferralsLoading").isVisible()
    qtbot.waitUntil(lambda: child(window, QLabel, "figureValue_people").text() == "0",
                    timeout=5_000)


def test_a_long_what_on_the_start_page_ends_in_an_ellipsis_with_the_whole_text_on_hover(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> None:
    ayse = make_person(ctx, "Ayşe", "Kaya", date(1990, 3, 4))
    note = ("Ring til boligselskabet om fugt i børneværelset og spørg efter "
            "en ny besigtigelse inden jul, gerne om formiddagen")
    log_contact(ctx, ContactDraft("phone", person_ids=(ayse,), note=note,
                                  occurred_at=datetime(2026, 11, 20, 9, 0),
                                  follow_up_date=date(2026, 11, 24)))
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)  # the common laptop
    window.show()
    qtbot.waitExposed(window)
    table = child(window, QTableView, "followUpTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1, timeout=5_000)
    index = table.model().index(0, FollowUpColumn.WHAT)
    delegate = table.itemDelegateForColumn(FollowUpColumn.WHAT)
    assert isinstance(delegate, ElidedDelegate)  # the one shared mechanism (ui/elide.py)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = table.visualRect(index)
    assert delegate.is_elided(table, option, index)  # cut at this width: ends in "…"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == index.data()  # all of it on hover
    # The service's note excerpt stops at a word and says there is more.
    assert index.data().endswith("og spørg…")
