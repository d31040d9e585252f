"""Contacts: by channel, focus area and topic with hours; anonymous contacts by age group
and gender; per month, and per month by focus area.

All contacts count, named and anonymous, including SSP-locked ones: a count reveals
nothing of a note. Hours are the logged durations. A contact with several topics counts
once under each topic, so the topic table has no total; by focus area each contact
counts once (see ``scope``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, Integer, func, select, union_all
from sqlalchemy.orm import Session

from boligsag.storage.models import Channel, FocusArea, Topic
from boligsag.summaries.model import TOTAL, CellRef, Column, KeyFigure, Label, ValueKind, _msg

from .scope import Scope
from .sections import Section
from .sql import gender_bucket
from .tables import (
    GENDER_COLUMNS,
    UNKNOWN_AGE,
    Category,
    age_group_categories,
    grid_table,
    hours,
    measures_table,
    month_categories,
)
from .temp import ANONYMOUS, CONTACT_CUBE, NONE_ID, NONE_TEXT, TOPIC_CUBE

NO_FOCUS_AREA = "none"
CONTACT_COLUMNS = (
    Column("contacts", _msg("Contacts")),
    Column("hours", _msg("Hours"), ValueKind.HOURS, base="contacts"),
)


def compute(session: Session, scope: Scope, step: Callable[[str], None]) -> Section:
    # The period's contacts in the selection, already counted by every dimension into
    # the cubes (``materialize``).
    c = CONTACT_CUBE
    where: list[ColumnElement[bool]] = []
    n, minutes = func.sum(c.c.n, type_=Integer), func.sum(c.c.minutes, type_=Integer)
    section = Section()

    step("contacts by channel")
    data = {str(k): (cnt, hours(m)) for k, cnt, m in session.execute(
        select(c.c.channel_id, n, minutes).where(*where).group_by(c.c.channel_id))}
    channels = [Category(str(i), Label(en, da)) for i, da, en in session.execute(
        select(Channel.id, Channel.name_da, Channel.name_en)
        .order_by(Channel.sort_order, Channel.id))]
    by_channel = measures_table("contacts_by_channel", _msg("Contacts by channel"),
                                _msg("Channel"), channels, CONTACT_COLUMNS, data,
                                keep_zero_rows=False)
    section.add(by_channel)

    step("contacts by focus area")
    # NULL (no focus area) groups as one key; named in Python, because PostgreSQL's
    # coalesce will not mix an id with text.
    fa_key = c.c.focus_area_id
    data = {_fa(k): (cnt, hours(m)) for k, cnt, m in session.execute(
        select(fa_key, n, minutes).where(*where).group_by(fa_key))}
    focus_areas = _focus_area_categories(session)
    by_focus = measures_table("contacts_by_focus_area", _msg("Contacts by focus area"),
                              _msg("Focus area"), focus_areas, CONTACT_COLUMNS, data,
                              keep_zero_rows=False)
    section.add(by_focus)

    step("contacts by topic")
    # Each contact's first topic is in the cube, its other topics in the topic cube.
    tc = TOPIC_CUBE
    by_topic = union_all(
        select(c.c.topic_id, c.c.n, c.c.minutes).where(c.c.topic_id != NONE_ID),
        select(tc.c.topic_id, tc.c.n, tc.c.minutes)).subquery("by_topic")
    data = {str(k): (cnt, hours(m)) for k, cnt, m in session.execute(
        select(by_topic.c.topic_id, func.sum(by_topic.c.n, type_=Integer),
               func.sum(by_topic.c.minutes)).group_by(by_topic.c.topic_id))}
    topics = [Category(str(i), Label(en, da)) for i, da, en in session.execute(
        select(Topic.id, Topic.name_da, Topic.name_en).join(FocusArea, isouter=True)
        .where(Topic.category == "contact")
        .order_by(FocusArea.sort_order, Topic.sort_order, Topic.id))]
    section.add(measures_table(
        "contacts_by_topic", _msg("Contacts by topic"), _msg("Topic"), topics,
        (Column("contacts", _msg("Contacts"), additive=False),
         Column("hours", _msg("Hours"), ValueKind.HOURS, additive=False, base="contacts")),
        data, with_total=False, keep_zero_rows=False,
        note=_msg("A contact about several topics counts under each of them, "
                  "so the rows add up to more than the number of contacts.")))

    step("anonymous contacts")
    an = ANONYMOUS
    gender = gender_bucket(an.c.gender)
    age = func.coalesce(func.nullif(an.c.age_group, NONE_TEXT), "unknown")
    counts = {(str(a), str(g)): cnt for a, g, cnt in session.execute(
        select(age, gender, func.sum(an.c.n, type_=Integer)).group_by(age, gender))}
    section.add(grid_table(
        "anonymous_contacts", _msg("Anonymous contacts by age group and gender"),
        _msg("Age group"), age_group_categories(session), GENDER_COLUMNS, counts,
        unknown_row=Category("unknown", UNKNOWN_AGE),
        note=_msg("Anonymous counselling (serviceloven § 10, stk. 2): counted by the age "
                  "group and gender the resident gave, with no person registered.")))

    step("contacts per month")
    month = c.c.month
    anonymous = func.sum(c.c.anonymous, type_=Integer)
    data = {m: (cnt, hours(mins), anon or 0) for m, cnt, mins, anon in session.execute(
        select(month, n, minutes, anonymous).where(*where).group_by(month))}
    months = month_categories(scope.filter)
    section.add(measures_table(
        "contacts_per_month", _msg("Contacts per month"), _msg("Month"), months,
        (*CONTACT_COLUMNS, Column("anonymous", _msg("Anonymous contacts"))), data))

    step("contacts per month by focus area")
    counts = {(m, _fa(k)): cnt for m, k, cnt in session.execute(
        select(month, fa_key, n).where(*where).group_by(month, fa_key))}
    used = {k for _, k in counts}
    fa_columns = tuple(Column(cat.key, cat.label) for cat in focus_areas if cat.key in used)
    section.add(grid_table(
        "contacts_per_month_by_focus_area", _msg("Contacts per month by focus area"),
        _msg("Month"), months, fa_columns, counts))

    # The same figures, shown in several tables.
    totals = [CellRef(t, TOTAL, "contacts") for t in
              ("contacts_by_channel", "contacts_by_focus_area", "contacts_per_month")]
    section.link(*totals, CellRef("contacts_per_month_by_focus_area", TOTAL, TOTAL))
    section.link(*(CellRef(t, TOTAL, "hours") for t in
                   ("contacts_by_channel", "contacts_by_focus_area", "contacts_per_month")))
    section.link(CellRef("anonymous_contacts", TOTAL, TOTAL),
                 CellRef("contacts_per_month", TOTAL, "anonymous"))
    for cat in months:
        section.link(CellRef("contacts_per_month", cat.key, "contacts"),
                     CellRef("contacts_per_month_by_focus_area", cat.key, TOTAL))
    for column in fa_columns:
        section.link(CellRef("contacts_by_focus_area", column.key, "contacts"),
                     CellRef("contacts_per_month_by_focus_area", TOTAL, column.key))
    section.figure(KeyFigure("contacts", _msg("Contacts"), ValueKind.COUNT, totals[0]))
    section.figure(KeyFigure("hours", _msg("Hours of contact"), ValueKind.HOURS,
                             CellRef("contacts_by_channel", TOTAL, "hours")))
    section.figure(KeyFigure("anonymous_contacts", _msg("Anonymous contacts"), ValueKind.COUNT,
                             CellRef("anonymous_contacts", TOTAL, TOTAL)))
    return section


def _fa(focus_area_id: int | None) -> str:
    return NO_FOCUS_AREA if focus_area_id is None else str(focus_area_id)


def _focus_area_categories(session: Session) -> list[Category]:
    rows = session.execute(select(FocusArea.id, FocusArea.name_da, FocusArea.name_en)
                           .order_by(FocusArea.period.desc(), FocusArea.sort_order))
    cats = [Category(str(i), Label(en, da)) for i, da, en in rows]
    return [*cats, Category(NO_FOCUS_AREA, _msg("No focus area"))]

