"""Reference lists for the quick-log dialog and the network-mother form, and the
person picker. Loaded once when a dialog opens (a few small tables)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain.enums import Role
from boligsag.domain.permissions import Permission
from boligsag.storage import dialect
from boligsag.storage.models import AgeGroupRow, Area, Channel, FocusArea, Service, Topic, User

from .casework_common import Choice, current_plan, gender_choices, label
from .context import AppContext
from .people_search import PersonSummary, search_people
from .ssp_notes import may_read_ssp


@dataclass(frozen=True)
class FocusAreaTopics:
    """A focus area of the current plan with its contact topics (the dialog groups
    topic checkboxes under these headings)."""

    id: int
    code: str
    label: str
    topics: tuple[Choice, ...]


@dataclass(frozen=True)
class QuickLogChoices:
    channels: tuple[Choice, ...]  # code + label; ContactDraft.channel takes the code
    focus_areas: tuple[FocusAreaTopics, ...]
    age_groups: tuple[Choice, ...]  # code + label, for anonymous contacts
    genders: tuple[Choice, ...]  # code + label
    staff: tuple[Choice, ...]  # id + name; empty for a volunteer
    services: tuple[Choice, ...]  # id + name, for "henvist til"
    areas: tuple[Choice, ...]  # id + name
    default_staff_id: int  # the user logging
    ssp_access: bool = False  # may mark, read and change SSP notes (ssp_notes.py)


def _focus_areas(session: Session) -> tuple[FocusAreaTopics, ...]:
    plan = current_plan(session)
    query = select(FocusArea).order_by(FocusArea.sort_order)
    if plan is not None:
        query = query.where(FocusArea.id.in_([f.id for f in plan.focus_areas]))
    focus_areas = list(session.scalars(query))
    topics: dict[int, list[Choice]] = {}
    for topic in session.scalars(
        select(Topic).where(Topic.category == "contact", Topic.active.is_(True),
                            Topic.focus_area_id.in_([f.id for f in focus_areas]))
        .order_by(Topic.sort_order)
    ):
        assert topic.focus_area_id is not None
        topics.setdefault(topic.focus_area_id, []).append(
            Choice(topic.id, topic.code, label(topic.name_da, topic.name_en)))
    return tuple(FocusAreaTopics(f.id, f.code, label(f.name_da, f.name_en),
                                 tuple(topics.get(f.id, []))) for f in focus_areas)


def load_choices(session: Session, ctx: AppContext, *, with_staff: bool) -> QuickLogChoices:
    channels = tuple(
        Choice(c.id, c.code, label(c.name_da, c.name_en))
        for c in session.scalars(select(Channel).where(Channel.active.is_(True))
                                 .order_by(Channel.sort_order)))
    age_groups = tuple(
        Choice(None, g.code, label(g.label_da, g.label_en))
        for g in session.scalars(select(AgeGroupRow).order_by(AgeGroupRow.sort_order)))
    staff: tuple[Choice, ...] = ()
    if with_staff:
        staff = tuple(
            Choice(u.id, u.username, u.full_name)
            for u in session.scalars(select(User).where(
                User.deleted_at.is_(None), User.active.is_(True), User.role != Role.VOLUNTEER)
                .order_by(dialect.danish(User.full_name), User.id)))
    services = tuple(
        Choice(s.id, s.code, s.name)
        for s in session.scalars(select(Service).where(
            Service.deleted_at.is_(None), Service.active.is_(True))
            .order_by(Service.sort_order, dialect.danish(Service.name), Service.id)))
    areas = tuple(Choice(a.id, "", a.name) for a in session.scalars(
        select(Area).where(Area.deleted_at.is_(None))
        .order_by(dialect.danish(Area.name), Area.id)))
    return QuickLogChoices(channels, _focus_areas(session), age_groups, gender_choices(),
                           staff, services, areas, ctx.actor.user_id,
                           may_read_ssp(session, ctx))


def quick_log_choices(ctx: AppContext) -> QuickLogChoices:
    """Everything the quick-log dialog offers, in the UI language."""
    with ctx.read(Permission.LOG_CONTACTS) as unit:
        session = unit.session
        return load_choices(session, ctx, with_staff=True)


def person_picker(ctx: AppContext, text: str, limit: int = 10) -> list[PersonSummary]:
    """People matching a few typed letters, for the quick log's person field."""
    if not text.strip():
        return []
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        return list(search_people(session, ctx, text, limit=limit).items)
