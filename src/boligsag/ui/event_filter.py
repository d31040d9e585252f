"""Event filters that keep working while Python's cycle collector tears them down.

When a closed window's Python objects form a garbage cycle (a widget and the lambdas
connected to its signals, say), the collector first *clears* every object in the
cycle (each instance's ``__dict__`` is emptied) and only then frees them, and freeing
the window's wrapper deletes its C++ widgets. Qt still delivers events while a widget
is being destroyed, and a filter installed on it is called with its attributes gone:
an ``AttributeError`` in the middle of Qt's teardown, which CI saw in
``Reloader.eventFilter``. A filter in that state has nothing left to decide, so it
lets every event through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject

FilterT = TypeVar("FilterT", bound=QObject)
Method = Callable[[FilterT, object, object], bool]


def survives_teardown(method: Method[FilterT]) -> Method[FilterT]:
    """Wrap an ``eventFilter`` override: once the collector has cleared the filter's
    attributes, pass every event on (``False``) instead of raising."""

    @functools.wraps(method)
    def guarded(self: FilterT, watched: object, event: object) -> bool:
        if not vars(self):  # every filter here sets attributes before it is installed
            return False
        return method(self, watched, event)

    return guarded
