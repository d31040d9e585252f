"""Growing pause after repeated failed unlock attempts, kept in memory only.

A wrong password must leave every file byte-for-byte unchanged, so nothing here is
persisted: the throttle slows someone guessing at the login dialog. Someone who copied
the files is slowed by Argon2id instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class UnlockThrottle:
    """Failures 1-2 cost nothing extra; then 1, 2, 4, 8 ... s from the last failure, max 30 s."""

    FREE_FAILURES = 2
    MAX_DELAY = 30.0

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock, self._sleep = clock, sleep
        self._failures = 0
        self._last_failure: float | None = None
        self._lock = threading.Lock()  # the GUI thread and an unlock worker may both call in

    @property
    def failures(self) -> int:
        return self._failures

    def delay_for(self, failures: int) -> float:
        """Total pause owed after ``failures`` consecutive failures."""
        extra = failures - self.FREE_FAILURES
        return 0.0 if extra <= 0 else min(self.MAX_DELAY, 2.0 ** min(extra - 1, 16))

    def delay_before_next(self) -> float:
        """Seconds still to wait before the next attempt may run (0.0 when none)."""
        with self._lock:
            if self._last_failure is None:
                return 0.0
            due = self._last_failure + self.delay_for(self._failures)
            return max(0.0, due - self._clock())

    def wait(self) -> None:
        delay = self.delay_before_next()
        if delay > 0:
            self._sleep(delay)

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            self._last_failure = self._clock()

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._last_failure = 0, None
