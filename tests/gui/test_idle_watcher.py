"""The auto-lock's watch: input postpones the lock, and the application-wide filter
steps aside after it has seen input (it would otherwise slow down every page build),
without ever locking sooner than the idle time after the last key or click."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from boligsag.ui import idle as idle_module
from boligsag.ui.idle import IdleWatcher

REST_MS, IDLE_MS = 300, 500


@pytest.fixture
def watcher(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> IdleWatcher:
    monkeypatch.setattr(idle_module, "REST_MS", REST_MS)
    watch = IdleWatcher(IDLE_MS)
    watch.start()
    yield watch
    watch.detach()


@pytest.fixture
def field(qtbot: QtBot) -> QLineEdit:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    return edit


def test_without_input_the_lock_comes_after_the_idle_time(qtbot: QtBot, watcher: IdleWatcher
                                                          ) -> None:
    started = time.monotonic()
    with qtbot.waitSignal(watcher.idle, timeout=3_000):
        watcher.start()  # (again) from now
    assert time.monotonic() - started >= IDLE_MS / 1000 - 0.02


def test_typing_postpones_the_lock_never_brings_it_sooner(qtbot: QtBot, watcher: IdleWatcher,
                                                          field: QLineEdit) -> None:
    fired: list[float] = []
    watcher.idle.connect(lambda: fired.append(time.monotonic()))
    qtbot.wait(IDLE_MS // 2)
    last_key = time.monotonic()
    qtbot.keyClick(field, "a")  # seen: the filter steps aside for REST_MS
    assert watcher.quiet_ms() == 0
    qtbot.wait(REST_MS // 2)
    last_key = time.monotonic()
    qtbot.keyClick(field, "b")  # typed while the filter rests: not seen
    qtbot.waitUntil(lambda: bool(fired), timeout=5_000)
    # The rest counts as active time: no lock before the idle time after the last key.
    assert fired[0] - last_key >= IDLE_MS / 1000 - 0.02
    assert field.text() == "ab"  # the filter never takes input away


def test_quiet_time_counts_again_once_the_filter_listens(qtbot: QtBot, watcher: IdleWatcher,
                                                         field: QLineEdit) -> None:
    watcher.set_interval(60_000)
    qtbot.keyClick(field, "a")
    assert watcher.quiet_ms() == 0
    qtbot.waitUntil(lambda: watcher.quiet_ms() >= 100, timeout=REST_MS + 2_000)
    qtbot.keyClick(field, "b")
    assert watcher.quiet_ms() == 0


def test_a_stopped_watch_stays_stopped(qtbot: QtBot, watcher: IdleWatcher,
                                       field: QLineEdit) -> None:
    watcher.stop()  # locked
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    qtbot.keyClick(field, "a")
    qtbot.wait(REST_MS + IDLE_MS + 200)
    assert not fired and watcher.quiet_ms() == 0
