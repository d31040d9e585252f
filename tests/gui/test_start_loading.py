"""The start page never says "nothing due" while it is still counting (issue 9, item 8):
until the figures are there it says it is loading, then shows the real counts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services.context import AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.main_window import MainWindow
from boligsag.ui.pages import start as start_module
from boligsag.ui.referrals import reminders as reminders_module

from .helpers import child


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
