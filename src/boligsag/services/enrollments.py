"""Enrollments (forløb / deltagelse): a person in a fixed-course activity, with start,
end, end reason and goals; a mentor for mentoring; household and topics for parent
guidance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import ActivityMode, AuditAction, EndReason
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.storage import dialect
from boligsag.storage.models import Activity, Enrollment, Household, Person, Topic

from .casework_common import (
    Choice,
    active_user,
    get_live,
    label,
    visible_person,
    visible_person_or_fail,
)
from .casework_labels import end_reason_label
from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .people import Problems
from .records import delete_record, load_of_person
from .units import WriteUnit


@dataclass(frozen=True)
class EnrollmentDraft:
    activity_id: int
    person_id: int
    start_date: date
    end_date: date | None = None
    end_reason: EndReason | None = None  # required with an end date
    goals: str = ""
    note: str = ""
    mentor_user_id: int | None = None  # mentoring: a staff member or a volunteer
    household_id: int | None = None  # parent guidance: the family
    topic_ids: tuple[int, ...] = ()  # parent guidance: sundhedspleje, dagtilbud, skole, ...


@dataclass(frozen=True)
class EnrollmentRow:
    id: int
    uuid: str
    version: int
    activity_id: int
    activity_name: str
    person_id: int
    person_name: str
    start_date: date
    end_date: date | None
    end_reason: EndReason | None
    end_reason_label: str
    goals: str
    note: str
    mentor_user_id: int | None
    mentor_name: str
    household_id: int | None
    household_name: str
    topics: tuple[Choice, ...]


def active_on(day: date) -> ColumnElement[bool]:
    """Enrolled on ``day``: started, and not ended before it."""
    return and_(Enrollment.deleted_at.is_(None), Enrollment.start_date <= day,
                or_(Enrollment.end_date.is_(None), Enrollment.end_date >= day))


def _row(e: Enrollment) -> EnrollmentRow:
    return EnrollmentRow(
        id=e.id, uuid=e.uuid, version=e.version, activity_id=e.activity_id,
        activity_name=e.activity.name, person_id=e.person_id, person_name=e.person.full_name,
        start_date=e.start_date, end_date=e.end_date,
        end_reason=EndReason(e.end_reason) if e.end_reason else None,
        end_reason_label=end_reason_label(e.end_reason), goals=e.goals, note=e.note,
        mentor_user_id=e.mentor_user_id, mentor_name=e.mentor.full_name if e.mentor else "",
        household_id=e.household_id, household_name=e.household.name if e.household else "",
        topics=tuple(Choice(t.id, t.code, label(t.name_da, t.name_en)) for t in e.topics),
    )


def _validate(session: Session, ctx: AppContext, draft: EnrollmentDraft,
              enrollment_id: int | None = None) -> dict[str, Any]:
    problems: Problems = {}
    activity = get_live(session, Activity, draft.activity_id, "activity")
    person = visible_person_or_fail(session, ctx, draft.person_id)
    if activity.mode != ActivityMode.COURSE:
        problems["activity_id"] = ("A drop-in activity has no enrollments; record head counts "
                                   "at its sessions instead.", {})
    if draft.start_date is None:
        problems["start_date"] = ("Enter the start date.", {})
    elif draft.end_date is not None and draft.end_date < draft.start_date:
        problems["end_date"] = ("The end date cannot be before the start date.", {})
    if draft.end_date is not None and draft.end_reason not in set(EndReason):
        problems["end_reason"] = ("Choose why the enrollment ended.", {})
    if draft.end_date is None and draft.end_reason is not None:
        problems["end_date"] = ("Enter the end date.", {})
    if draft.mentor_user_id is not None and active_user(session, draft.mentor_user_id) is None:
        problems["mentor_user_id"] = ("Choose a mentor from the list.", {})
    if draft.household_id is not None:
        household = session.get(Household, draft.household_id)
        if household is None or household.deleted_at is not None:
            problems["household_id"] = ("The household no longer exists.", {})
    topics = list(session.scalars(select(Topic).where(
        Topic.id.in_(draft.topic_ids), Topic.category == "parent_guidance")))
    if len(topics) != len(set(draft.topic_ids)):
        problems["topic_ids"] = ("Choose topics from the list.", {})
    if draft.start_date is not None and "end_date" not in problems:
        overlap = _overlapping(session, draft, enrollment_id)
        if overlap is not None:
            problems["start_date"] = ("{name} is already enrolled in this activity from {date}.",
                                      {"name": person.full_name,
                                       "date": short_date(overlap.start_date)})
    if problems:
        raise ValidationFailed(problems)
    return {"activity_id": activity.id, "person_id": person.id,
            "start_date": draft.start_date, "end_date": draft.end_date,
            "end_reason": EndReason(draft.end_reason) if draft.end_reason else None,
            "goals": draft.goals.strip(), "note": draft.note.strip(),
            "mentor_user_id": draft.mentor_user_id, "household_id": draft.household_id,
            "topics": topics}


def _overlapping(session: Session, draft: EnrollmentDraft,
                 enrollment_id: int | None) -> Enrollment | None:
    """Another live enrollment of the person in the activity whose dates overlap."""
    query = select(Enrollment).where(
        Enrollment.person_id == draft.person_id, Enrollment.activity_id == draft.activity_id,
        Enrollment.deleted_at.is_(None),
        or_(Enrollment.end_date.is_(None), Enrollment.end_date >= draft.start_date))
    if draft.end_date is not None:
        query = query.where(Enrollment.start_date <= draft.end_date)
    if enrollment_id is not None:
        query = query.where(Enrollment.id != enrollment_id)
    return session.scalars(query).first()


def _audit(w: WriteUnit, e: Enrollment, action: AuditAction) -> None:
    w.audit(action, entity="enrollments", entity_uuid=e.uuid, person_uuid=e.person.uuid)


def list_enrollments(ctx: AppContext, *, activity_id: int | None = None,
                     person_id: int | None = None,
                     on: date | None = None) -> list[EnrollmentRow]:
    """An activity's participants or a person's enrollments; ``on``: active that day."""
    query = (select(Enrollment).join(Person, Person.id == Enrollment.person_id)
             .where(Enrollment.deleted_at.is_(None), visible_person(ctx))
             .order_by(dialect.danish(Person.first_name), dialect.danish(Person.last_name),
                       Enrollment.start_date, Enrollment.id))
    if activity_id is not None:
        query = query.where(Enrollment.activity_id == activity_id)
    if person_id is not None:
        query = query.where(Enrollment.person_id == person_id)
    if on is not None:
        query = query.where(active_on(on))
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return [_row(e) for e in r.session.scalars(query)]


def get_enrollment(ctx: AppContext, enrollment_id: int) -> EnrollmentRow:
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return _row(load_of_person(r, Enrollment, enrollment_id, "enrollment"))


@writes(Entity.ENROLLMENTS, Entity.ACTIVITIES, Entity.TIMELINE)
def enroll(ctx: AppContext, draft: EnrollmentDraft) -> EnrollmentRow:
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        enrollment = Enrollment(**_validate(w.session, ctx, draft))
        w.session.add(enrollment)
        w.session.flush()
        _audit(w, enrollment, AuditAction.CREATE)
        return _row(enrollment)


@writes(Entity.ENROLLMENTS, Entity.ACTIVITIES, Entity.TIMELINE)
def enroll_household(ctx: AppContext, activity_id: int, household_id: int,
                     person_ids: tuple[int, ...], start_date: date, *,
                     topic_ids: tuple[int, ...] = (), goals: str = "",
                     mentor_user_id: int | None = None) -> list[EnrollmentRow]:
    """Parent guidance: enroll a family's chosen members (parents and children) in one
    save, each linked to the household and its topics."""
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        rows = []
        for person_id in person_ids:
            draft = EnrollmentDraft(activity_id, person_id, start_date, goals=goals,
                                    household_id=household_id, topic_ids=topic_ids,
                                    mentor_user_id=mentor_user_id)
            enrollment = Enrollment(**_validate(w.session, ctx, draft))
            w.session.add(enrollment)
            w.session.flush()
            _audit(w, enrollment, AuditAction.CREATE)
            rows.append(_row(enrollment))
        return rows


@writes(Entity.ENROLLMENTS, Entity.ACTIVITIES, Entity.TIMELINE)
def update_enrollment(ctx: AppContext, enrollment_id: int, version: int,
                      draft: EnrollmentDraft) -> EnrollmentRow:
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        enrollment = load_of_person(w, Enrollment, enrollment_id, "enrollment", version)
        for key, value in _validate(w.session, ctx, draft, enrollment.id).items():
            setattr(enrollment, key, value)
        w.session.flush()
        _audit(w, enrollment, AuditAction.UPDATE)
        return _row(enrollment)


@writes(Entity.ENROLLMENTS, Entity.ACTIVITIES, Entity.TIMELINE)
def end_enrollment(ctx: AppContext, enrollment_id: int, version: int, end_date: date,
                   end_reason: EndReason) -> EnrollmentRow:
    """Close a forløb: the common edit, without reopening the whole form."""
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        e = load_of_person(w, Enrollment, enrollment_id, "enrollment", version)
        draft = EnrollmentDraft(e.activity_id, e.person_id, e.start_date, end_date, end_reason,
                                e.goals, e.note, e.mentor_user_id, e.household_id,
                                tuple(t.id for t in e.topics))
        for key, value in _validate(w.session, ctx, draft, e.id).items():
            setattr(e, key, value)
        w.session.flush()
        _audit(w, e, AuditAction.UPDATE)
        return _row(e)


@writes(Entity.ENROLLMENTS, Entity.ACTIVITIES, Entity.TIMELINE)
def delete_enrollment(ctx: AppContext, enrollment_id: int, version: int) -> None:
    with ctx.write(Permission.MANAGE_ACTIVITIES) as w:
        enrollment = load_of_person(w, Enrollment, enrollment_id, "enrollment", version)
        delete_record(w, enrollment, _audit)
