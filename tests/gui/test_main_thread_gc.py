"""Python's cycle collector never runs in a worker thread once the application
exists (ui/main_thread_gc.py): a garbage cycle holding a QObject is only finalised on
the GUI thread, however much a worker allocates."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from boligsag.ui.main_thread_gc import INTERVAL_MS, MainThreadCollector, collect_due
from boligsag.ui.shell.app import create_application


class _Holder:
    """A Python object in a reference cycle that owns a parentless QObject."""

    def __init__(self) -> None:
        self.me = self
        self.qobject = QObject()
        # The slot must not hold the holder: Qt's reference would keep the cycle alive.
        finalised_on: list[str] = []
        self.qobject.destroyed.connect(
            lambda *_: finalised_on.append(threading.current_thread().name))
        self.finalised_on = finalised_on


def _allocate_in_a_worker() -> None:
    def churn() -> None:
        # Far more container allocations than gc's first threshold (700).
        junk = [[index] for index in range(200_000)]
        del junk

    worker = threading.Thread(target=churn, name="worker")
    worker.start()
    worker.join()


def test_the_application_switches_automatic_collection_off(
        boligsag_app: QApplication) -> None:
    app = create_application()  # a second call installs no second collector
    collectors = app.findChildren(MainThreadCollector)
    assert len(collectors) == 1 and collectors[0].timer.isActive()
    assert not gc.isenabled()


def test_a_workers_allocations_leave_a_qt_cycle_for_the_gui_thread(
        qtbot: QtBot, boligsag_app: QApplication) -> None:
    holder = _Holder()
    alive = weakref.ref(holder)
    finalised_on = holder.finalised_on
    del holder
    _allocate_in_a_worker()
    assert alive() is not None and finalised_on == []  # not collected in the worker

    qtbot.waitUntil(lambda: alive() is None, timeout=5 * INTERVAL_MS)  # the timer's tick
    assert finalised_on == [threading.main_thread().name]


def test_collecting_off_the_gui_thread_does_nothing(boligsag_app: QApplication) -> None:
    holder = _Holder()
    alive = weakref.ref(holder)
    del holder
    for _ in range(2_000):  # past the first threshold
        [[]]  # noqa: B018 — an allocation is the point
    found: list[int] = []
    worker = threading.Thread(target=lambda: found.append(collect_due()))
    worker.start()
    worker.join()
    assert found == [0] and alive() is not None
    gc.collect()
    assert alive() is None


def test_code_loaded_once_is_left_out_of_full_collections(boligsag_app: QApplication) -> None:
    """After ``freeze_loaded_code`` a full collection walks only what was made since,
    and garbage made since is still collected."""
    from boligsag.ui.main_thread_gc import freeze_loaded_code

    try:
        freeze_loaded_code()
        assert gc.get_freeze_count() > 10_000  # the modules loaded by now, and more
        holder = _Holder()
        alive = weakref.ref(holder)
        del holder
        gc.collect()
        assert alive() is None
        # Off the GUI thread it does nothing (as collect_due).
        before = gc.get_freeze_count()
        gc.unfreeze()
        worker = threading.Thread(target=freeze_loaded_code)
        worker.start()
        worker.join()
        assert gc.get_freeze_count() == 0 < before
    finally:
        gc.unfreeze()  # the other tests' collections see everything again
