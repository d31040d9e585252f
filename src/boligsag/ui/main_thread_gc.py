"""Python's cycle collector runs on the GUI thread only.

CPython's cyclic garbage collector runs in whichever thread happens to allocate past
its threshold; in Boligsag that is often a ``QThreadPool`` worker of
:func:`boligsag.ui.background.run_in_background` compiling a query. A collection there
finalises garbage cycles that hold Qt objects (a closed dialog and the lambdas
connected to its signals, say) and so deletes QObjects on a thread that does not own
them. Qt's state is then corrupt and the process crashes later, somewhere else: CI saw
a segmentation fault in the GUI thread while a worker was compiling SQL.

So, as calibre, pyqtgraph and novelWriter do, automatic collection is switched off and
a timer on the GUI thread does that work instead, twice a second.
Reference counting still frees everything that is not in a cycle, at once.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer

# Each tick collects the youngest generation, whatever gc's count says: the count is
# allocations minus frees since the last collection, so after a worker's burst of
# allocations that were freed again it can read 0 while a closed dialog's cycle waits
# in the young generation. A young collection costs microseconds. The older generations
# follow gc's own thresholds, counted in young collections as gc counts them (with a
# tick every 500 ms: the middle one every ~5 s, a full collection about once a minute).
INTERVAL_MS = 500

# gc's own thresholds, read before anything changes them; a first threshold of 0 means
# someone switched collection off on purpose, and then nothing is collected here either.
_THRESHOLDS = gc.get_threshold()


def collect_due() -> int:
    """Collect, on the calling (GUI) thread, the youngest generation and every older
    one past its threshold; the number of unreachable objects found."""
    if threading.current_thread() is not threading.main_thread():
        return 0  # the whole point: never off the GUI thread
    if _THRESHOLDS[0] == 0:
        return 0
    counts = gc.get_count()
    oldest = max(generation for generation in range(3)
                 if generation == 0 or counts[generation] > _THRESHOLDS[generation])
    return gc.collect(oldest)


def freeze_loaded_code() -> None:
    """Move every object alive now out of the collector's reach (``gc.freeze``). Called
    once the main window's code is loaded, when that is most of the heap: the modules,
    classes and constants of Qt, SQLAlchemy, reportlab and ours, which live as long as
    the program. A full collection then walks only what was made since: well under a
    millisecond instead of about 55 ms on the GUI thread, once a minute. Garbage cycles
    alive at this moment are never freed; they are the imports' leftovers, kilobytes."""
    if threading.current_thread() is threading.main_thread() and _THRESHOLDS[0] != 0:
        gc.freeze()


class MainThreadCollector(QObject):
    """Switches automatic collection off and collects on a GUI-thread timer instead,
    for as long as its parent (the application) lives."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.setObjectName("mainThreadCollector")
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(collect_due)
        self.timer.start(INTERVAL_MS)


def pin_collection_to_gui_thread(app: QObject) -> MainThreadCollector:
    """Install the collector on ``app`` once (``create_application`` may run twice)."""
    existing = app.findChild(MainThreadCollector, "mainThreadCollector")
    if isinstance(existing, MainThreadCollector):
        return existing
    return MainThreadCollector(app)
