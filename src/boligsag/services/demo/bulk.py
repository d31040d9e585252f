"""The shared machinery of the demo generator: one connection, one seeded RNG, ids
assigned in Python, and batched Core inserts with progress and cancellation.

Why not the ORM: half a million contacts as ORM objects would take many minutes and
gigabytes; Core ``executemany`` over plain dicts is one compiled statement reused for
every row. Ids are assigned here, not by SQLite, so link tables (contact_people,
attendance, ...) can be built in the same pass as their parent rows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select

from boligsag.errors import UserError

# Two-digit starts of Danish mobile numbers.
MOBILE_PREFIXES = ("20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
                   "40", "41", "42", "50", "51", "52", "53", "60", "61", "71", "81", "91",
                   "92", "93")
BATCH = 10_000  # rows per executemany: big enough to amortise, small enough to cancel

Row = dict[str, Any]
ProgressFn = Callable[[str, float], None]
CancelledFn = Callable[[], bool]


class DemoCancelled(UserError):
    """The user cancelled; the partly written demo files have been removed."""

    def __init__(self) -> None:
        super().__init__("Creating the demo database was cancelled.")


@dataclass
class Progress:
    """Maps each stage's own 0..1 onto the overall 0..1 and polls for cancellation."""

    report: ProgressFn | None
    cancelled: CancelledFn | None
    stage_text: str = ""
    start: float = 0.0
    end: float = 0.0

    def stage(self, text: str, start: float, end: float) -> None:
        self.stage_text, self.start, self.end = text, start, end
        self.update(0.0)

    def update(self, fraction: float) -> None:
        self.check()
        if self.report is not None:
            overall = self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)
            self.report(self.stage_text, overall)

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise DemoCancelled()


@dataclass
class Gen:
    """State every generator module shares."""

    conn: Connection
    rng: random.Random
    today: date
    start: date  # first day of the ten years of history
    admin_id: int
    progress: Progress
    _next_ids: dict[str, int] = field(default_factory=dict)

    @property
    def now(self) -> datetime:
        # Late afternoon of ``today``: everything generated happened before this moment.
        return datetime.combine(self.today, time(16, 30))

    # -- ids and record columns --------------------------------------------------------

    def next_id(self, table: Table) -> int:
        if table.name not in self._next_ids:
            current = self.conn.execute(select(func.max(table.c.id))).scalar()
            self._next_ids[table.name] = (current or 0) + 1
        value = self._next_ids[table.name]
        self._next_ids[table.name] = value + 1
        return value

    def uuid(self) -> str:
        # Seeded, so a seed gives the same database twice (uuid4() reads os.urandom).
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def record(self, table: Table, at: datetime, by: int | None, *, id: int | None = None) -> Row:
        """The columns of ``storage.models.Record`` for a row created at ``at`` by ``by``
        (``id`` if one was reserved with :meth:`next_id` earlier)."""
        return {
            "id": self.next_id(table) if id is None else id,
            "uuid": self.uuid(),
            "created_at": at,
            "updated_at": at,
            "deleted_at": None,
            "version": 1,
            "created_by_id": by,
            "updated_by_id": by,
            "deleted_by_id": None,
        }

    # -- writing -----------------------------------------------------------------------

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        """executemany in batches; checks for cancellation between batches."""
        if not rows:
            return
        _fill_missing_columns(table, rows)
        statement = insert(table)
        for offset in range(0, len(rows), BATCH):
            self.progress.check()
            self.conn.execute(statement, list(rows[offset:offset + BATCH]))

    # -- random helpers ----------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_between(self, first: date, last: date) -> date:
        if last <= first:
            return first
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def workday_on_or_after(self, day: date) -> date:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def at_work(self, day: date, first_hour: int = 8, last_hour: int = 15) -> datetime:
        """A time in working hours on ``day``, to the five minutes."""
        minutes = self.rng.randint(first_hour * 12, last_hour * 12 + 11) * 5
        return datetime.combine(day, time(minutes // 60, minutes % 60))

    def phone(self) -> str:
        """A Danish mobile number, written as staff type them: mostly "12 34 56 78",
        sometimes with +45."""
        digits = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(1_000_000):06d}"
        grouped = " ".join(digits[i:i + 2] for i in range(0, 8, 2))
        return f"+45 {grouped}" if self.chance(0.3) else grouped


def table(model: type) -> Table:
    """A mapped class's Table (``__table__`` is typed as a general FromClause)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _fill_missing_columns(table: Table, rows: Sequence[Row]) -> None:
    """Give every row every column: executemany compiles from the first row's keys, and
    a column added to the schema later (with a default) must not break the demo."""
    missing = [c for c in table.columns if c.key not in rows[0]]
    fill: dict[str, Any] = {}
    for column in missing:
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            fill[column.key] = default.arg  # type: ignore[attr-defined]
        elif column.nullable or column.primary_key or column.server_default is not None:
            continue  # NULL, rowid, or the database's own default
        else:
            raise ValueError(f"demo rows for {table.name} lack the required column {column.key}")
    if fill:
        for row in rows:
            for key, value in fill.items():
                row.setdefault(key, value)


def cumulative(weights: Iterable[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
