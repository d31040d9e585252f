"""The period's contacts and participation, read once into small in-memory temp tables.

Why: on 500,000 contacts the cost of a summary is SQLite touching every contact of the
period once per question asked, and every page it reads is also decrypted (DESIGN.md
§5). So the contacts are read through covering indexes into a *cube* (counts and
minutes by month, channel, activity and first topic, which give the focus area: a few
thousand rows even for ten years), a topic cube for the contacts' other topics, the
anonymous contacts by age group and gender, and participation into *person months*.
Every table is then a small GROUP BY over those.

What a ten-year summary costs is now mostly per contact, so each statement here does
as little per contact as measured possible; see the comments at each.

The engine sets ``temp_store = MEMORY`` on every connection, so these rows never reach
an (unencrypted) temp file; they hold ids, months and codes only. On SQLite they are
created inside the summary's read transaction and dropped with its rollback; on
PostgreSQL they exist on the connection already and the rollback empties them
(``temp``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import (
    DateTime,
    Executable,
    Select,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import String as SqlString
from sqlalchemy.orm import Session

from boligsag.storage.models import contact_people, contact_topics

from .dialects import as_int, in_month, insert_ignore, insert_least
from .participants import events
from .scope import CONTACTS, Scope
from .sql import month_of
from .temp import (
    ANONYMOUS,
    CONTACT_CUBE,
    MONTHS,
    NONE_ID,
    NONE_TEXT,
    PARTICIPANTS,
    PERSON_MONTHS,
    TEMP_TABLES,
    TOPIC_CUBE,
    VOID_CONTACTS,
    creates_in_unit,
)

DAY = timedelta(days=1)
# The per-month statements are built once and run for every month with these values:
# building a statement costs as much as running it on a small month.
MONTH = bindparam("month", type_=SqlString)
MONTH_START = bindparam("month_start", type_=DateTime)
MONTH_END = bindparam("month_end", type_=DateTime)  # exclusive


Step = Callable[[str], None]


def materialize(session: Session, scope: Scope, step: Step) -> None:
    """Create and fill the temp tables inside the session's transaction.

    Contacts are read one month at a time: a month's rows are few enough to group in
    cache, and cancel and progress act between months.
    """
    connection = session.connection()
    if creates_in_unit(connection.dialect.name):
        for table in TEMP_TABLES:
            table.drop(connection, checkfirst=True)  # never expected; cheap insurance
            table.create(connection)
    # else: they exist empty on this connection (``temp.prepare_engine``).
    if scope.void_contacts:
        session.execute(insert(VOID_CONTACTS), [{"contact_id": i} for i in scope.void_contacts])
        scope = dataclasses.replace(scope, void_in_temp=True)
    months = scope.filter.months()
    session.execute(insert(MONTHS), [{"month": key, "first": first.isoformat(),
                                      "last": last.isoformat()} for key, first, last in months])
    statements = _contact_statements(scope)
    for index, (key, first, last) in enumerate(months):
        step(f"reading contacts {index + 1}/{len(months)}")
        params = {"month": key, "month_start": datetime.combine(first, time()),
                  "month_end": datetime.combine(last, time()) + DAY}
        for statement in statements:
            session.execute(statement, params)
    cube = CONTACT_CUBE
    session.execute(update(cube).values(focus_area_id=Scope.focus_area_of(
        cube.c.activity_id, cube.c.topic_id, cube)))
    # The anonymous contacts of the whole period, by age group and gender: read from the
    # partial index ix_contacts_anonymous, which holds them alone (one in twelve).
    c = CONTACTS
    age, gender = func.coalesce(c.c.age_group, NONE_TEXT), func.coalesce(c.c.gender, NONE_TEXT)
    session.execute(insert(ANONYMOUS).from_select(
        ["age_group", "gender", "n"],
        select(age, gender, func.count()).where(c.c.anonymous.is_(True), *scope.contacts(c))
        .group_by(age, gender)))
    step("reading sessions, enrollments, jobs and referrals")
    dialect_name = session.get_bind().dialect.name
    for rows in _person_months(scope):
        session.execute(insert_ignore(PERSON_MONTHS, dialect_name).from_select(
            ["month", "person_id"], rows))
    # Each participant's least month (``insert_least``: ten years on the benchmark
    # database 120 -> 74 ms on SQLite, against a GROUP BY person_id).
    pm = PERSON_MONTHS
    session.execute(insert_least(PARTICIPANTS, dialect_name, "person_id", "first_month",
                                 select(pm.c.person_id, pm.c.month)))


def _contact_statements(scope: Scope) -> list[Executable]:
    """INSERTs of one month's contacts (``MONTH``, ``MONTH_START``, ``MONTH_END``) into
    the cube, the topic cube and the person months. Each month gives new keys, so a
    plain INSERT of a GROUP BY suffices."""
    c, cp, ct = CONTACTS, contact_people, contact_topics
    where = scope.contacts(c, between=(MONTH_START, MONTH_END))
    activity, first_topic = c.c.activity_id, scope.first_topic(c)
    # The cube also names the month as a key: that lets SQLite read the month from
    # ix_contacts_month, in the order the cube is grouped by, so its GROUP BY streams
    # instead of sorting (the bounds still clip a partial first or last month). The
    # joins below read in time order (ix_contacts_period), which keeps the contacts'
    # topics and people they look up closer together: measured faster.
    month = in_month(c.c.occurred_at, MONTH)
    cube = insert(CONTACT_CUBE).from_select(
        ["month", "channel_id", "activity_id", "topic_id", "n", "minutes", "anonymous"],
        select(MONTH, c.c.channel_id, func.coalesce(activity, NONE_ID),
               func.coalesce(first_topic, NONE_ID), func.count(),
               func.sum(c.c.duration_minutes), func.sum(as_int(c.c.anonymous)))
        # The bare columns, in the index's order (NULLs group together; they become
        # NONE_ID once per group above).
        .where(month, *where).group_by(c.c.channel_id, activity, first_topic))
    # A contact's first topic is already counted in the cube; only its other topics are
    # read here (an index range past the first), a third of the rows to group.
    others = and_(ct.c.contact_id == c.c.id, ct.c.topic_id > scope.first_topic(c))
    topics = insert(TOPIC_CUBE).from_select(
        ["month", "topic_id", "n", "minutes"],
        select(MONTH, ct.c.topic_id, func.count(), func.sum(c.c.duration_minutes))
        .select_from(c.join(ct, others)).where(*where).group_by(ct.c.topic_id))
    people = insert(PERSON_MONTHS).from_select(
        ["month", "person_id"],
        select(MONTH, cp.c.person_id).select_from(c.join(cp, cp.c.contact_id == c.c.id))
        .where(c.c.anonymous.is_(False), *where, *scope.live_person(cp.c.person_id))
        .group_by(cp.c.person_id))
    return [cube, topics, people]


def _person_months(scope: Scope) -> list[Select[tuple[str, int]]]:
    """Participation other than contacts as (month, person_id) rows; an enrollment or
    job gives a row for every month it ran in."""
    selects = []
    for row, is_span in events(scope, with_kind=True)[1:]:  # [0]: contacts, read above
        ev = row.subquery()
        person, first, last = ev.c.person_id, ev.c.first_day, ev.c.last_day
        if is_span:
            m = MONTHS
            in_span = and_(m.c.month >= month_of(first), m.c.month <= month_of(last))
            selects.append(select(m.c.month, person).select_from(ev.join(m, in_span)))
        else:
            selects.append(select(month_of(first), person))
    return selects
