"""Activities (aktiviteter): the programmes the team runs, each tied to a focus area
of the current plan, run as a fixed course (enrollments) or as drop-in (head counts).

Enrollments are in ``enrollments.py``, sessions and attendance in ``sessions.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import ActivityKind, ActivityMode, AuditAction, EndReason, Role
from boligsag.domain.permissions import Permission
from boligsag.errors import UserError
from boligsag.storage import dialect
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Area,
    Enrollment,
    FocusArea,
    Topic,
    User,
)

from .casework_common import (
    Choice,
    active_user,
    current_plan,
    get_live,
    label,
)
from .casework_labels import activity_kind_label, activity_mode_label, choices
from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .people import Problems
from .person_fields import clean_text
from .records import delete_record
from .units import WriteUnit


class ActivityInUse(UserError):
    """Deleting would take enrolled people or recorded sessions out of every figure."""

    def __init__(self, name: str) -> None:
        super().__init__("{name} has participants or sessions, so it cannot be deleted: "
                         "they count in the summaries. When the activity stops, give it "
                         "an end date (Edit activity).", name=name)


@dataclass(frozen=True)
class ActivityDraft:
    name: str
    kind: ActivityKind
    mode: ActivityMode
    focus_area_id: int | None
    area_id: int | None = None
    responsible_user_id: int | None = None
    description: str = ""
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class ActivityRow:
    id: int
    uuid: str
    version: int
    name: str
    kind: ActivityKind
    kind_label: str
    mode: ActivityMode
    mode_label: str
    plan_id: int | None
    focus_area_id: int | None
    focus_area_label: str
    area_id: int | None
    area_name: str
    responsible_user_id: int | None
    responsible_name: str
    description: str
    start_date: date | None
    end_date: date | None
    active_enrollments: int  # enrolled on the day the list was made

    @property
    def is_drop_in(self) -> bool:
        return self.mode == ActivityMode.DROP_IN


@dataclass(frozen=True)
class ActivityChoices:
    kinds: tuple[Choice, ...]
    modes: tuple[Choice, ...]
    focus_areas: tuple[Choice, ...]  # of the current plan
    areas: tuple[Choice, ...]
    staff: tuple[Choice, ...]  # responsible staff (no volunteers)
    mentors: tuple[Choice, ...]  # staff and volunteers
    end_reasons: tuple[Choice, ...]
    parent_guidance_topics: tuple[Choice, ...]


def activity_choices(ctx: AppContext) -> ActivityChoices:
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        session = r.session
        plan = current_plan(session)
        focus_query = select(FocusArea).order_by(FocusArea.sort_order)
        if plan is not None:
            focus_query = focus_query.where(FocusArea.id.in_([f.id for f in plan.focus_areas]))
        users = list(session.scalars(select(User).where(
            User.deleted_at.is_(None), User.active.is_(True))
            .order_by(dialect.danish(User.full_name), User.id)))
        return ActivityChoices(
            kinds=choices(ActivityKind),
            modes=choices(ActivityMode),
            focus_areas=tuple(Choice(f.id, f.code, label(f.name_da, f.name_en))
                              for f in session.scalars(focus_query)),
            areas=tuple(Choice(a.id, "", a.name) for a in session.scalars(
                select(Area).where(Area.deleted_at.is_(None))
                .order_by(dialect.danish(Area.name), Area.id))),
            staff=tuple(Choice(u.id, u.username, u.full_name) for u in users
                        if u.role != Role.VOLUNTEER),
            mentors=tuple(Choice(u.id, u.username, u.full_name) for u in users),
            end_reasons=choices(EndReason),
            parent_guidance_topics=tuple(
                Choice(t.id, t.code, label(t.name_da, t.name_en))
                for t in session.scalars(select(Topic).where(
                    Topic.category == "parent_guidance", Topic.active.is_(True))
                    .order_by(Topic.sort_order))),
        )


def _validate(session: Session, ctx: AppContext, draft: ActivityDraft,
              activity: Activity | None = None) -> dict[str, Any]:
    problems: Problems = {}
    name = clean_text(draft.name)
    if not name:
        problems["name"] = ("Enter the activity's name.", {})
    elif len(name) > 160:
        problems["name"] = ("Use at most {count} characters.", {"count": 160})
    if draft.kind not in set(ActivityKind):
        problems["kind"] = ("Choose the kind of activity.", {})
    if draft.mode not in set(ActivityMode):
        problems["mode"] = ("Choose fixed course or drop-in.", {})
    elif draft.kind == ActivityKind.DROP_IN and draft.mode != ActivityMode.DROP_IN:
        problems["mode"] = ("A drop-in activity counts heads: choose drop-in.", {})
    elif (activity is not None and draft.mode != activity.mode
          and session.scalar(select(func.count()).select_from(ActivitySession).where(
              ActivitySession.activity_id == activity.id,
              ActivitySession.deleted_at.is_(None)))):
        problems["mode"] = ("The activity has recorded sessions; its mode cannot change.", {})
    plan = current_plan(session)
    allowed = ({f.id for f in plan.focus_areas} if plan
               else set(session.scalars(select(FocusArea.id))))
    if activity is not None and activity.focus_area_id is not None:
        allowed.add(activity.focus_area_id)  # an activity of an earlier plan keeps its own
    if draft.focus_area_id not in allowed:
        problems["focus_area_id"] = ("Choose one of the plan's focus areas.", {})
    if draft.area_id is not None:
        area = session.get(Area, draft.area_id)
        if area is None or area.deleted_at is not None:
            problems["area_id"] = ("Choose a housing area from the list.", {})
    if draft.responsible_user_id is not None and active_user(
            session, draft.responsible_user_id) is None:
        problems["responsible_user_id"] = ("Choose a staff member from the list.", {})
    if draft.start_date and draft.end_date and draft.end_date < draft.start_date:
        problems["end_date"] = ("The end date cannot be before the start date.", {})
    if problems:
        raise ValidationFailed(problems)
    return {"name": name, "kind": ActivityKind(draft.kind), "mode": ActivityMode(draft.mode),
            "plan_id": plan.id if plan else None, "focus_area_id": draft.focus_area_id,
            "area_id": draft.area_id, "responsible_user_id": draft.responsible_user_id,
            "description": draft.description.strip(), "start_date": draft.start_date,
            "end_date": draft.end_date}


def activity_rows(session: Session, activities: list[Activity], today: date) -> list[ActivityRow]:
    ids = [a.id for a in activities]
    enrolled = dict(session.execute(
        select(Enrollment.activity_id, func.count())
        .where(Enrollment.activity_id.in_(ids), Enrollment.deleted_at.is_(None),
               Enrollment.start_date <= today,
               or_(Enrollment.end_date.is_(None), Enrollment.end_date >= today))
        .group_by(Enrollment.activity_id)).all())
    rows = []
    for a in activities:
        focus = a.focus_area
        rows.append(ActivityRow(
            id=a.id, uuid=a.uuid, version=a.version, name=a.name, kind=ActivityKind(a.kind),
            kind_label=activity_kind_label(a.kind), mode=ActivityMode(a.mode),
            mode_label=activity_mode_label(a.mode), plan_id=a.plan_id,
            focus_area_id=a.focus_area_id,
            focus_area_label=label(focus.name_da, focus.name_en) if focus else "",
            area_id=a.area_id, area_name=a.area.name if a.area else "",
            responsible_user_id=a.responsible_user_id,
            responsible_name=a.responsible.full_name if a.responsible else "",
            description=a.description, start_date=a.start_date, end_date=a.end_date,
            active_enrollments=enrolled.get(a.id, 0),
        ))
    return rows


def list_activities(ctx: AppContext, *, active_on: date | None = None,
                    kind: ActivityKind | None = None,
                    mode: ActivityMode | None = None) -> list[ActivityRow]:
    """Activities by name; ``active_on`` keeps those running on that day."""
    query = (select(Activity).where(Activity.deleted_at.is_(None))
             .order_by(dialect.danish(Activity.name), Activity.id))
    if active_on is not None:
        query = query.where(or_(Activity.start_date.is_(None), Activity.start_date <= active_on),
                            or_(Activity.end_date.is_(None), Activity.end_date >= active_on))
    if kind is not None:
        query = query.where(Activity.kind == kind)
    if mode is not None:
        query = query.where(Activity.mode == mode)
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return activity_rows(r.session, list(r.session.scalars(query)), ctx.today())


def get_activity(ctx: AppContext, activity_id: int) -> ActivityRow:
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        activity = get_live(r.session, Activity, activity_id, "activity")
        return activity_rows(r.session, [activity], ctx.today())[0]


def _audit(w: WriteUnit, activity: Activity, action: AuditAction) -> None:
    w.audit(action, entity="activities", entity_uuid=activity.uuid)


@writes(Entity.ACTIVITIES)
def create_activity(ctx: AppContext, draft: ActivityDraft) -> ActivityRow:
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        activity = Activity(**_validate(w.session, ctx, draft))
        w.session.add(activity)
        w.session.flush()
        _audit(w, activity, AuditAction.CREATE)
        return activity_rows(w.session, [activity], ctx.today())[0]


@writes(Entity.ACTIVITIES)
def update_activity(ctx: AppContext, activity_id: int, version: int,
                    draft: ActivityDraft) -> ActivityRow:
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        activity = w.load_for_edit(Activity, activity_id, version, "activity")
        values = _validate(w.session, ctx, draft, activity)
        # An activity of an earlier plan keeps that plan; only new ones take the current.
        values["plan_id"] = activity.plan_id or values["plan_id"]
        for key, value in values.items():
            setattr(activity, key, value)
        w.session.flush()
        _audit(w, activity, AuditAction.UPDATE)
        return activity_rows(w.session, [activity], ctx.today())[0]


@writes(Entity.ACTIVITIES)
def delete_activity(ctx: AppContext, activity_id: int, version: int) -> None:
    """Tombstone an activity created by mistake. Refused while it has enrollments or
    sessions: they are the team's recorded work (and figures in the summaries), so
    an activity that has run gets an end date instead."""
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        activity = w.load_for_edit(Activity, activity_id, version, "activity")
        used = any(w.session.scalar(select(func.count()).select_from(model).where(
            model.activity_id == activity.id, model.deleted_at.is_(None)))
            for model in (Enrollment, ActivitySession))
        if used:
            raise ActivityInUse(activity.name)
        delete_record(w, activity, _audit)
