"""The audit chain's head, anchored in the key file beside the database.

The chain inside the database shows that no entry was changed or removed *between*
others; only a record of its head kept elsewhere shows that the newest entries were
not cut off, or the whole log emptied. The key file's ``audit_anchor`` follows the
newest entry: its id, hash and time, with an HMAC under the audit key so the anchor
cannot be edited without the database key.

When it moves: rewriting the key file (atomically, two fsyncs) after every commit made a
quick-log save five times slower than DESIGN.md §6 allows. So a commit that appended
entries hands its new head to a per-key-file writer thread, which waits ``BATCH_DELAY``
and then moves the anchor once to the newest head handed over, for however many commits
came in between. :func:`flush` moves it at once and waits; ``services.unlock.lock`` calls
it (the app's lock and close, and every CLI command), and so does an exit handler. The
price: a program killed outright leaves the anchor up to one batch (about a second)
behind, and a tail cut off within that moment is not detected. The check accepts entries
after the anchor as long as the chain runs unbroken from the anchored entry. The session
that converts a legacy chain creates the anchor at once, before its commit returns.

Several programs may write one database. The anchor is read and written under the key
file's lock (``keys.edit_key_file``), only ever moves forward, and moves only when the
chain still runs unbroken from the anchored entry to the new head, so a save made after
someone cut off the tail never hides the cut.
"""

from __future__ import annotations

import atexit
import hmac
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from . import keys
from .audit import HEAD_INFO, Head, segment_intact
from .models import AuditEntry

log = logging.getLogger(__name__)

ANCHOR_VERSION = 1
_MAC_LABEL = "boligsag audit anchor"
# Session.info keys set by the unit of work (services/context.py).
TARGET_INFO = "boligsag_audit_anchor"
# Set by the session that converted a legacy chain: only it may create a missing anchor.
# Anyone else finding none leaves it missing, for the check to report.
MAY_CREATE_INFO = "boligsag_audit_anchor_may_create"
# A save waits at most this long for a password change holding the key file.
LOCK_TIMEOUT = 10.0


class AnchorInvalid(ValueError):
    """The anchor in the key file is malformed or its MAC does not match."""


def _mac(key: bytes, head: Head) -> str:
    payload = json.dumps([_MAC_LABEL, ANCHOR_VERSION, head.entry_id, head.hash,
                          head.at.isoformat(timespec="microseconds")], separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), "sha256").hexdigest()


def to_json(key: bytes, head: Head) -> dict[str, Any]:
    return {"version": ANCHOR_VERSION, "entry_id": head.entry_id, "hash": head.hash,
            "at": head.at.isoformat(timespec="microseconds"), "mac": _mac(key, head)}


def from_json(key: bytes, doc: Any) -> Head:
    """The anchored head; raises AnchorInvalid for a malformed or forged anchor."""
    if not isinstance(doc, dict) or doc.get("version") != ANCHOR_VERSION:
        raise AnchorInvalid("not an audit anchor of this version")
    entry_id, digest, at, mac = (doc.get(k) for k in ("entry_id", "hash", "at", "mac"))
    if not (isinstance(entry_id, int) and isinstance(digest, str) and isinstance(at, str)
            and isinstance(mac, str)):
        raise AnchorInvalid("an audit anchor field has the wrong type")
    try:
        head = Head(entry_id, digest, datetime.fromisoformat(at))
    except ValueError:
        raise AnchorInvalid("the audit anchor's time is not a time") from None
    if not hmac.compare_digest(mac.encode("utf-8"), _mac(key, head).encode("ascii")):
        raise AnchorInvalid("the audit anchor's MAC does not match")
    return head


@dataclass(frozen=True)
class AnchorTarget:
    """Where a unit of work's audit entries are anchored."""

    keys_path: Path
    engine: Engine
    key: bytes


def for_entry(key: bytes, entry: AuditEntry) -> dict[str, Any]:
    """The anchor naming ``entry`` (a new database's first entry, set at creation)."""
    return to_json(key, Head(entry.id, entry.hash, entry.at))


def advance(target: AnchorTarget, head: Head, *, may_create: bool = False) -> str:
    """Move the key file's anchor forward to ``head``. Returns ``moved``, ``newer`` (a
    newer entry is anchored already), or why it must not move: ``missing`` (no anchor,
    and this session did not convert a legacy chain), ``invalid`` (forged or malformed),
    ``broken`` (the chain no longer runs from the anchored entry to ``head``)."""
    with keys.edit_key_file(target.keys_path, timeout=LOCK_TIMEOUT) as store:
        if store.audit_anchor is None:
            if not may_create:
                return "missing"
        else:
            try:
                current = from_json(target.key, store.audit_anchor)
            except AnchorInvalid:
                return "invalid"  # keep the evidence; the check reports it
            if current.entry_id >= head.entry_id:
                return "newer"
            with Session(target.engine) as session:
                if not segment_intact(session, target.key, current, head):
                    return "broken"
        store.audit_anchor = to_json(target.key, head)
        return "moved"


# -- moving the anchor off the save path ----------------------------------------------

# A head waits this long for the commits after it, so that one key-file write covers a
# burst of saves; the anchor is at most about this far behind, plus one write.
BATCH_DELAY = 0.5
# How long flush() waits for a write already under way (which itself may wait
# LOCK_TIMEOUT for the key file's lock) before it gives up.
FLUSH_TIMEOUT = LOCK_TIMEOUT + 5.0

_Job = tuple[AnchorTarget, Head]


def _move(target: AnchorTarget, head: Head, *, may_create: bool = False) -> bool:
    """``advance``, its failures logged rather than raised (the commit stands; the
    anchor lags behind, and the check still verifies up to it). False if it raised."""
    try:
        outcome = advance(target, head, may_create=may_create)
    except Exception as error:
        # Only the error's type: its text may hold a path with a person's name.
        log.warning("audit anchor not updated: %s", type(error).__name__)
        return False
    if outcome not in ("moved", "newer"):
        log.warning("audit anchor not moved to entry %d: %s", head.entry_id, outcome)
    return True


class _Writer:
    """Moves one key file's anchor for many commits at once. Its daemon thread wakes
    ``BATCH_DELAY`` after the first head handed over, writes the newest one, and ends when
    nothing is pending (the next commit starts another)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: _Job | None = None
        self._due = 0.0  # when the pending head is written (time.monotonic)
        self._writing = False  # a write is under way, in the thread or in flush()
        self._failed: _Job | None = None  # the newest head, when its write raised
        self._thread: threading.Thread | None = None

    def submit(self, target: AnchorTarget, head: Head) -> None:
        with self._cond:
            if self._pending is None:
                self._pending = (target, head)
                self._due = time.monotonic() + BATCH_DELAY
            elif head.entry_id > self._pending[1].entry_id:
                self._pending = (target, head)
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="audit-anchor", daemon=True)
                try:
                    thread.start()
                except RuntimeError:  # at interpreter shutdown: the exit handler writes it
                    return
                self._thread = thread

    def flush(self) -> None:
        """Write the newest head handed over (again, if the thread's write of it failed)
        and return when it is written, also when the thread was writing an older one just
        then. Nothing is kept afterwards, not even a head whose write failed here."""
        with self._cond:
            deadline = time.monotonic() + FLUSH_TIMEOUT
            while self._writing:
                if not self._cond.wait(deadline - time.monotonic()):
                    log.warning("audit anchor not updated: an earlier write took too long")
                    return
            if self._pending is None and self._failed is None:
                return
            job = self._take()
        self._write(job, retry=False)  # a failure is logged; lock() keeps no key behind

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._pending is None:
                        self._thread = None
                        return
                    wait = self._due - time.monotonic()
                    if not self._writing and wait <= 0:
                        break
                    self._cond.wait(None if self._writing else wait)
                job = self._take()
            self._write(job, retry=True)

    def _take(self) -> _Job:
        """Under the condition: the job to write now (the pending head, else the failed one)."""
        job = self._pending or self._failed
        assert job is not None
        self._pending = self._failed = None
        self._writing = True
        return job

    def _write(self, job: _Job, *, retry: bool) -> None:
        ok = False
        try:
            ok = _move(*job)
        finally:
            with self._cond:
                self._writing = False
                if retry and not ok and self._pending is None:
                    self._failed = job  # for the next flush() to try once more
                self._cond.notify_all()


# One writer per key file (by absolute path) in this process.
_writers: dict[str, _Writer] = {}
_writers_lock = threading.Lock()


def _writer_for(keys_path: Path) -> _Writer:
    ident = os.path.abspath(keys_path)
    with _writers_lock:
        writer = _writers.get(ident)
        if writer is None:
            writer = _writers[ident] = _Writer()
        return writer


def flush(keys_path: Path | None = None) -> None:
    """Move the anchor of ``keys_path`` (or of every key file) to the newest head this
    process's commits handed over, and return once it is written (or its failure logged).
    Call it before the database is closed; ``services.unlock.lock`` does."""
    with _writers_lock:
        if keys_path is None:
            writers = list(_writers.values())
        else:
            found = _writers.get(os.path.abspath(keys_path))
            writers = [found] if found is not None else []
    for writer in writers:
        writer.flush()


# The last resort for a program that ends without locking; a killed one skips it.
atexit.register(flush)


def _forget_writers_in_child() -> None:
    # A forked child has none of the parent's threads, and the parent's heads are the
    # parent's to write.
    global _writers_lock
    _writers.clear()
    _writers_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_writers_in_child)


@event.listens_for(Session, "after_commit")
def _anchor_after_commit(session: Session) -> None:
    head: Head | None = session.info.pop(HEAD_INFO, None)
    target: AnchorTarget | None = session.info.get(TARGET_INFO)
    if head is None or target is None:
        return
    if session.info.pop(MAY_CREATE_INFO, False):
        # Once per database: the converted chain is anchored before the log-in returns.
        _move(target, head, may_create=True)
    else:
        _writer_for(target.keys_path).submit(target, head)


@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop(HEAD_INFO, None)
    session.info.pop(MAY_CREATE_INFO, None)
