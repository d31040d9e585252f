"""The period's contacts and participation, read once into small in-memory temp tables.

Why: on 500,000 contacts the cost of a summary is SQLite touching every contact of the
period once per question asked, and every page it reads is also decrypted (DESIGN.md
§5). So the contacts are read once, through a covering index, into a *cube* (counts and
minutes by month, channel, focus area and, for anonymous contacts, age group and
gender: a few thousand rows even for ten years), a topic cube, and participation into
*person months*. Every table is then a small GROUP BY over those.

The engine sets ``temp_store = MEMORY`` on every connection, so these rows never reach
an (unencrypted) temp file; they hold ids, months and codes only. They are created
inside the summary's read transaction and SQLite drops them with its rollback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Insert,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy import String as SqlString
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from boligsag.storage.models import contact_people, contact_topics

from .participants import PEOPLE, events
from .scope import CONTACTS, Scope
from .sql import day_of, month_of
from .temp import (
    CONTACT_CUBE,
    MONTHS,
    NONE_ID,
    NONE_TEXT,
    PARTICIPANTS,
    PERSON_MONTHS,
    TEMP_TABLES,
    TOPIC_CUBE,
)

DAY = timedelta(days=1)


Step = Callable[[str], None]


def materialize(session: Session, scope: Scope, step: Step) -> None:
    """Create and fill the temp tables inside the session's transaction.

    Contacts are read one month at a time: each month's rows are added into small keyed
    tables, and cancel and progress act between months.
    """
    connection = session.connection()
    for table in TEMP_TABLES:
        table.drop(connection, checkfirst=True)  # never expected; cheap insurance
        table.create(connection)
    c, cp, ct = CONTACTS, contact_people, contact_topics
    months = scope.filter.months()
    session.execute(insert(MONTHS), [{"month": key, "first": first.isoformat(),
                                      "last": last.isoformat()} for key, first, last in months])
    for index, (key, first, last) in enumerate(months):
        step(f"reading contacts {index + 1}/{len(months)}")
        between = (datetime.combine(first, time()), datetime.combine(last, time()) + DAY)
        where = scope.contacts(c, between=between)
        session.execute(_add(CONTACT_CUBE, select(
            literal(key), c.c.channel_id,
            func.coalesce(c.c.activity_id, NONE_ID),
            func.coalesce(scope.first_topic(c), NONE_ID),
            c.c.anonymous,
            func.coalesce(c.c.age_group, NONE_TEXT),
            func.coalesce(c.c.gender, NONE_TEXT),
            literal(1), c.c.duration_minutes,
        ).where(*where)))
        # Topics and people: a month's rows grouped by a GROUP BY (a small sort that
        # stays in cache) measured ~20 % faster than adding them one by one; each month
        # gives new keys, so a plain INSERT suffices.
        session.execute(insert(TOPIC_CUBE).from_select(
            ["month", "topic_id", "n", "minutes"],
            select(literal(key), ct.c.topic_id, func.count(), func.sum(c.c.duration_minutes))
            .select_from(c.join(ct, ct.c.contact_id == c.c.id)).where(*where)
            .group_by(ct.c.topic_id)))
        session.execute(insert(PERSON_MONTHS).from_select(
            ["month", "person_id", "first_day"],
            select(literal(key), cp.c.person_id, func.min(day_of(c.c.occurred_at)))
            .select_from(c.join(cp, cp.c.contact_id == c.c.id))
            .where(c.c.anonymous.is_(False), *where).group_by(cp.c.person_id)))
    cube = CONTACT_CUBE
    session.execute(update(cube).values(focus_area_id=Scope.focus_area_of(
        cube.c.activity_id, cube.c.topic_id, cube)))
    step("reading sessions, enrollments, jobs and referrals")
    for row in _person_months(scope):
        session.execute(_add(PERSON_MONTHS, row))
    # Tombstoned people are not counted; few, so removed once here instead of joining
    # people into every reader.
    session.execute(delete(PERSON_MONTHS).where(PERSON_MONTHS.c.person_id.in_(
        select(PEOPLE.c.id).where(PEOPLE.c.deleted_at.is_not(None)))))
    pm = PERSON_MONTHS
    session.execute(insert(PARTICIPANTS).from_select(
        ["person_id", "first_day"],
        select(pm.c.person_id, func.min(pm.c.first_day)).group_by(pm.c.person_id)))


def _add(table: Table, rows: Select[Any]) -> Insert:
    """INSERT the rows, adding counts and minutes (or keeping the earliest first day)
    into an existing row with the same key: aggregation without a sort."""
    columns = [column.name for column in table.columns if column.name != "focus_area_id"]
    statement = sqlite_insert(table).from_select(columns, rows)
    keys = [column.name for column in table.primary_key.columns]
    updates = {name: func.min(table.c[name], statement.excluded[name])
               if name == "first_day" else table.c[name] + statement.excluded[name]
               for name in columns if name not in keys}
    return statement.on_conflict_do_update(index_elements=keys, set_=updates)


def _person_months(scope: Scope) -> list[Select[tuple[str, int, str]]]:
    """Participation other than contacts as (month, person_id, first_day) rows; an
    enrollment or job gives a row for every month it ran in. Each has a WHERE clause,
    which SQLite requires before ON CONFLICT."""
    selects = []
    for row, is_span in events(scope, with_kind=True)[1:]:  # [0]: contacts, read above
        ev = row.subquery()
        person, first, last = ev.c.person_id, ev.c.first_day, ev.c.last_day
        if is_span:
            m = MONTHS
            starts = type_coerce(func.max(first, m.c["first"]), SqlString)
            in_span = and_(m.c.month >= month_of(first), m.c.month <= month_of(last))
            selects.append(select(m.c.month, person, starts)
                           .select_from(ev.join(m, in_span)).where(true()))
        else:
            selects.append(select(month_of(first), person, first).where(true()))
    return selects
