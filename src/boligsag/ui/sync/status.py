"""What the status bar says about a replica's sync, decided in one place from a few
facts (is a sync running, what went wrong last, how many changes wait, when the last
sync succeeded), so the words and the colour never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from boligsag.formatting import short_date_time, time_text
from boligsag.i18n import tr


class SyncState(StrEnum):
    SYNCED = "synced"  # the last sync succeeded and nothing waits
    WAITING = "waiting"  # local changes not sent yet
    SYNCING = "syncing"
    OFFLINE = "offline"  # the server could not be reached: work goes on locally
    ERROR = "error"  # anything else that stopped the last sync
    NEVER = "never"  # no sync has succeeded on this computer yet (and none failed)


@dataclass(frozen=True)
class SyncFacts:
    running: bool = False
    problem: SyncState | None = None  # OFFLINE or ERROR after a failed sync
    problem_text: str = ""  # the error's user message, for ERROR
    waiting: int | None = None  # None: not counted yet
    last_success: datetime | None = None
    server: str = ""  # the server's address, for the tooltip (no personal data)


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    text: str  # the status bar's short text
    tooltip: str  # the details: last success, waiting changes, the error in full


def when_text(at: datetime, now: datetime) -> str:
    """"14.32" today, "03.12.2026 14.32" on another day."""
    return time_text(at) if at.date() == now.date() else short_date_time(at)


def waiting_text(count: int) -> str:
    if count == 1:
        return tr("1 change waiting")
    return tr("{count} changes waiting", count=count)


def describe(facts: SyncFacts, now: datetime) -> SyncStatus:
    if facts.running:
        state, text = SyncState.SYNCING, tr("Syncing…")
    elif facts.problem is SyncState.OFFLINE:
        # At a glance (issue 12 §2): offline, and how much waits for the connection.
        state = SyncState.OFFLINE
        text = (tr("Offline – {waiting}", waiting=waiting_text(facts.waiting))
                if facts.waiting else tr("Offline – changes are saved locally"))
    elif facts.problem is SyncState.ERROR:
        state, text = SyncState.ERROR, facts.problem_text
    elif facts.waiting:
        state, text = SyncState.WAITING, waiting_text(facts.waiting)
    elif facts.last_success is not None:
        state = SyncState.SYNCED
        text = tr("Synced {time}", time=when_text(facts.last_success, now))
    else:
        state, text = SyncState.NEVER, tr("Not synced yet")
    return SyncStatus(state, text, _tooltip(facts, state, now))


def _tooltip(facts: SyncFacts, state: SyncState, now: datetime) -> str:
    lines = []
    if state is SyncState.ERROR and facts.problem_text:
        lines.append(facts.problem_text)
    elif state is SyncState.OFFLINE:
        lines.append(tr("The team server cannot be reached. You can keep working; your "
                        "changes are sent when the connection is back."))
    if facts.last_success is not None:
        lines.append(tr("Last synced: {time}", time=when_text(facts.last_success, now)))
    else:
        lines.append(tr("Not synced with the team server yet on this computer."))
    if facts.waiting is not None:
        lines.append(tr("Changes waiting to be sent: {count}", count=facts.waiting))
    if facts.server:
        lines.append(tr("Team server: {address}", address=facts.server))
    return "\n".join(lines)
