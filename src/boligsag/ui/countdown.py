"""A visible countdown while the unlock throttle makes the next attempt wait.

The throttle (``storage.throttle``) would otherwise just sleep inside the next unlock,
which looks like a hang; a dialog instead shows the seconds left and keeps its button
disabled until the wait is over.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import QObject, QTimer, Signal

UNLOCK_SERVICE = "boligsag.services.unlock"


def current_throttle_delay() -> float:
    # Read the module attribute at call time: one throttle per process, replaceable
    # in tests. The throttle counts this process's attempts, and every attempt imports
    # the unlock service first: until it is imported (or while it is still being
    # imported, say by ui/shell/preload.py) there is nothing to wait for, and the login
    # dialog shows without loading the storage layer behind it (issue 14 §2).
    throttle = getattr(sys.modules.get(UNLOCK_SERVICE), "THROTTLE", None)
    return 0.0 if throttle is None else float(throttle.delay_before_next())


class ThrottleCountdown(QObject):
    #: Whole seconds still to wait; 0 once another attempt may be made.
    tick = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(250)  # smooth enough, and never a second late
        self._timer.timeout.connect(self._update)

    def seconds_left(self) -> int:
        return math.ceil(current_throttle_delay())

    def active(self) -> bool:
        return self.seconds_left() > 0

    def start_if_needed(self) -> bool:
        if not self.active():
            return False
        self._update()
        self._timer.start()
        return True

    def _update(self) -> None:
        left = self.seconds_left()
        if left <= 0:
            self._timer.stop()
        self.tick.emit(max(0, left))
