"""The one helper for background work: results on the main thread, dropped when
their owner is gone."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from boligsag.services.changes import Entity, writes
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.events import AppEvents, run_service


def test_result_and_progress_arrive_on_the_main_thread(qtbot: QtBot) -> None:
    owner = QObject()
    seen: list[tuple[str, object, bool]] = []
    main = QThread.currentThread()

    def work(task: BackgroundTask) -> int:
        assert threading.current_thread() is not threading.main_thread()
        task.report(1, 2, "halfway")
        return 42

    run_in_background(owner, work,
                      on_success=lambda r: seen.append(("ok", r, QThread.currentThread() is main)),
                      on_progress=lambda d, t, s: seen.append(("progress", (d, t, s), True)))
    qtbot.waitUntil(lambda: any(kind == "ok" for kind, _, _ in seen), timeout=5_000)
    assert seen == [("progress", (1, 2, "halfway"), True), ("ok", 42, True)]


def test_an_exception_is_delivered_not_lost(qtbot: QtBot) -> None:
    owner = QObject()
    errors: list[BaseException] = []

    def work(_task: BackgroundTask) -> None:
        raise ValueError("Ærø")

    run_in_background(owner, work, on_success=lambda _r: None, on_failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "Ærø"


def test_the_callback_is_dropped_when_its_owner_died(qtbot: QtBot) -> None:
    owner = QObject()
    release = threading.Event()
    called: list[object] = []
    task = run_in_background(owner, lambda _t: release.wait(5) or "late",
                             on_success=called.append)
    shiboken6.delete(owner)  # e.g. the dialog was closed while the work ran
    release.set()
    assert task.done.wait(5)
    qtbot.wait(100)  # let the queued delivery be processed
    assert called == []


def test_cancel_is_visible_to_the_work(qtbot: QtBot) -> None:
    owner = QObject()
    started, results = threading.Event(), []

    def work(task: BackgroundTask) -> str:
        started.set()
        while not task.is_cancelled():
            threading.Event().wait(0.01)
        return "stopped"

    task = run_in_background(owner, work, on_success=results.append)
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: results == ["stopped"], timeout=5_000)


def test_run_service_announces_what_the_service_changed(qtbot: QtBot) -> None:
    @writes(Entity.CONTACTS, Entity.FOLLOW_UPS)
    def log_contact(note: str) -> str:
        return note.upper()

    owner, events = QObject(), AppEvents()
    results: list[str] = []
    with qtbot.waitSignal(events.changed) as changed:
        run_service(owner, events, log_contact, "ærinde", on_success=results.append)
    assert changed.args[0] == frozenset({Entity.CONTACTS, Entity.FOLLOW_UPS})
    qtbot.waitUntil(lambda: results == ["ÆRINDE"], timeout=5_000)
