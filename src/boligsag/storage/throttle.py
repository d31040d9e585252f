"""Growing pause after repeated failed log-ins, kept in the key file across processes.

Failures 1-2 cost nothing extra; then 1, 2, 4, 8 ... s from the last failure, max 30 s.

``LoginFailures`` is the table stored in the key file (``"login_failures"``), updated under
the key file's lock, so six wrong passwords through six CLI runs wait longer and longer.
The database itself can't record anything without the key, so the key file also holds the
failures not yet written to the audit log; the next successful unlock writes them.

Every typed username, known or not, gets a bucket named by 16 bits of an HMAC of the folded
name (keyed with the database id): an unknown name is throttled, stored and audited exactly
like a known one, and the table never holds the typed text (people type passwords into the
username field), only a tag that matches 1 in 65,536 names. The table is bounded
(``MAX_BUCKETS``, oldest failure evicted first); flooding it to evict one name costs
``MAX_BUCKETS`` Argon2id runs, longer than the longest pause.

``UnlockThrottle`` is the per-process side: what the GUI's countdown shows, the pause the
next attempt takes, and the re-authentication dialog's count.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from boligsag.domain.usernames import fold_username

FREE_FAILURES = 2
MAX_DELAY = 30.0
MAX_BUCKETS = 256
_BUCKET_HEX = 4  # 16 bits


def delay_for(failures: int) -> float:
    """Total pause owed after ``failures`` consecutive failures."""
    extra = failures - FREE_FAILURES
    return 0.0 if extra <= 0 else min(MAX_DELAY, 2.0 ** min(extra - 1, 16))


def bucket_of(username: str, salt: str) -> str:
    digest = hmac.new(salt.encode(), fold_username(username).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:_BUCKET_HEX]


@dataclass(frozen=True)
class FailureRecord:
    count: int = 0  # consecutive failures since the last success: the pause
    last: float = 0.0  # wall-clock time (epoch seconds) of the latest failure
    unaudited: int = 0  # failures not yet written to the audit log
    first_unaudited: float = 0.0


def _number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value) and value >= 0


@dataclass
class LoginFailures:
    """The failure table of one key file. Changes memory only; the key file saves it."""

    records: dict[str, FailureRecord] = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: Any) -> LoginFailures:
        # Tolerant: a damaged entry is dropped rather than locking everyone out of the key file.
        table = cls()
        if not isinstance(doc, dict):
            return table
        for bucket, entry in list(doc.items())[:MAX_BUCKETS]:
            if not (isinstance(bucket, str) and len(bucket) == _BUCKET_HEX
                    and isinstance(entry, dict)):
                continue
            values = [entry.get(k) for k in ("count", "last", "unaudited", "first_unaudited")]
            if all(_number(v) for v in values) and type(values[0]) is type(values[2]) is int:
                table.records[bucket] = FailureRecord(values[0], float(values[1]), values[2],
                                                      float(values[3]))
        return table

    def to_json(self) -> dict[str, Any]:
        return {b: {"count": r.count, "last": r.last, "unaudited": r.unaudited,
                    "first_unaudited": r.first_unaudited}
                for b, r in sorted(self.records.items())}

    def delay_before_next(self, bucket: str, now: float) -> float:
        record = self.records.get(bucket)
        if record is None or record.count == 0:
            return 0.0
        # A clock set back must not make the pause longer than the longest pause.
        elapsed = max(0.0, now - record.last)
        return max(0.0, delay_for(record.count) - elapsed)

    def record_failure(self, bucket: str, now: float) -> None:
        record = self.records.get(bucket, FailureRecord())
        self.records[bucket] = FailureRecord(
            record.count + 1, now, record.unaudited + 1,
            record.first_unaudited if record.unaudited else now)
        while len(self.records) > MAX_BUCKETS:
            oldest = min(self.records, key=lambda b: self.records[b].last)
            del self.records[oldest]

    def record_success(self, bucket: str) -> None:
        record = self.records.get(bucket)
        if record is not None and record.count:
            self._put(bucket, replace(record, count=0))

    def unaudited(self) -> dict[str, FailureRecord]:
        return {b: r for b, r in self.records.items() if r.unaudited}

    def mark_audited(self, written: dict[str, FailureRecord]) -> None:
        """Forget what the audit log now holds; failures added since then stay pending."""
        for bucket, done in written.items():
            record = self.records.get(bucket)
            if record is None:
                continue
            left = max(0, record.unaudited - done.unaudited)
            self._put(bucket, replace(record, unaudited=left,
                                      first_unaudited=record.first_unaudited if left else 0.0))

    def _put(self, bucket: str, record: FailureRecord) -> None:
        if record.count == 0 and record.unaudited == 0:
            self.records.pop(bucket, None)
        else:
            self.records[bucket] = record


class UnlockThrottle:
    """This process's view: its own failures (any username) and any pause the key file
    imposed (``hold``). ``delay_before_next`` is the larger of the two."""

    FREE_FAILURES = FREE_FAILURES
    MAX_DELAY = MAX_DELAY

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._clock, self._sleep, self.wall_clock = clock, sleep, wall_clock
        self._failures = 0
        self._last_failure: float | None = None
        self._hold_until: float | None = None
        self._lock = threading.Lock()  # the GUI thread and an unlock worker may both call in

    @property
    def failures(self) -> int:
        return self._failures

    def delay_for(self, failures: int) -> float:
        return delay_for(failures)

    def delay_before_next(self) -> float:
        """Seconds still to wait before the next attempt may run (0.0 when none)."""
        with self._lock:
            now = self._clock()
            due = 0.0
            if self._last_failure is not None:
                due = self._last_failure + delay_for(self._failures)
            if self._hold_until is not None:
                due = max(due, self._hold_until)
            return max(0.0, due - now)

    def wait(self, at_least: float = 0.0) -> None:
        """Sleep for this process's pause, or ``at_least`` (the key file's) if longer."""
        delay = max(self.delay_before_next(), at_least)
        if delay > 0:
            self._sleep(delay)

    def hold(self, seconds: float) -> None:
        """The next attempt from this process waits ``seconds`` (shown by the countdown)."""
        with self._lock:
            self._hold_until = self._clock() + seconds if seconds > 0 else None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            self._last_failure = self._clock()

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._last_failure, self._hold_until = 0, None, None
