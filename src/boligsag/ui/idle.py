"""Auto-lock: notice when nobody has touched keyboard or mouse for a while.

An event filter on the application sees every input event of every window (KeePassXC
does the same), so typing in any dialog counts as activity.

But a Python filter on the application is called for *every* event of every object,
not only for input: building a page sends tens of thousands of them (polish, child
added, layout), and the filter alone made building Opgørelser take 180 ms instead of
100 ms on the GUI thread. So the filter listens only until it sees input: then it
notes the activity, steps aside for ``REST_MS`` and listens again. Someone who keeps
working is seen at least every ``REST_MS``; for the lock, the time the filter rested
counts as active, so the window locks at most ``REST_MS`` later than the idle time
after the last key or click, never sooner.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal

from boligsag.ui.event_filter import survives_teardown

_ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})
REST_MS = 2_000  # how long the filter steps aside after it has seen input


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Not Qt's default coarse timer, which may fire 5 % early: 30 s on ten minutes.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.idle)
        self._rest = QTimer(self)
        self._rest.setSingleShot(True)
        self._rest.setInterval(REST_MS)
        self._rest.timeout.connect(self._listen)
        self._listening = False
        self._quiet_since = time.monotonic()
        self._listen()

    def _listen(self) -> None:
        """(Re)install the filter. The rest that ends here counts as active time."""
        if self._listen_again():
            self._quiet_since = time.monotonic()
            if self._timer.isActive():  # not while locked: then the watch stays stopped
                self._timer.start()

    def _listen_again(self) -> bool:
        app = QCoreApplication.instance()
        if app is None or self._listening:
            return False
        app.installEventFilter(self)
        self._listening = True
        return True

    def _step_aside(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._listening:
            app.removeEventFilter(self)
        self._listening = False

    def set_interval(self, interval_ms: int) -> None:
        self._timer.setInterval(interval_ms)
        if self._timer.isActive():
            self._timer.start()

    def interval(self) -> int:
        return self._timer.interval()

    def start(self) -> None:
        self._timer.start()
        self._listen()

    def stop(self) -> None:
        self._timer.stop()

    @contextlib.contextmanager
    def aside(self) -> Iterator[None]:
        """Without the filter for a moment (the idle-time page builds): input that
        arrives meanwhile waits in the queue and is seen once the filter is back."""
        listening = self._listening
        self._step_aside()
        try:
            yield
        finally:
            if listening:
                self._listen_again()

    def quiet_ms(self) -> int:
        """How long nobody has touched keyboard or mouse, as far as is known: 0 while the
        filter rests after input, or while the watch is stopped (locked)."""
        if not self._listening or not self._timer.isActive():
            return 0
        return int((time.monotonic() - self._quiet_since) * 1000)

    def activity(self) -> None:
        """The user did something (input, or logging in, which opens the window):
        restart the idle time, and let the filter rest meanwhile."""
        if self._timer.isActive():  # restart only a running timer: locked, it stays stopped
            self._timer.start()
        self._step_aside()
        self._rest.start()

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self.activity()
        return False

    def detach(self) -> None:
        self._rest.stop()
        self._step_aside()
        self._timer.stop()
