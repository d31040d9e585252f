"""What a summary covers: a period and an optional selection of plans, areas, focus
areas, activities and staff members, and the display names of that selection.

Every selection is a tuple of database ids; an empty tuple means "all". Ids rather than
names because the screen's pickers hold ids; the command line resolves names and UUIDs
with ``boligsag.services.summaries.resolve_filter``. Plain values: no database here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from boligsag.domain import date_range

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

    def problems(self) -> dict[str, tuple[str, dict[str, object]]]:
        """Per field, the message id and parameters of what is wrong with the period
        (empty when it is fine). A value type cannot raise the services' error, so the
        services turn this into ``ValidationFailed`` (``validate_filter``)."""
        problems: dict[str, tuple[str, dict[str, object]]] = {}
        for name, day in (("date_from", self.date_from), ("date_to", self.date_to)):
            if not date_range.in_range(day):
                problems[name] = date_range.OUT_OF_RANGE
        if problems:
            # Out of range, the order and length of the period say nothing useful.
            return problems
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
        return problems

    @property
    def start(self) -> datetime:
        """First moment of the period, for comparisons with timestamps."""
        return datetime.combine(self.date_from, datetime.min.time())

    @property
    def end_exclusive(self) -> datetime:
        """First moment after the period: ``occurred_at < end_exclusive`` keeps the whole
        last day, whatever the time of day was logged."""
        return datetime.combine(self.date_to + timedelta(days=1), datetime.min.time())

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
