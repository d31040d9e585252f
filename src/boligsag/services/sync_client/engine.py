"""One sync of a laptop replica with its team server (issue 12): push, pull, reconcile.

:func:`sync_once` is what the app's background sync and ``boligsag sync`` run:

1. Push until the outbox has nothing left to send (push_client.push_once, a pending
   batch first). A round that sends nothing new, or more rounds than the outbox could
   need, ends the push: an edit made during the sync waits for the next one. A change
   the server refused is set aside for the user (push_client) and the rest still goes.
2. Pull pages until the server says no more is waiting (pull_client.apply_page: each
   page in one transaction with its cursor). Pulling after pushing brings back what
   the push caused on the server too (merged rows, recorded conflicts).
3. Reconcile (reconcile.reconcile) when a page said the user's scope may have moved
   (``rescope``), when the server refused the cursor (it was replaced or restored
   from a backup: then the pull starts over from the beginning), or when the push set
   a change aside (its row is fetched again: ``sync_refetch``); the replica is brought
   to exactly what the server lists. That it is due is stored with the page or the
   set-aside change (``sync_reconcile_due``) and cleared after it, so a sync that stops
   in between (a cancel, a lost connection, an expired token) still compares the next
   time.
4. Refresh the organisation's shared settings (letterhead, logo, limits:
   settings_client.refresh), sending the etag held here; stored in one transaction
   only when the server's differ (``SyncOutcome.settings_changed``).

Each step commits what it did, so an interruption anywhere (a dropped connection, a
killed process) leaves a consistent replica and the next sync carries on. ``cancelled``
is asked between steps (pages, push rounds, reconcile) and ends the sync with
SyncCancelled; ``progress`` hears of each step. No HTTP here: ``remote`` is a
:class:`Remote`, which ServerConnection is and the tests' in-process servers are too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select

from boligsag.services import org_settings
from boligsag.storage.database import Database
from boligsag.storage.models import SyncConflict

from . import pull_client, push_client, reconcile, server_link, settings_client
from .errors import CursorRejected

__all__ = ["PULL_LIMIT", "Remote", "SyncCancelled", "SyncOutcome", "SyncProgress",
           "last_synced_at", "open_conflicts", "pull_all", "refused_changes", "sync_once",
           "waiting_changes"]

PULL_LIMIT = 2000  # changes per page: well inside the server's 5000, ~1-2 MB of JSON
# A first pull asks for the server's largest pages: fewer round trips and commits (the
# bench team's staff join: 65 s with 2000, 59 s with 5000); ~3-5 MB of JSON a page.
FIRST_PULL_LIMIT = 5000
PUSH_LIMIT = 1000  # changes per batch


class Remote(Protocol):
    """The team server's sync calls, for the user logged in (ServerConnection)."""

    def push(self, batch: dict[str, Any]) -> dict[str, Any]: ...
    def pull(self, cursor: str | None, limit: int) -> dict[str, Any]: ...
    def holdings(self) -> dict[str, Any]: ...
    def holdings_list(self, table: str, buckets: Sequence[str]) -> dict[str, Any]: ...
    def fetch(self, table: str, uuids: Sequence[str]) -> dict[str, Any]: ...
    def settings(self, etag: str | None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SyncProgress:
    stage: str  # "push" | "pull" | "reconcile" | "settings"
    done: int  # changes sent or rows applied so far in this stage
    total: int | None  # None when unknown


class SyncCancelled(Exception):
    """The sync stopped between two steps because it was asked to; what was done so far
    is committed and the next sync carries on from there."""


@dataclass(frozen=True)
class SyncOutcome:
    pushed: int = 0  # changes the server applied
    pulled: int = 0  # rows applied from pull pages
    fetched: int = 0  # rows applied by a reconcile
    purged: int = 0  # rows a reconcile removed from this replica (never from the server)
    new_conflicts: int = 0  # unresolved conflicts more than before the sync
    set_aside: int = 0  # local changes the server refused, kept for the user (push_client)
    waiting: int = 0  # local changes still waiting to be pushed
    changed_tables: frozenset[str] = frozenset()  # tables whose rows this sync changed here
    settings_changed: bool = False  # the server's shared settings (letterhead …) were new
    finished_at: datetime | None = None


Progress = Callable[[SyncProgress], None]
Cancelled = Callable[[], bool]


def _database(target: Any) -> Database:
    return target if isinstance(target, Database) else target.db


def _now(target: Any) -> datetime:
    return datetime.now() if isinstance(target, Database) else target.clock.now()


def waiting_changes(target: Any) -> int:
    """Local changes waiting to be pushed (the status bar's "n ændringer venter")."""
    db = _database(target)
    with db.reading() as session:
        return push_client.pushable_count(session)


def open_conflicts(target: Any) -> int:
    """Conflicts on this replica that no one has settled yet."""
    with _database(target).reading() as session:
        return int(session.scalar(select(func.count()).select_from(SyncConflict).where(
            SyncConflict.resolved_at.is_(None), SyncConflict.deleted_at.is_(None))) or 0)


def refused_changes(target: Any) -> list[dict[str, Any]]:
    """Local changes the server refused, set aside for the user to see (push_client)."""
    with _database(target).reading() as session:
        return push_client.refused_changes(session)


def last_synced_at(target: Any) -> datetime | None:
    with _database(target).reading() as session:
        text = str(org_settings.get_setting(session, "sync_last_success"))
    return datetime.fromisoformat(text) if text else None


class _Run:
    """The counts of one sync as it goes, and its progress and cancel hooks."""

    def __init__(self, target: Any, progress: Progress | None,
                 cancelled: Cancelled | None) -> None:
        self.target = target
        self.db = _database(target)
        self._progress = progress
        self._cancelled = cancelled
        self.pushed = self.pulled = self.fetched = self.purged = self.set_aside = 0
        self.tables: set[str] = set()
        self.settings_changed = False

    def step(self, stage: str, done: int, total: int | None) -> None:
        if self._cancelled is not None and self._cancelled():
            raise SyncCancelled()
        if self._progress is not None:
            self._progress(SyncProgress(stage, done, total))

    def outcome(self, conflicts_before: int, finished_at: datetime | None) -> SyncOutcome:
        return SyncOutcome(
            pushed=self.pushed, pulled=self.pulled, fetched=self.fetched,
            purged=self.purged, set_aside=self.set_aside,
            new_conflicts=max(0, open_conflicts(self.db) - conflicts_before),
            waiting=waiting_changes(self.db), changed_tables=frozenset(self.tables),
            settings_changed=self.settings_changed, finished_at=finished_at)


def _push(run: _Run, remote: Remote) -> None:
    total = waiting_changes(run.db)
    # Each round sends up to PUSH_LIMIT changes; a few more rounds for a pending batch
    # and for edits that arrived meanwhile, then the rest waits for the next sync.
    rounds = total // PUSH_LIMIT + 3
    sent = 0
    run.step("push", 0, total)
    done = 0
    while done < rounds:
        done += 1
        outcome = push_client.push_once(run.target, remote.push, limit=PUSH_LIMIT)
        run.set_aside += outcome.set_aside
        if outcome.set_aside:
            rounds += 1  # the rest of that batch still goes in this sync
            continue
        if outcome.sent == 0 and outcome.audit == 0:
            return
        sent += outcome.sent
        run.pushed += outcome.applied
        run.step("push", sent, max(total, sent))
        if outcome.left == 0 and not outcome.resent:
            return


class _Pages:
    """The pages of a pull, each fetched from ``remote``; with ``ahead`` the next page
    is fetched on a worker thread while this one is written (a join: the server, the
    network and the replica's writes then overlap instead of taking turns; on the bench
    team's staff join the writer waited 1.4 s for pages that took 31 s to fetch).
    ``remote`` is only ever used by one thread at a time: :meth:`get` waits for the
    page on its way before it asks for another."""

    def __init__(self, remote: Remote, ahead: bool) -> None:
        self._remote = remote
        self._limit = FIRST_PULL_LIMIT if ahead else PULL_LIMIT
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pull-ahead") if ahead else None
        self._coming: tuple[str | None, Future[dict[str, Any]]] | None = None

    def __enter__(self) -> _Pages:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._drop_coming()
            self._pool.shutdown(wait=True)

    def get(self, cursor: str | None) -> dict[str, Any]:
        """The page after ``cursor``: the one fetched ahead when it was asked for with
        the same cursor (its errors raised here), else fetched now."""
        if self._coming is not None and self._coming[0] == cursor:
            future, self._coming = self._coming[1], None
            return future.result()
        self._drop_coming()
        return self._remote.pull(cursor, self._limit)

    def fetch_ahead(self, cursor: str | None) -> None:
        if self._pool is not None:
            self._drop_coming()
            self._coming = (cursor, self._pool.submit(self._remote.pull, cursor, self._limit))

    def _drop_coming(self) -> None:
        """Wait for a page fetched ahead that is not wanted after all (the cursor was
        reset, the pull cancelled or failed): its answer and its errors go unused."""
        if self._coming is not None:
            future, self._coming = self._coming[1], None
            wait([future])


def _pull(run: _Run, remote: Remote, expected_total: int | None, *,
          ahead: bool = False) -> bool:
    """Pull until no more is waiting; whether a reconcile is due. ``ahead`` (a first
    pull): the server's largest pages, each next one fetched while this one is written
    (:class:`_Pages`)."""
    run.step("pull", 0, expected_total)
    with _Pages(remote, ahead) as pages:
        while True:
            with run.db.reading() as session:
                cursor = str(org_settings.get_setting(session, "sync_cursor")) or None
            try:
                page = pages.get(cursor)
            except CursorRejected:
                if cursor is None:
                    raise
                # The server was replaced or restored: everything again, then drop what
                # it no longer has. Rows edited here and not yet pushed keep their edits.
                with run.db.writing(None) as session:
                    server_link.set_cursor(session, None)
                    server_link.set_reconcile_due(session, True)
                continue
            if page.get("more"):
                pages.fetch_ahead(page.get("cursor"))
            result = pull_client.apply_page(run.target, page)
            run.pulled += result.applied
            run.tables.update(str(row["table"]) for row in page.get("rows", ()))
            total = None if expected_total is None else max(expected_total, run.pulled)
            run.step("pull", run.pulled, total)
            if not result.more:
                break
    # Also when an earlier sync stopped after the page that asked for it.
    with run.db.reading() as session:
        return server_link.reconcile_due(session)


def _server_for(remote: Remote) -> reconcile.Server:
    return reconcile.Server(
        holdings=remote.holdings,
        listed=lambda table, buckets: list(remote.holdings_list(table, buckets)["rows"]),
        fetch=lambda table, uuids: list(remote.fetch(table, uuids)["rows"]))


def _reconcile(run: _Run, remote: Remote, people_before: frozenset[str], *,
               hides_nothing: bool = False) -> None:
    run.step("reconcile", 0, None)
    # A replica that held nobody before this pull (a join) got every session with the
    # ticks the user may see now: fetching them all again because "people came" would
    # only repeat the pull's work. People the comparison itself brings still count.
    outcome = reconcile.reconcile(run.db, _server_for(remote),
                                  people_before=people_before or None,
                                  hides_nothing=hides_nothing)
    with run.db.writing(None) as session:
        server_link.set_reconcile_due(session, False)
    run.fetched += sum(outcome.fetched.values())
    run.purged += sum(outcome.purged.values())
    run.tables.update(outcome.fetched)
    run.tables.update(outcome.purged)
    run.step("reconcile", run.fetched + run.purged, run.fetched + run.purged)


def _settings(run: _Run, remote: Remote) -> None:
    # A Remote made only of the row calls (a test double older than the settings
    # route) has no settings to bring: the rows still sync.
    if getattr(remote, "settings", None) is None:
        return
    run.step("settings", 0, None)
    run.settings_changed = settings_client.refresh(run.db, remote)


def _mark_success(run: _Run) -> datetime:
    finished = _now(run.target).replace(microsecond=0)
    with run.db.writing(None) as session:
        org_settings.set_setting(session, "sync_last_success", finished.isoformat())
    return finished


def pull_all(target: Any, remote: Remote, *, progress: Progress | None = None,
             cancelled: Cancelled | None = None, expected_total: int | None = None,
             hides_nothing: bool = False) -> SyncOutcome:
    """Pull every page waiting (a first pull, when joining: ``expected_total`` is the
    number of rows the server said this user may hold, for a percentage), and
    reconcile if a page asked for it (``hides_nothing``: see reconcile.reconcile).
    Nothing is pushed. The pages are the server's largest, each next one fetched while
    the last is written (:class:`_Pages`)."""
    run = _Run(target, progress, cancelled)
    conflicts_before = open_conflicts(run.db)
    people_before = reconcile.held_people(run.db)
    if _pull(run, remote, expected_total, ahead=True):
        _reconcile(run, remote, people_before, hides_nothing=hides_nothing)
    return run.outcome(conflicts_before, None)


def sync_once(target: Any, remote: Remote, *, progress: Progress | None = None,
              cancelled: Cancelled | None = None) -> SyncOutcome:
    """Push, pull and (when due) reconcile; ``target`` an AppContext or a Database.
    Errors of ``remote`` (services/sync_client/errors.py) propagate with everything
    done so far committed."""
    run = _Run(target, progress, cancelled)
    conflicts_before = open_conflicts(run.db)
    _push(run, remote)
    people_before = reconcile.held_people(run.db)
    # A change set aside after a refusal left its row with the local edit: the
    # comparison brings back the server's row (or drops one out of scope).
    if _pull(run, remote, None) or run.set_aside:
        _reconcile(run, remote, people_before)
    _settings(run, remote)
    return run.outcome(conflicts_before, _mark_success(run))
