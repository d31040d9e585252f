"""What the GUI benchmarks share: the largest gap between heartbeat ticks, and a
watchdog that samples where the GUI thread is when a tick is late.

A heartbeat is a precise ``QTimer`` on the GUI thread that appends ``perf_counter()``
to a list on every tick; when the thread is busy (or waits for the GIL), the next tick
comes late, and the gap between two ticks is how long the window could not answer.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any

STALL_BAR_MS = 100.0  # DESIGN.md §6: no event-loop stall over 100 ms during any action


def max_gap_ms(ticks: list[float]) -> float:
    return max((b - a for a, b in itertools.pairwise(ticks)), default=0.0) * 1000


class Watchdog(threading.Thread):
    """Where the GUI thread is when the heartbeat is late: its Python stack, sampled
    from this thread once per late tick (``late_ms`` after the last tick). A stack
    ending in the benchmark's own code means the thread was in Qt's C++ code or waiting
    for the GIL (held by another thread) rather than running Python of the program."""

    def __init__(self, ticks: list[float], late_ms: float) -> None:
        super().__init__(daemon=True, name="bench-watchdog")
        self.ticks, self.late = ticks, late_ms / 1000
        self.main_id = threading.main_thread().ident
        self.samples: Counter[str] = Counter()
        self.phase = ""  # the samples' key prefix: what the benchmark is doing
        self.watching = threading.Event()
        self.stopped = False

    def run(self) -> None:
        sampled: float | None = None
        woke = time.perf_counter()
        while not self.stopped:
            time.sleep(0.005)
            now = time.perf_counter()
            # This thread late too: the whole process was held (the GIL kept by C code
            # on another thread, or the OS running other processes), not the GUI alone.
            self_late, woke = now - woke > self.late, now
            if not self.watching.is_set() or not self.ticks:
                continue
            last = self.ticks[-1]
            if last != sampled and now - last > self.late:
                sampled = last
                if self_late:
                    self.samples[f"{self.phase}: the whole process (this watchdog thread "
                                 "was held too)"] += 1
                    continue
                frame = sys._current_frames().get(self.main_id)
                self.samples[f"{self.phase}: {where(frame)}"] += 1


def where(frame: Any) -> str:
    """The innermost frames of the program's own code (boligsag/); when there are none
    beyond the benchmark's, the thread was in Qt's C++ code or waiting for the GIL."""
    ours = []
    for summary in traceback.extract_stack(frame)[::-1]:
        name = summary.filename
        if name.endswith("/boligsag/ui/shell/app.py") and summary.name == "run":
            break  # app.exec(): the event loop itself
        if "/boligsag/" in name:
            ours.append(f"{name.split('/boligsag/')[-1]}:{summary.lineno} {summary.name}")
        if len(ours) == 3:
            break
    return " <- ".join(ours) or "the event loop (Qt's C++ code, or waiting for the GIL)"
