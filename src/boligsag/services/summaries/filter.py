"""Reading a summary's selection from the database: display names for report headers,
names typed on the command line resolved to ids, and the period checked.

The filter itself is a plain value in ``boligsag.summaries.filter``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from boligsag.domain.permissions import Permission
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.storage import dialect
from boligsag.storage.models import Activity, Area, FocusArea, Plan, User
from boligsag.summaries.filter import FilterNames, SummaryFilter


def validate_filter(summary_filter: SummaryFilter) -> None:
    """Raise ValidationFailed with a message per field the screen can show."""
    problems = summary_filter.problems()
    if problems:
        raise ValidationFailed(problems)


def filter_names(session: Session, summary_filter: SummaryFilter) -> FilterNames:
    def names(column: InstrumentedAttribute[str], key: InstrumentedAttribute[int],
              ids: tuple[int, ...]) -> tuple[str, ...]:
        if not ids:
            return ()
        return tuple(session.scalars(select(column).where(key.in_(ids))
                                     .order_by(dialect.danish(column), key)))

    return FilterNames(
        plans=names(Plan.name, Plan.id, summary_filter.plan_ids),
        areas=names(Area.name, Area.id, summary_filter.area_ids),
        focus_areas_da=names(FocusArea.name_da, FocusArea.id, summary_filter.focus_area_ids),
        focus_areas_en=names(FocusArea.name_en, FocusArea.id, summary_filter.focus_area_ids),
        activities=names(Activity.name, Activity.id, summary_filter.activity_ids),
        staff=names(User.full_name, User.id, summary_filter.staff_ids),
    )


def resolve_filter(
    ctx: AppContext,
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
    candidates are read once (one read unit) and matched here rather than in SQL.
    """
    with ctx.read(Permission.VIEW_SUMMARIES) as unit:
        return _resolve(unit.session, date_from, date_to, plans=plans, areas=areas,
                        focus_areas=focus_areas, activities=activities, staff=staff)


def _resolve(
    session: Session,
    date_from: date,
    date_to: date,
    *,
    plans: Sequence[str],
    areas: Sequence[str],
    focus_areas: Sequence[str],
    activities: Sequence[str],
    staff: Sequence[str],
) -> SummaryFilter:
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
    validate_filter(result)
    return result
