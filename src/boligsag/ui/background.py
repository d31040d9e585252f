"""The one way the UI runs slow work (unlock, database creation, big queries) off the
GUI thread.

Like Anki's ``CollectionOp`` and KeePassXC's ``AsyncTask::runThenCallback``: the
callable runs on a ``QThreadPool`` thread; its result or exception comes back on the
main thread; and the callbacks belong to a *parent* QObject, so when the parent has
been closed and destroyed in the meantime (a dialog the user cancelled), the result is
silently dropped instead of reaching a dead widget.

How the delivery is made safe: worker threads never create, delete or call a QObject.
They only emit on ``_Hub``, one object that belongs to the application and lives as
long as it does; its queued connection runs ``_Hub.deliver`` on the main thread. The
callbacks sit in a ``_Relay``, a child of the parent: if the parent is gone, so is the
relay, and ``shiboken6.isValid`` tells the hub to drop the result.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThreadPool, Signal, Slot

from boligsag.ui.errors import log_unexpected

T = TypeVar("T")

_SUCCESS, _FAILURE, _PROGRESS = "success", "failure", "progress"


class _Relay(QObject):
    """The callbacks of one task, owned by the caller's parent object."""

    def __init__(self, parent: QObject, on_success: Callable[[Any], None],
                 on_failure: Callable[[BaseException], None] | None,
                 on_progress: Callable[[int, int, str], None] | None) -> None:
        super().__init__(parent)
        self.on_success, self.on_failure, self.on_progress = on_success, on_failure, on_progress

    def deliver(self, kind: str, payload: Any) -> None:
        if kind == _PROGRESS:
            if self.on_progress is not None:
                self.on_progress(*payload)
            return
        on_success, on_failure = self.on_success, self.on_failure
        # Drop the callbacks (and the parent they hold) before the relay is deleted:
        # if destroying the relay released the last Python reference to its parent,
        # PySide would delete the parent, and with it this half-destroyed child.
        self.on_success = self.on_failure = self.on_progress = None  # type: ignore[assignment]
        self.deleteLater()
        if kind == _SUCCESS:
            on_success(payload)
        elif on_failure is not None:
            on_failure(payload)
        else:
            # By type and frames only: the error's text may quote SQL and its values.
            log_unexpected(payload, "background task failed")


class _Hub(QObject):
    posted = Signal(object)  # (relay, kind, payload)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        # Queued even when emitted on the main thread: callbacks never run inside
        # run_in_background itself.
        self.posted.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def deliver(self, packet: tuple[_Relay, str, Any]) -> None:
        relay, kind, payload = packet
        if shiboken6.isValid(relay):  # False once the parent (and its relay) is gone
            relay.deliver(kind, payload)


_hub: _Hub | None = None


def _the_hub() -> _Hub:
    global _hub
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("run_in_background needs a running Qt application")
    if _hub is None or not shiboken6.isValid(_hub):
        _hub = _Hub(app)
    return _hub


class BackgroundTask:
    """Handle that the work function and the caller share: progress and cancellation."""

    def __init__(self, hub: _Hub, relay: _Relay) -> None:
        self._hub, self._relay = hub, relay
        self._cancelled = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop; it checks :meth:`is_cancelled` when it can."""
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        return self._cancelled.is_set()

    def report(self, done: int, total: int, text: str = "") -> None:
        """Called from the worker thread; delivered to ``on_progress`` on the main thread."""
        if self._relay is None:  # already finished
            return
        self._hub.posted.emit((self._relay, _PROGRESS, (int(done), int(total), text)))

    def _finish(self, kind: str, payload: Any) -> None:
        relay, self._relay = self._relay, None  # type: ignore[assignment]
        # From here only the queued packet refers to the relay, so its Python wrapper
        # is released on the main thread, never in this worker.
        self._hub.posted.emit((relay, kind, payload))
        del relay
        self.done.set()


def run_in_background(
    parent: QObject,
    work: Callable[[BackgroundTask], T],
    *,
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    pool: QThreadPool | None = None,
) -> BackgroundTask:
    """Run ``work(task)`` on a pool thread; call back on the main thread if ``parent``
    still exists. ``on_failure`` gets any exception ``work`` raised (logged if omitted).
    """
    hub = _the_hub()
    task = BackgroundTask(hub, _Relay(parent, on_success, on_failure, on_progress))

    def body() -> None:
        try:
            result = work(task)
        except Exception as exc:  # delivered to the caller, never lost in a thread
            task._finish(_FAILURE, exc)
        else:
            task._finish(_SUCCESS, result)

    (pool or QThreadPool.globalInstance()).start(body)
    return task
