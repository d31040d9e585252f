"""The join itself, as it runs on a pool thread: check the server over the pinned link,
join (or resume) and fill the replica, then unlock it with the same credentials so the
main window can open on it. No widget is touched here; progress goes through the
``BackgroundTask`` (ui/background.py) and arrives on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boligsag.services.context import AppContext
from boligsag.services.unlock import UnlockOptions, unlock
from boligsag.ui.background import BackgroundTask

# Stages reported as the progress text (the dialog words them in Danish); "pull" carries
# rows done/total, "download" (the team snapshot) bytes, the others are busy stages of
# unknown length.
CONNECTING, DOWNLOADING, PULLING, OPENING = "connect", "download", "pull", "open"
UNKNOWN = -1  # a total BackgroundTask.report can carry (it takes ints): not known yet


@dataclass(frozen=True)
class JoinRequest:
    path: Path
    url: str | None  # None (with fingerprint None): resume what the file at path holds
    fingerprint: str | None
    username: str
    # Held only by this request while the join runs; never logged (repr=False).
    password: str = field(repr=False)


@dataclass(frozen=True)
class JoinOutcome:
    result: Any  # services.sync_client.join.JoinResult
    ctx: AppContext | None  # None: cancelled (the file holds a join that can be resumed)


@dataclass(frozen=True)
class JoinServices:
    """The service functions the dialog calls (services.sync_client.join by default);
    a test may pass others."""

    check_server: Callable[..., None]
    join_team: Callable[..., Any]
    finish_join: Callable[..., Any]
    cancelled_error: type[BaseException]
    already_joined: type[BaseException]

    @classmethod
    def default(cls) -> JoinServices:
        # Imported here, not at module level: the app starts without touching httpx.
        from boligsag.services.sync_client import join
        from boligsag.services.sync_client.engine import SyncCancelled

        return cls(join.check_server, join.join_team, join.finish_join, SyncCancelled,
                   join.AlreadyJoined)


def run_join(task: BackgroundTask, request: JoinRequest, services: JoinServices) -> JoinOutcome:
    def progress(step: Any) -> None:
        total = step.total if step.total is not None else UNKNOWN
        if getattr(step, "stage", PULLING) == DOWNLOADING:
            # In kB: a snapshot's bytes overflow the progress bar's 32-bit int.
            task.report(step.done // 1000, total // 1000 if total > 0 else UNKNOWN,
                        DOWNLOADING)
            return
        task.report(step.done, total, PULLING)

    task.report(0, UNKNOWN, CONNECTING)
    try:
        if request.url is not None and request.fingerprint is not None:
            services.check_server(request.url, request.fingerprint)
            if task.is_cancelled():
                raise services.cancelled_error()
            try:
                result = services.join_team(request.path, request.url, request.fingerprint,
                                            request.username, request.password,
                                            progress=progress, cancelled=task.is_cancelled)
            except services.already_joined:
                # The file is a finished copy of this very server: what the user wants
                # is that copy, so it is opened (finish_join returns at once).
                result = services.finish_join(request.path, request.username,
                                              request.password)
        else:
            result = services.finish_join(request.path, request.username, request.password,
                                          progress=progress, cancelled=task.is_cancelled)
    except services.cancelled_error:
        return JoinOutcome(None, None)
    if not result.complete:
        return JoinOutcome(result, None)
    # Once the replica is complete a late "Annuller" changes nothing: it is opened.
    task.report(0, UNKNOWN, OPENING)
    # The page-by-page integrity check runs after the window opens (see controller).
    ctx = unlock(result.path, result.username, request.password,
                 options=UnlockOptions(integrity_check=False))
    return JoinOutcome(result, ctx)
