"""The one reload mechanism (ui/reloader.py), seen from the real main window: a hidden
view does not load on a change and loads once when shown; showing a view again without
a change loads nothing; the late answer of a superseded load is dropped.

Loads are counted by wrapping the service each view calls."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QThreadPool
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from boligsag.services.changes import Entity
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.overview import organisation_overview
from boligsag.ui.pages import my_cases as my_cases_page
from boligsag.ui.pages import my_cases_card, personal_reminders, start
from boligsag.ui.pages.start import StartPage
from boligsag.ui.referrals import reminders as referral_reminders
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child


def counted(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Replace ``module.name`` by a wrapper that records each call."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def settle() -> None:
    """Every background load finished and its answer delivered."""
    QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()


def start_loaded(qtbot: QtBot, window: MainWindow) -> StartPage:
    page = window.page("start")
    assert isinstance(page, StartPage) and page.reminders is not None
    qtbot.waitUntil(lambda: page.reminders.loaded_once  # type: ignore[union-attr]
                    and page.overview is not None, timeout=5_000)
    settle()
    return page


def test_a_hidden_view_does_not_load_on_a_change_and_loads_once_when_shown(
        qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    start_loaded(qtbot, main_window)
    referrals = counted(monkeypatch, referral_reminders, "overdue_referrals")
    cases = counted(monkeypatch, my_cases_page, "my_cases")
    main_window.show_page("people")
    main_window.events.announce(frozenset({Entity.REFERRALS}))
    main_window.events.announce(frozenset({Entity.REFERRALS, Entity.PEOPLE}))
    settle()
    assert referrals == [] and cases == []  # hidden: only marked stale

    main_window.show_page("start")
    qtbot.waitUntil(lambda: len(referrals) == 1, timeout=5_000)
    main_window.show_page("my_cases")  # never shown before: its first load
    qtbot.waitUntil(lambda: len(cases) == 1, timeout=5_000)
    settle()
    assert len(referrals) == 1 and len(cases) == 1  # two changes, one load each


def test_showing_a_view_again_without_a_change_loads_nothing(
        qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch,
        clock: FixedClock) -> None:
    start_loaded(qtbot, main_window)
    calls = {"referrals": counted(monkeypatch, referral_reminders, "overdue_referrals"),
             "reminders": counted(monkeypatch, personal_reminders, "my_due_reminders"),
             "my cases": counted(monkeypatch, my_cases_card, "my_cases"),
             "overview": counted(monkeypatch, start, "organisation_overview")}
    for _ in range(2):
        main_window.show_page("people")
        main_window.show_page("start")
    settle()
    assert {name: len(c) for name, c in calls.items()} == dict.fromkeys(calls, 0)

    # Overdue days depend on the date: shown on a later day, the dated lists reload once.
    clock.advance(days=1)
    main_window.show_page("people")
    main_window.show_page("start")
    settle()
    assert {name: len(c) for name, c in calls.items()} == {
        "referrals": 1, "reminders": 1, "my cases": 1, "overview": 0}


def test_the_late_answer_of_a_superseded_load_is_dropped(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = start_loaded(qtbot, main_window)
    real = organisation_overview(ctx)
    release = threading.Event()
    answers = iter([(True, replace(real, people=111)), (False, replace(real, people=222))])

    def overview(_ctx: AppContext) -> Any:
        slow, answer = next(answers)
        if slow:  # the first load answers only after the second one was shown
            release.wait(10)
        return answer

    monkeypatch.setattr(start, "organisation_overview", overview)
    figure = child(page, QLabel, "figureValue_people")
    main_window.events.announce(frozenset({Entity.PEOPLE}))  # load 1: slow, old
    main_window.events.announce(frozenset({Entity.PEOPLE}))  # load 2: fast, new
    qtbot.waitUntil(lambda: figure.text() == "222", timeout=10_000)
    release.set()
    settle()
    assert figure.text() == "222"
