"""Sessions (mødegange) with attendance, on one screen.

For a fixed course, the sheet lists everyone enrolled on the day, to tick present or
absent (with a reason); for drop-in, anonymous head counts by age group and gender.
One session per activity and day, so opening the sheet for a day that already has one
edits it. Restricted cases the user may not see are neither listed nor touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from boligsag.collation import danish_key
from boligsag.domain.enums import ActivityMode, AuditAction, Gender
from boligsag.domain.permissions import Permission
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    AgeGroupRow,
    Attendance,
    Enrollment,
    HeadCount,
    Person,
    User,
)

from .casework_common import (
    Choice,
    active_user,
    can_see,
    gender_choices,
    get_live,
    hidden_person,
    label,
    visible_person,
)
from .changes import Entity, writes
from .context import AppContext
from .enrollments import active_on
from .errors import ValidationFailed
from .people import Problems
from .records import delete_record
from .units import WriteUnit

MAX_DURATION = 24 * 60


@dataclass(frozen=True)
class AttendanceMark:
    person_id: int
    present: bool
    absence_reason: str = ""


@dataclass(frozen=True)
class HeadCountEntry:
    age_group: str  # age group code
    gender: Gender
    count: int


@dataclass(frozen=True)
class SessionDraft:
    activity_id: int
    date: date
    staff_ids: tuple[int, ...] = ()
    attendance: tuple[AttendanceMark, ...] = ()  # fixed course: every participant
    head_counts: tuple[HeadCountEntry, ...] = ()  # drop-in
    start_time: time | None = None
    duration_minutes: int | None = None
    note: str = ""


@dataclass(frozen=True)
class SheetRow:
    person_id: int
    name: str
    enrolled: bool  # False: marked at this session but no longer enrolled on its day
    present: bool | None  # None: not ticked yet
    absence_reason: str


@dataclass(frozen=True)
class SessionSheet:
    """Everything the session screen shows; pre-filled when the day has a session."""

    activity_id: int
    activity_name: str
    mode: ActivityMode
    date: date
    session_id: int | None  # None: a new session
    version: int | None  # pass to update_session
    staff_ids: tuple[int, ...]
    start_time: time | None
    duration_minutes: int | None
    note: str
    rows: tuple[SheetRow, ...]
    head_counts: tuple[HeadCountEntry, ...]
    age_groups: tuple[Choice, ...]
    genders: tuple[Choice, ...]
    hidden_participants: int  # restricted cases of others, enrolled but not shown


@dataclass(frozen=True)
class SessionRow:
    id: int
    uuid: str
    version: int
    activity_id: int
    activity_name: str
    date: date
    start_time: time | None
    duration_minutes: int | None
    note: str
    staff_names: str
    present: int
    absent: int
    head_count: int


def _row(s: ActivitySession) -> SessionRow:
    marks = s.attendance
    return SessionRow(
        id=s.id, uuid=s.uuid, version=s.version, activity_id=s.activity_id,
        activity_name=s.activity.name, date=s.date, start_time=s.start_time,
        duration_minutes=s.duration_minutes, note=s.note,
        staff_names=", ".join(sorted((u.full_name for u in s.staff), key=danish_key)),
        present=sum(1 for a in marks if a.present),
        absent=sum(1 for a in marks if not a.present),
        head_count=sum(h.count for h in s.head_counts),
    )


def _session_on(session: Session, activity_id: int, day: date) -> ActivitySession | None:
    return session.scalars(select(ActivitySession).where(
        ActivitySession.activity_id == activity_id, ActivitySession.date == day,
        ActivitySession.deleted_at.is_(None))).first()


def _enrolled(session: Session, ctx: AppContext, activity_id: int, day: date) -> list[Person]:
    enrolled = session.scalars(
        select(Person).join(Enrollment, Enrollment.person_id == Person.id)
        .where(Enrollment.activity_id == activity_id, active_on(day), visible_person(ctx))
        .distinct())
    # Sorted here: PostgreSQL's DISTINCT refuses an ORDER BY of a collated expression
    # it does not select, and one activity's participants are a short list.
    return sorted(enrolled, key=lambda p: (danish_key(p.first_name), danish_key(p.last_name),
                                           p.id))


def session_sheet(ctx: AppContext, activity_id: int, on: date) -> SessionSheet:
    with ctx.read(Permission.RECORD_SESSIONS) as r:
        session = r.session
        activity = get_live(session, Activity, activity_id, "activity")
        existing = _session_on(session, activity_id, on)
        marks = {a.person_id: a for a in existing.attendance} if existing else {}
        rows = [SheetRow(p.id, p.full_name, True, marks[p.id].present if p.id in marks else None,
                         marks[p.id].absence_reason if p.id in marks else "")
                for p in _enrolled(session, ctx, activity_id, on)]
        listed = {r.person_id for r in rows}
        rows += [SheetRow(a.person_id, a.person.full_name, False, a.present, a.absence_reason)
                 for a in marks.values() if a.person_id not in listed and can_see(ctx, a.person)]
        hidden = session.scalar(
            select(func.count(func.distinct(Enrollment.person_id)))
            .join(Person, Person.id == Enrollment.person_id)
            .where(Enrollment.activity_id == activity_id, active_on(on), hidden_person(ctx))) or 0
        return SessionSheet(
            activity_id=activity.id, activity_name=activity.name,
            mode=ActivityMode(activity.mode), date=on,
            session_id=existing.id if existing else None,
            version=existing.version if existing else None,
            staff_ids=tuple(u.id for u in existing.staff) if existing else (ctx.actor.user_id,),
            start_time=existing.start_time if existing else None,
            duration_minutes=existing.duration_minutes if existing else None,
            note=existing.note if existing else "",
            rows=tuple(rows),
            head_counts=tuple(HeadCountEntry(h.age_group, Gender(h.gender), h.count)
                              for h in existing.head_counts) if existing else (),
            age_groups=tuple(Choice(None, g.code, label(g.label_da, g.label_en))
                             for g in session.scalars(
                                 select(AgeGroupRow).order_by(AgeGroupRow.sort_order))),
            genders=gender_choices(),
            hidden_participants=hidden,
        )


def _validate(session: Session, ctx: AppContext, draft: SessionDraft,
              existing: ActivitySession | None) -> tuple[Activity, Problems]:
    problems: Problems = {}
    activity = get_live(session, Activity, draft.activity_id, "activity")
    if draft.date is None:
        problems["date"] = ("Enter the date.", {})
        return activity, problems
    if draft.date > ctx.today():
        problems["date"] = ("A session cannot be recorded before it has taken place.", {})
    other = _session_on(session, activity.id, draft.date)
    if other is not None and other is not existing:
        problems["date"] = ("A session on this date is already recorded; open it to edit.", {})
    if any(active_user(session, user_id) is None for user_id in draft.staff_ids):
        problems["staff_ids"] = ("Choose staff from the list.", {})
    if draft.duration_minutes is not None and not 0 <= draft.duration_minutes <= MAX_DURATION:
        problems["duration_minutes"] = ("The duration must be between 0 and {max} minutes.",
                                        {"max": MAX_DURATION})
    if activity.mode == ActivityMode.COURSE:
        if draft.head_counts:
            problems["head_counts"] = ("Head counts are for drop-in activities.", {})
        expected = {p.id for p in _enrolled(session, ctx, activity.id, draft.date)}
        earlier = {a.person_id for a in existing.attendance} if existing else set()
        marked = [m.person_id for m in draft.attendance]
        if len(marked) != len(set(marked)) or not set(marked) <= expected | earlier:
            problems["attendance"] = ("Someone on the list is not enrolled on this date; "
                                      "reopen the session.", {})
        elif not expected <= set(marked):
            problems["attendance"] = ("Mark every participant present or absent.", {})
    else:
        if draft.attendance:
            problems["attendance"] = ("A drop-in activity counts heads instead of attendance.",
                                      {})
        codes = set(session.scalars(select(AgeGroupRow.code)))
        keys = [(h.age_group, h.gender) for h in draft.head_counts]
        if any(not isinstance(h.count, int) or isinstance(h.count, bool) or h.count < 0
               for h in draft.head_counts):
            problems["head_counts"] = ("Head counts must be whole numbers of 0 or more.", {})
        elif len(keys) != len(set(keys)) or any(
                a not in codes or g not in set(Gender) for a, g in keys):
            problems["head_counts"] = ("Choose age groups and genders from the list.", {})
    return activity, problems


def _apply(session: Session, ctx: AppContext, s: ActivitySession, draft: SessionDraft) -> None:
    with session.no_autoflush:  # one flush at the end: one version step per save
        _apply_draft(session, ctx, s, draft)
    if s.id is not None:
        # Child rows alone do not UPDATE the session; force it, so its version moves on.
        flag_modified(s, "note")


def _apply_draft(session: Session, ctx: AppContext, s: ActivitySession,
                 draft: SessionDraft) -> None:
    """Write the draft into the session, editing child rows in place (the unique keys
    would clash if they were deleted and re-inserted in one flush)."""
    s.date, s.start_time, s.duration_minutes = draft.date, draft.start_time, draft.duration_minutes
    s.note = draft.note.strip()
    s.staff = [session.get_one(User, user_id) for user_id in dict.fromkeys(draft.staff_ids)]
    marks = {m.person_id: m for m in draft.attendance}
    for row in list(s.attendance):
        if row.person_id in marks:
            mark = marks.pop(row.person_id)
            row.present, row.absence_reason = mark.present, _reason(mark)
        elif can_see(ctx, row.person):  # hidden people's marks are kept as they were
            s.attendance.remove(row)
    for mark in marks.values():
        s.attendance.append(Attendance(person_id=mark.person_id, present=mark.present,
                                       absence_reason=_reason(mark)))
    counts = {(h.age_group, Gender(h.gender)): h.count for h in draft.head_counts if h.count}
    for row in list(s.head_counts):
        key = (row.age_group, Gender(row.gender))
        if key in counts:
            row.count = counts.pop(key)
        else:
            s.head_counts.remove(row)
    for (age_group, gender), count in counts.items():
        s.head_counts.append(HeadCount(age_group=age_group, gender=gender, count=count))


def _reason(mark: AttendanceMark) -> str:
    return "" if mark.present else " ".join(mark.absence_reason.split())[:120]


def _audit(w: WriteUnit, s: ActivitySession, action: AuditAction) -> None:
    w.audit(action, entity="sessions", entity_uuid=s.uuid)
    for row in s.attendance:
        w.audit(action, entity="sessions", entity_uuid=s.uuid, person_uuid=row.person.uuid,
                detail="attendance")


@writes(Entity.SESSIONS, Entity.TIMELINE)
def record_session(ctx: AppContext, draft: SessionDraft) -> SessionRow:
    with ctx.write(Permission.RECORD_SESSIONS) as w:
        activity, problems = _validate(w.session, ctx, draft, None)
        if problems:
            raise ValidationFailed(problems)
        s = ActivitySession(activity=activity, date=draft.date)
        w.session.add(s)
        _apply(w.session, ctx, s, draft)
        w.session.flush()
        _audit(w, s, AuditAction.CREATE)
        return _row(s)


@writes(Entity.SESSIONS, Entity.TIMELINE)
def update_session(ctx: AppContext, session_id: int, version: int,
                   draft: SessionDraft) -> SessionRow:
    with ctx.write(Permission.RECORD_SESSIONS) as w:
        s = w.load_for_edit(ActivitySession, session_id, version, "session")
        if draft.activity_id != s.activity_id:
            raise ValidationFailed({"activity_id": (
                "A session cannot be moved to another activity.", {})})
        _, problems = _validate(w.session, ctx, draft, s)
        if problems:
            raise ValidationFailed(problems)
        _apply(w.session, ctx, s, draft)
        w.session.flush()
        _audit(w, s, AuditAction.UPDATE)
        return _row(s)


@writes(Entity.SESSIONS, Entity.TIMELINE)
def delete_session(ctx: AppContext, session_id: int, version: int) -> None:
    with ctx.write(Permission.RECORD_SESSIONS) as w:
        s = w.load_for_edit(ActivitySession, session_id, version, "session")
        delete_record(w, s, _audit)


def list_sessions(ctx: AppContext, activity_id: int, *, date_from: date | None = None,
                  date_to: date | None = None) -> list[SessionRow]:
    """An activity's sessions, newest first."""
    query = (select(ActivitySession)
             .where(ActivitySession.activity_id == activity_id,
                    ActivitySession.deleted_at.is_(None))
             .order_by(ActivitySession.date.desc()))
    if date_from is not None:
        query = query.where(ActivitySession.date >= date_from)
    if date_to is not None:
        query = query.where(ActivitySession.date <= date_to)
    with ctx.read(Permission.VIEW_PEOPLE) as r:
        return [_row(s) for s in r.session.scalars(query)]
