"""The one "data changed → reload" mechanism of the UI.

A widget that shows data hands a :class:`Reloader` the entities it shows, its loader
and its view update. The reloader then:

- on a change that concerns the widget, reloads at once if the widget is visible, and
  otherwise only marks it stale;
- on a show event, reloads once if the widget is stale (it starts stale, so the first
  show loads), and does nothing if nothing changed since the last load — unless the
  widget shows day-dependent text (``today``) and the day has moved on;
- drops the result (or error) of a load that a newer load superseded (a generation
  counter), so a slow old answer never overwrites a newer one.

Two ways to load. ``loader``/``apply``: ``loader()`` runs on the GUI thread (where it
may read the widget's filters) and returns the function to run in the background;
its result goes to ``apply`` on the GUI thread. ``start``: for a lazy model that pages
and guards its own loads; the reloader only decides *when*, and hands ``start`` the
changes gathered since the last load (:attr:`Reloader.changes`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

from boligsag.services.changes import Changes, Entity
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import log_unexpected
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.events import AppEvents

T = TypeVar("T")


class Reloader(QObject, Generic[T]):
    #: The newest ``loader`` load's result (or error) has reached the widget: what it
    #: shows is current. (Not emitted for ``start``: the model knows when it is done.)
    settled = Signal()

    def __init__(self, widget: QWidget, events: AppEvents | None,
                 relevant: Collection[Entity] | None, *,
                 loader: Callable[[], Callable[[], T] | None] | None = None,
                 apply: Callable[[T], None] | None = None,
                 failed: Callable[[BaseException], None] | None = None,
                 start: Callable[[Changes | None], None] | None = None,
                 today: Callable[[], date] | None = None) -> None:
        """``relevant``: the entities whose change concerns the widget (``None``: any
        change). ``loader`` may return ``None`` when there is nothing to load (no
        person chosen yet). ``failed`` gets the error of the newest load only."""
        if (start is None) == (loader is None) or (loader is None) != (apply is None):
            raise ValueError("give either loader and apply, or start")
        super().__init__(widget)
        self.widget = widget
        self._relevant = frozenset(relevant) if relevant is not None else None
        self._loader, self._apply, self._failed, self._start = loader, apply, failed, start
        self._today = today
        self._loaded_on: date | None = None
        self.stale = True
        self._pending: Changes | None = None  # None: everything
        #: What the newest load answers: the changes gathered while stale (``None``:
        #: everything, as on the first load); empty when reloaded with nothing changed.
        self.changes: Changes | None = None
        self.generation = 0
        self._waiting_for: int | None = None  # the generation whose load runs
        widget.installEventFilter(self)
        if events is not None:
            events.changed.connect(self._changed)

    # -- when -------------------------------------------------------------------------

    def _changed(self, changes: Changes) -> None:
        if self._relevant is None or changes & self._relevant:
            self.mark_stale(changes)

    def mark_stale(self, changes: Changes | None = None) -> None:
        """Data the widget shows changed: reload now if it is visible, else when next
        shown. ``None``: everything may have changed."""
        if changes is None or self._pending is None:
            self._pending = None
        else:  # empty after a load, so this gathers what changed since
            self._pending = self._pending | changes
        self.stale = True
        if self.widget.isVisible():
            self.reload()

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.Show:
            if (not self.stale and self._today is not None
                    and self._loaded_on != self._today()):
                self.stale, self._pending = True, None  # "1 day overdue" is now 2
            if self.stale:
                self.reload()
        return False

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        """Load now, whether stale or not (a filter changed, F5, after an error)."""
        # Not stale: reloaded for another reason (a filter), and no data changed.
        self.changes = self._pending if self.stale else frozenset()
        self.stale, self._pending = False, frozenset()
        if self._today is not None:
            self._loaded_on = self._today()
        self.generation += 1
        if self._start is not None:
            self._start(self.changes)
            return
        assert self._loader is not None
        work = self._loader()
        if work is None:
            self._waiting_for = None
            self.settled.emit()
            return
        generation = self._waiting_for = self.generation
        run_in_background(self.widget, lambda _task: work(),
                          on_success=lambda result: self._deliver(generation, result),
                          on_failure=lambda error: self._fail(generation, error))

    @property
    def loading(self) -> bool:
        """A ``loader`` load runs whose answer the widget has not had yet."""
        return self._waiting_for is not None

    def _deliver(self, generation: int, result: Any) -> None:
        if generation == self.generation and self._apply is not None:
            self._waiting_for = None
            self._apply(result)
            self.settled.emit()

    def _fail(self, generation: int, error: BaseException) -> None:
        if generation != self.generation:
            return
        self._waiting_for = None
        if self._failed is not None:
            self._failed(error)
        else:
            # By type and frames only: the error's text may quote SQL and its values.
            log_unexpected(error, f"loading {self.widget.objectName()} failed")
        self.settled.emit()
