"""Puts the sync into a main window, only for a laptop replica: the controller, the
"Synkroniser nu" action (File menu, F9, and the status bar's button), the status
widget and the password question. A stand-alone database gets none of it, so a
single-laptop installation looks and works exactly as before."""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMenu

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.widgets import make_action

from .backend import SyncBackend, default_backend
from .controller import SyncController
from .password_prompt import ServerPasswordDialog
from .status_widget import SyncStatusWidget

log = logging.getLogger(__name__)

# F5 is "Opdater" on the referrals page; F9 is "send/receive" in the mail programs
# the staff know.
SYNC_NOW_KEY = "F9"
NEW_CONFLICTS_MS = 15_000  # how long the status bar says that conflicts arrived


def attach_sync(window: QMainWindow, ctx: AppContext, events: AppEvents, *,
                backend: SyncBackend | None = None) -> SyncController | None:
    """The window's SyncController, or None for anything but a replica (a stand-alone
    file, a team server's own database). Not started: the application starts it with
    the password typed at unlock (``SyncController.start``)."""
    if ctx.db.path is None:
        return None  # the team server's database itself: it is what replicas sync with
    backend = backend or default_backend()
    try:
        if not backend.is_replica(ctx):
            return None
    except Exception as error:  # the window must open even if this read failed
        log.error("could not tell whether the database is a replica: %s",
                  type(error).__name__)
        return None
    sync = SyncController(ctx, events, backend, parent=window)
    action = make_action(window, "actionSyncNow", tr("Sync now"), shortcut=SYNC_NOW_KEY,
                         triggered=sync.sync_now,
                         tip=tr("Send your changes to the team server and fetch your "
                                "colleagues' changes"))
    window.addAction(action)
    file_menu = window.findChild(QMenu, "menuFile")
    if file_menu is not None:
        first = file_menu.actions()[0] if file_menu.actions() else None
        file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
    widget = SyncStatusWidget(action)
    window.statusBar().insertPermanentWidget(0, widget)
    sync.status_changed.connect(widget.show_status)
    widget.show_status(sync.status)
    asking: list[ServerPasswordDialog] = []

    def ask(reason: str) -> None:
        if asking and shiboken6.isValid(asking[0]) and asking[0].isVisible():
            return  # one question at a time
        dialog = ServerPasswordDialog(reason, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.password_given.connect(sync.give_password)
        asking[:] = [dialog]
        dialog.open()

    sync.password_needed.connect(ask)
    sync.synced.connect(lambda outcome: _tell_new_conflicts(window, outcome))
    return sync


def _tell_new_conflicts(window: QMainWindow, outcome: object) -> None:
    """A sync that brought conflicts, or had a change refused by the server (set aside
    for the user: Konflikter lists it), says so once in the status bar (the Konflikter
    page keeps its count in the navigation)."""
    count = int(getattr(outcome, "new_conflicts", 0) or 0)
    refused = int(getattr(outcome, "set_aside", 0) or 0)
    parts = []
    # Short: the permanent widgets beside it leave little room; the Konflikter entry in
    # the navigation carries the count and the way there.
    if count > 0:
        parts.append(tr("1 new conflict") if count == 1
                     else tr("{count} new conflicts", count=count))
    if refused > 0:
        parts.append(tr("1 change refused") if refused == 1
                     else tr("{count} changes refused", count=refused))
    if parts:
        window.statusBar().showMessage(" · ".join(parts), NEW_CONFLICTS_MS)
