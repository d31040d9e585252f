"""``SyncController``: the background sync of a laptop replica with its team server
(issue 12 §2), one per main window of a replica; a stand-alone database has none.

- Runs ``engine.sync_once`` off the GUI thread (ui/background.py), one sync at a time;
  a trigger while one runs queues exactly one more run.
- Triggers: :meth:`start` (right after unlock), a save (``AppEvents.changed``, not the
  sync's own announcement) restarts a debounce (``DEBOUNCE_MS``), a periodic timer
  (``INTERVAL_MS``), and :meth:`sync_now` ("Synkroniser nu").
- Logging in: the password typed at unlock is kept in this object's memory only while
  the app is unlocked (dropped by :meth:`pause` at lock and :meth:`stop` at log off /
  quit; never written anywhere), to log in again when the server's 15-minute token has
  run out. A refused password (changed on the server) or none kept asks the window for
  one (:attr:`password_needed`); until it comes, only "Synkroniser nu" tries again.
- Shut out (DeviceRevoked, UserDisabled): stops and emits :attr:`removed` with the
  reason; the application closes the window and deletes the replica.
- After a sync that changed tables, announces the matching ``Entity`` set so the lists
  refresh (entities.py).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from boligsag.errors import UserError
from boligsag.i18n import tr
from boligsag.services.changes import Changes, Entity
from boligsag.services.context import AppContext
from boligsag.services.sync_client.errors import (
    DeviceRevoked,
    FingerprintMismatch,
    LoginRefused,
    ServerUnreachable,
    SyncClientError,
    TokenExpired,
    UserDisabled,
)
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.errors import log_unexpected
from boligsag.ui.events import AppEvents

from .backend import SyncBackend
from .entities import entities_for
from .status import SyncFacts, SyncState, SyncStatus, describe

log = logging.getLogger(__name__)

DEBOUNCE_MS = 5_000  # after the last save
INTERVAL_MS = 5 * 60_000  # between automatic syncs

# Why a password is asked for (password_needed's argument).
PASSWORD_CHANGED = "changed"  # the password from the unlock was refused by the server
PASSWORD_REFUSED = "refused"  # the one typed in the password dialog was refused too
PASSWORD_MISSING = "missing"  # none kept (unlocked with the recovery key, a new password)


class _NeedPassword(Exception):
    """A log-in is needed and no password is in memory."""


class _Attempt:
    """One sync, run on a pool thread. Holds the connection it used (made, logged in,
    or given), read back on the GUI thread once the attempt has been delivered."""

    def __init__(self, ctx: AppContext, backend: SyncBackend, connection: Any,
                 password: str | None) -> None:
        self.ctx, self.backend, self.connection = ctx, backend, connection
        self._password = password

    def run(self, task: BackgroundTask) -> Any:
        try:
            if self.connection is None:
                self._log_in()
            try:
                return self._sync(task)
            except TokenExpired:  # the 15-minute token ran out: log in again, once
                self._log_in()
                return self._sync(task)
        except (LoginRefused, TokenExpired, FingerprintMismatch, DeviceRevoked,
                UserDisabled):
            self.close()  # its token is worth nothing now
            raise
        finally:
            self._password = None

    def _log_in(self) -> None:
        if self._password is None:
            self.close()
            raise _NeedPassword()
        if self.connection is None:
            self.connection = self.backend.connect(self.ctx)
        try:
            self.backend.log_in(self.ctx, self.connection, self._password)
        except BaseException:
            self.close()  # never keep a connection that is not logged in
            raise

    def _sync(self, task: BackgroundTask) -> Any:
        return self.backend.sync_once(self.ctx, self.connection, cancelled=task.is_cancelled)

    def close(self) -> None:
        connection, self.connection = self.connection, None
        close = getattr(connection, "close", None)
        if close is not None:
            try:
                close()
            except Exception as error:  # closing a dead connection must not hide the cause
                log.warning("closing the team server connection failed: %s",
                            type(error).__name__)


class SyncController(QObject):
    #: The status bar's new state (a ``SyncStatus``), at once when anything changes.
    status_changed = Signal(object)
    #: A password is needed to log in: PASSWORD_CHANGED, PASSWORD_REFUSED or
    #: PASSWORD_MISSING. Answer with :meth:`give_password`.
    password_needed = Signal(str)
    #: The server shut this laptop or user out; the reason, in the UI's language.
    removed = Signal(str)
    #: A sync ended well (its ``SyncOutcome``).
    synced = Signal(object)

    def __init__(self, ctx: AppContext, events: AppEvents, backend: SyncBackend, *,
                 debounce_ms: int | None = None, interval_ms: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncController")
        self.ctx, self.events, self.backend = ctx, events, backend
        self._password: str | None = None
        self._password_typed = False  # the kept password came from the password dialog
        self._connection: Any = None
        self._task: BackgroundTask | None = None
        self._again = False  # a trigger came while a sync ran
        self._active = False  # started and not locked
        self._stopped = False
        self._asking = False  # waiting for a password: no automatic syncs meanwhile
        self._ask_reason = PASSWORD_MISSING
        self._announcing = False
        self._facts = SyncFacts()
        self.status: SyncStatus = describe(self._facts, ctx.clock.now())
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS if debounce_ms is None else debounce_ms)
        self._debounce.timeout.connect(self.request_sync)
        self._periodic = QTimer(self)
        self._periodic.setInterval(INTERVAL_MS if interval_ms is None else interval_ms)
        self._periodic.timeout.connect(self.request_sync)
        events.changed.connect(self._on_changed)

    # -- life -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None

    def start(self, password: str | None) -> None:
        """Unlocked (or unlocked again): keep ``password`` and sync now."""
        if self._stopped:
            return
        self._password = password or None
        self._password_typed = False
        self._active = True
        self._asking = False
        self._periodic.start()
        self._read_facts()
        self.request_sync()

    def pause(self) -> None:
        """Locked: forget the password and stop the timers. A sync already running
        finishes (each of its steps commits); nothing new starts until :meth:`start`."""
        self._password = None
        self._active = False
        self._again = False
        self._debounce.stop()
        self._periodic.stop()

    def stop(self) -> None:
        """Log off, quit, shut out: as :meth:`pause`, for good; a running sync is asked
        to stop between its steps and its connection is closed."""
        self.pause()
        self._stopped = True
        if self._task is not None:
            self._task.cancel()
        else:
            self._drop_connection()

    def kept_password(self) -> str | None:
        """For the next window around the same database (a language switch)."""
        return self._password

    def follow_reauth(self, dialog: Any) -> None:
        """The lock screen's password dialog: when it lets the user back in, start
        again with the password typed there (the last non-empty text of its
        ``password`` field: it is cleared just before ``verified``)."""
        typed: list[str] = []

        def remember(text: str) -> None:
            if text:
                typed[:] = [text]

        def verified() -> None:
            password = typed[0] if typed else None
            typed.clear()
            self.start(password)

        dialog.password.textChanged.connect(remember)
        dialog.verified.connect(verified)

    # -- triggers -------------------------------------------------------------------

    def sync_now(self) -> None:
        """"Synkroniser nu": also when waiting for a password (then it asks again)."""
        if not self._active:
            return
        if self._asking and self._password is None:
            self.password_needed.emit(self._ask_reason)  # the question, again
            return
        self._asking = False
        self.request_sync()

    def request_sync(self) -> None:
        if not self._active or self._asking:
            return
        if self._task is not None:
            self._again = True
            return
        self._debounce.stop()
        self._begin()

    def give_password(self, password: str) -> None:
        """The password typed in the password dialog: log in with it and sync."""
        if not self._active or not password:
            return
        self._password = password
        self._password_typed = True
        self._asking = False
        self.request_sync()

    def _on_changed(self, _changes: Changes) -> None:
        if self._announcing or not self._active:
            return  # the sync's own refresh is not a save
        self._debounce.start()  # restarts: 5 s after the LAST save
        self._count_waiting()

    # -- one sync -------------------------------------------------------------------

    def _begin(self) -> None:
        attempt = _Attempt(self.ctx, self.backend, self._connection, self._password)
        self._connection = None  # the attempt owns it until it ends
        self._set_facts(running=True)
        self._task = run_in_background(
            self, attempt.run,
            on_success=lambda outcome: self._succeeded(attempt, outcome),
            on_failure=lambda error: self._failed(attempt, error))

    def _succeeded(self, attempt: _Attempt, outcome: Any) -> None:
        self._task = None
        self._connection = attempt.connection
        if self._stopped:
            self._drop_connection()
            return
        finished: datetime | None = getattr(outcome, "finished_at", None)
        self._set_facts(running=False, problem=None, problem_text="",
                        waiting=int(outcome.waiting),
                        last_success=finished or self._facts.last_success)
        changes = entities_for(outcome.changed_tables)
        if getattr(outcome, "settings_changed", False):  # a new letterhead or limits
            changes = changes | {Entity.SETTINGS}
        if getattr(outcome, "set_aside", 0):  # Konflikter lists the refused changes
            changes = changes | {Entity.CONFLICTS}
        if changes:
            self._announcing = True
            try:
                self.events.announce(changes)
            finally:
                self._announcing = False
        self.synced.emit(outcome)
        self._next()

    def _failed(self, attempt: _Attempt, error: BaseException) -> None:
        self._task = None
        self._connection = attempt.connection
        if self._stopped:
            self._drop_connection()
            return
        if isinstance(error, DeviceRevoked | UserDisabled):
            log.warning("the team server shut this laptop out: %s", type(error).__name__)
            message = error.user_message()
            self.stop()
            self._set_facts(running=False, problem=SyncState.ERROR, problem_text=message)
            self.removed.emit(message)
            return
        if isinstance(error, _NeedPassword | LoginRefused):
            self._ask_for_password(refused=isinstance(error, LoginRefused))
            return
        if isinstance(error, ServerUnreachable):
            self._set_facts(running=False, problem=SyncState.OFFLINE, problem_text="")
        else:
            self._set_facts(running=False, problem=SyncState.ERROR,
                            problem_text=_error_text(error))
        self._count_waiting()
        self._next()

    def _ask_for_password(self, *, refused: bool) -> None:
        reason = PASSWORD_MISSING
        if refused:
            reason = PASSWORD_REFUSED if self._password_typed else PASSWORD_CHANGED
        self._password = None
        self._asking = True
        self._ask_reason = reason
        self._again = False
        self._set_facts(running=False, problem=SyncState.ERROR, problem_text=tr(
            "Not synced: the team server needs your password"))
        self.password_needed.emit(reason)

    def _next(self) -> None:
        if self._again and self._active:
            self._again = False
            self._begin()

    # -- facts and status -----------------------------------------------------------

    def _read_facts(self) -> None:
        ctx, backend = self.ctx, self.backend

        def read(_task: BackgroundTask) -> tuple[datetime | None, int, str]:
            return (backend.last_synced_at(ctx), backend.waiting_changes(ctx),
                    backend.server_address(ctx))

        def arrived(facts: tuple[datetime | None, int, str]) -> None:
            last, waiting, server = facts
            newest = self._facts.last_success
            if last is not None and (newest is None or last > newest):
                newest = last
            if self.running or self._facts.waiting is None:
                self._set_facts(last_success=newest, waiting=waiting, server=server)
            else:  # a sync ended since: its count is newer than this one
                self._set_facts(last_success=newest, server=server)

        run_in_background(self, read, on_success=arrived, on_failure=_log_failure)

    def _count_waiting(self) -> None:
        ctx, backend = self.ctx, self.backend
        run_in_background(self, lambda _task: backend.waiting_changes(ctx),
                          on_success=lambda count: self._set_facts(waiting=int(count)),
                          on_failure=_log_failure)

    def _set_facts(self, **changes: Any) -> None:
        self._facts = replace(self._facts, **changes)
        self.status = describe(self._facts, self.ctx.clock.now())
        self.status_changed.emit(self.status)

    def _drop_connection(self) -> None:
        attempt = _Attempt(self.ctx, self.backend, self._connection, None)
        self._connection = None
        attempt.close()


def _error_text(error: BaseException) -> str:
    if isinstance(error, SyncClientError):
        return error.user_message()
    if isinstance(error, UserError):
        return error.message()
    log_unexpected(error, "sync failed")
    return tr("The sync stopped because of an unexpected error. Your changes are kept on "
              "this computer and sent at the next sync.")


def _log_failure(error: BaseException) -> None:
    # Only the type: a database error's text may quote rows.
    log.warning("reading the sync status failed: %s", type(error).__name__)
