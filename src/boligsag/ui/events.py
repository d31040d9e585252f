"""One app-level signal that says "data changed", so open views refresh what they show.

As in Anki's ``operation_did_execute``: a service that writes declares what it changes
(``services.changes.writes``); :func:`run_service` runs it off the GUI thread and, once
it succeeded, emits that set on :attr:`AppEvents.changed`. Pages decide whether it
concerns them. Passed to the main window and its pages explicitly: no global.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from boligsag.services.changes import Changes, changes_of
from boligsag.ui.background import BackgroundTask, run_in_background

T = TypeVar("T")


class AppEvents(QObject):
    # object: a ``services.changes.Changes`` (frozenset of Entity)
    changed = Signal(object)
    # A team server was joined (ui/sync_join): the new replica's open AppContext and the
    # password it was joined with; the application controller opens it.
    team_joined = Signal(object, str)
    # A backup should replace the open database (Administration → Sikkerhedskopier):
    # the backup's Path and the password it was checked with; the application
    # controller closes the database, restores (services/restore.py) and asks for a
    # login again.
    restore_requested = Signal(object, str)

    def announce(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)


def run_service(
    parent: QObject,
    events: AppEvents | None,
    func: Callable[..., T],
    *args: Any,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    **kwargs: Any,
) -> BackgroundTask:
    """Run one user action (a service call) in the background; announce what it
    changed (unless ``events`` is None, as in a dialog tested on its own), then hand
    its result to ``on_success`` on the main thread."""

    def succeeded(result: T) -> None:
        if events is not None:
            events.announce(changes_of(func))
        if on_success is not None:
            on_success(result)

    return run_in_background(parent, lambda _task: func(*args, **kwargs),
                             on_success=succeeded, on_failure=on_failure)
