"""What a summary covers: a period and an optional selection of plans, areas, focus
areas, activities and staff members.

Every selection is a tuple of database ids; an empty tuple means "all". Ids rather than
names because the screen's pickers hold ids; the command line resolves names and UUIDs
with :func:`resolve_filter`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from boligsag.domain import date_range
from boligsag.services.errors import ValidationFailed
from boligsag.storage.models import Activity, Area, FocusArea, Plan, User

# Ten years of monthly series is already 120 rows; beyond that a summary is no longer a
# report anyone reads, and a typo ("2205") should not start an hour-long query.
MAX_YEARS = 12


@dataclass(frozen=True)
class SummaryFilter:
    date_from: date
    date_to: date  # inclusive
    plan_ids: tuple[int, ...] = ()
    area_ids: tuple[int, ...] = ()
    focus_area_ids: tuple[int, ...] = ()
    activity_ids: tuple[int, ...] = ()
    staff_ids: tuple[int, ...] = ()

    def validate(self) -> None:
        """Raise ValidationFailed with a message per field the screen can show."""
        problems: dict[str, tuple[str, dict[str, object]]] = {}
        for name, day in (("date_from", self.date_from), ("date_to", self.date_to)):
            if not date_range.in_range(day):
                problems[name] = date_range.OUT_OF_RANGE
        if problems:
            raise ValidationFailed(problems)
        if self.date_to < self.date_from:
            problems["date_to"] = (
                "The period ends on {end}, before it starts on {start}. "
                "Choose an end date on or after the start date.",
                {"start": self.date_from.isoformat(), "end": self.date_to.isoformat()},
            )
        elif (self.date_to - self.date_from).days > MAX_YEARS * 366:
            problems["date_to"] = (
                "A summary can cover at most {years} years.", {"years": MAX_YEARS}
            )
        if problems:
            raise ValidationFailed(problems)

    @property
    def start(self) -> datetime:
        """First moment of the period, for comparisons with timestamps."""
        return datetime.combine(self.date_from, datetime.min.time())

    @property
    def end_exclusive(self) -> datetime:
        """First moment after the period: ``occurred_at < end_exclusive`` keeps the whole
        last day, whatever the time of day was logged."""
        return datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.plan_ids or self.area_ids or self.focus_area_ids or self.activity_ids
            or self.staff_ids
        )

    def months(self) -> list[tuple[str, date, date]]:
        """``("YYYY-MM", first day, last day)`` of every month the period touches, with
        the first and last month clipped to the period."""
        result = []
        current = self.date_from.replace(day=1)
        while current <= self.date_to:
            following = (current + timedelta(days=32)).replace(day=1)
            first = max(current, self.date_from)
            last = min(following - timedelta(days=1), self.date_to)
            result.append((current.strftime("%Y-%m"), first, last))
            current = following
        return result


@dataclass(frozen=True)
class FilterNames:
    """Display names of the selection, for report headers (no resident data: plans,
    areas, focus areas and activities are programme names; staff are colleagues)."""

    plans: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    focus_areas_da: tuple[str, ...] = ()
    focus_areas_en: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()


def filter_names(session: Session, summary_filter: SummaryFilter) -> FilterNames:
    def names(column: InstrumentedAttribute[str], key: InstrumentedAttribute[int],
              ids: tuple[int, ...]) -> tuple[str, ...]:
        if not ids:
            return ()
        return tuple(session.scalars(select(column).where(key.in_(ids)).order_by(column)))

    return FilterNames(
        plans=names(Plan.name, Plan.id, summary_filter.plan_ids),
        areas=names(Area.name, Area.id, summary_filter.area_ids),
        focus_areas_da=names(FocusArea.name_da, FocusArea.id, summary_filter.focus_area_ids),
        focus_areas_en=names(FocusArea.name_en, FocusArea.id, summary_filter.focus_area_ids),
        activities=names(Activity.name, Activity.id, summary_filter.activity_ids),
        staff=names(User.full_name, User.id, summary_filter.staff_ids),
    )


def resolve_filter(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    plans: Sequence[str] = (),
    areas: Sequence[str] = (),
    focus_areas: Sequence[str] = (),
    activities: Sequence[str] = (),
    staff: Sequence[str] = (),
) -> SummaryFilter:
    """Build a filter from names, codes or UUIDs as typed on the command line.

    Matching is exact but case-insensitive (Python's casefold, so Æ/Ø/Å too); a name
    that matches nothing, or more than one record, is refused with a message naming it,
    because a silently ignored filter would publish figures for the wrong selection.
    These are small vocabularies (a few plans, areas, activities and staff), so the
    candidates are read once and matched here rather than in SQL.
    """
    problems: dict[str, tuple[str, dict[str, object]]] = {}

    def lookup(field_name: str, rows: list[tuple[object, ...]],
               values: Sequence[str]) -> tuple[int, ...]:
        ids: list[int] = []
        for value in values:
            wanted = value.strip().casefold()
            found = {int(str(row[0])) for row in rows
                     if any(isinstance(n, str) and n.casefold() == wanted for n in row[1:])}
            if len(found) == 1:
                ids.append(found.pop())
            elif not found:
                problems[field_name] = ("Nothing is called {name}.", {"name": value})
            else:
                problems[field_name] = (
                    "{name} matches several records; use its UUID.", {"name": value}
                )
        return tuple(dict.fromkeys(ids))

    def candidates(*columns: object, live: object = None) -> list[tuple[object, ...]]:
        query = select(*columns)  # type: ignore[call-overload]
        if live is not None:
            query = query.where(live.is_(None))  # type: ignore[attr-defined]
        return [tuple(row) for row in session.execute(query)]

    result = SummaryFilter(
        date_from=date_from,
        date_to=date_to,
        plan_ids=lookup("plan", candidates(Plan.id, Plan.name, Plan.uuid,
                                           live=Plan.deleted_at), plans),
        area_ids=lookup("area", candidates(Area.id, Area.name, Area.uuid,
                                           live=Area.deleted_at), areas),
        focus_area_ids=lookup("focus_area", candidates(FocusArea.id, FocusArea.code,
                                                       FocusArea.name_da, FocusArea.name_en),
                              focus_areas),
        activity_ids=lookup("activity", candidates(Activity.id, Activity.name, Activity.uuid,
                                                   live=Activity.deleted_at), activities),
        staff_ids=lookup("staff", candidates(User.id, User.username, User.full_name, User.uuid,
                                             live=User.deleted_at), staff),
    )
    if problems:
        raise ValidationFailed(problems)
    result.validate()
    return result
