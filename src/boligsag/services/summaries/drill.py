"""Drill-down: the records behind one figure of a summary.

Only for roles with ``Permission.DRILL_DOWN`` (team leads and administrators): a figure
is anonymous, the list behind it is not. Each call is written to the audit log. The
result is references (kind, id, UUID, date), never names or notes: the screen opens the
records through the ordinary services, which apply their own access rules.

The queries reuse the FROM clauses and conditions the figures were counted with, so a
count and the length of its list agree (a test checks this for every table).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, func, literal, select

from boligsag.domain.enums import AuditAction, ReferralKind
from boligsag.domain.permissions import Permission
from boligsag.services.context import AppContext
from boligsag.services.errors import NotFound
from boligsag.storage.models import contact_topics
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import TOTAL, CellRef

from . import activities, jobs, participants, referrals
from .contacts import NO_FOCUS_AREA
from .filter import validate_filter
from .scope import CONTACTS, Scope
from .sql import UNKNOWN, age_group_join, gender_bucket, month_of, months_cte

MAX_RECORDS = 5000  # a list longer than this is not read by anyone; narrow the filter


@dataclass(frozen=True)
class RecordRef:
    kind: str  # "person", "contact", "session", "enrollment", "referral", "job"
    id: int
    uuid: str
    on: date | None  # the date that put the record in the figure


def drill_down(ctx: AppContext, summary_filter: SummaryFilter, ref: CellRef) -> list[RecordRef]:
    """The records behind ``ref`` (a cell of ``compute_summary(ctx, summary_filter)``),
    oldest first, at most ``MAX_RECORDS``."""
    ctx.require(Permission.DRILL_DOWN)  # before the input is judged
    validate_filter(summary_filter)
    builder = _BUILDERS.get(ref.table)
    if builder is None:
        raise NotFound("figure")
    with ctx.read(Permission.DRILL_DOWN) as r:
        scope = Scope.build(r.session, summary_filter)
        kind, query = builder(scope, ref)
        rows = r.session.execute(query.order_by("on", "id").limit(MAX_RECORDS)).all()
        r.audit(AuditAction.VIEW, entity="summary",
                detail=f"drill-down {ref.table}/{ref.row}/{ref.column} "
                       f"{summary_filter.date_from}..{summary_filter.date_to}: "
                       f"{len(rows)} {kind}")
    return [RecordRef(kind, row.id, row.uuid, _as_date(row.on)) for row in rows]


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        return date.fromisoformat(value[:10])
    return None


Query = Select[tuple[int, str, object]]


def _is(column: ColumnElement[object], key: str) -> list[ColumnElement[bool]]:
    """``column`` equals the row or column key (no condition for a total). Keys of ids
    are compared as numbers: an expression such as the focus area has no column type,
    and SQLite never finds 5 equal to '5' there."""
    if key == TOTAL:
        return []
    return [column == (int(key) if key.isdigit() else key)]


# -- people ------------------------------------------------------------------------------


def _participants(scope: Scope, ref: CellRef) -> tuple[str, Query]:
    p = participants.PEOPLE
    ids = participants.participant_ids(participants.events_subquery(scope)).subquery("ids")
    joined, group = age_group_join(p, scope.filter.date_to.isoformat())
    return "person", (
        select(p.c.id, p.c.uuid, literal(None).label("on"))
        .select_from(joined.join(ids, ids.c.person_id == p.c.id))
        .where(*_is(group, ref.row), *_is(gender_bucket(p.c.gender), ref.column))
    )


def _participants_per_month(scope: Scope, ref: CellRef) -> tuple[str, Query]:
    p = participants.PEOPLE
    if ref.column == "new":
        new = participants.new_ids(scope, participants.events_subquery(scope)).subquery("new")
        return "person", (
            select(p.c.id, p.c.uuid, new.c.first_day.label("on"))
            .join(new, new.c.person_id == p.c.id)
            .where(*_is(month_of(new.c.first_day), ref.row))
        )
    if ref.row == TOTAL:
        return _participants(scope, CellRef("participants", TOTAL, TOTAL))
    rows = participants.month_rows(participants.events_subquery(scope),
                                   months_cte(scope.filter)).subquery("in_month")
    return "person", (
        select(p.c.id, p.c.uuid, literal(None).label("on"))
        .join(rows, rows.c.person_id == p.c.id)
        .where(rows.c.month == ref.row).distinct()
    )


# -- contacts ----------------------------------------------------------------------------


def _contacts(scope: Scope, ref: CellRef) -> tuple[str, Query]:
    c = CONTACTS
    where = scope.contacts(c)
    query = select(c.c.id, c.c.uuid, c.c.occurred_at.label("on")).where(*where)
    focus = scope.contact_focus_area(c)
    table, row, column = ref.table, ref.row, ref.column
    if table == "contacts_by_channel":
        query = query.where(*_is(c.c.channel_id, row))
    elif table == "contacts_by_focus_area":
        if row == NO_FOCUS_AREA:
            query = query.where(focus.is_(None))
        else:
            query = query.where(*_is(focus, row))
    elif table == "contacts_by_topic":
        ct = contact_topics
        query = query.where(c.c.id.in_(select(ct.c.contact_id).where(*_is(ct.c.topic_id, row))))
    elif table == "anonymous_contacts":
        age = func.coalesce(c.c.age_group, UNKNOWN)
        query = query.where(c.c.anonymous.is_(True), *_is(age, row),
                            *_is(gender_bucket(c.c.gender), column))
    elif table == "contacts_per_month":
        query = query.where(*_is(month_of(c.c.occurred_at), row))
        if column == "anonymous":
            query = query.where(c.c.anonymous.is_(True))
    elif table == "contacts_per_month_by_focus_area":
        query = query.where(*_is(month_of(c.c.occurred_at), row))
        if column == NO_FOCUS_AREA:
            query = query.where(focus.is_(None))
        else:
            query = query.where(*_is(focus, column))
    return "contact", query


# -- activities --------------------------------------------------------------------------

_SESSION_COLUMNS = {"sessions", "present", "attendance_rate", "drop_in"}


def _activities(scope: Scope, ref: CellRef) -> tuple[str, Query]:
    b = activities.bases(scope)
    s, e, h = activities.SESSIONS, activities.ENROLLMENTS, activities.HEAD_COUNTS
    f = scope.filter
    per_month = ref.table == "activities_per_month"
    if ref.table == "drop_in" or ref.column in _SESSION_COLUMNS:
        where = list(b.sessions_where)
        if per_month:
            where += _is(month_of(s.c.date), ref.row)
        else:
            where += _is(s.c.activity_id, ref.row) if ref.table == "activities" else []
        from_ = b.sessions_from
        if ref.table == "drop_in" or ref.column == "drop_in":
            heads = select(h.c.session_id).where(h.c.count > 0)
            if ref.table == "drop_in":
                heads = heads.where(*_is(h.c.age_group, ref.row),
                                    *_is(gender_bucket(h.c.gender), ref.column))
            where.append(s.c.id.in_(heads))
        elif ref.column in {"present", "attendance_rate"}:
            at = activities.ATTENDANCE
            where.append(s.c.id.in_(select(at.c.session_id).select_from(b.attendance_from)
                                    .where(*b.attendance_where)))
        return "session", select(s.c.id, s.c.uuid, s.c.date.label("on")).select_from(
            from_).where(*where)
    where = list(b.enroll_where)
    if ref.column == "enrolled":  # unique people, so the list is of people
        p = participants.PEOPLE
        where += _is(e.c.activity_id, ref.row)
        return "person", select(p.c.id, p.c.uuid, literal(None).label("on")).where(
            p.c.id.in_(select(e.c.person_id).select_from(b.enroll_from).where(*where)))
    on = e.c.start_date
    if ref.table == "enrollments_ended" or ref.column == "ended":
        on = e.c.end_date
        where += [e.c.end_date >= f.date_from, e.c.end_date <= f.date_to]
        if ref.table == "enrollments_ended" and ref.row != TOTAL:
            where.append(e.c.end_reason.is_(None) if ref.row == activities.NO_REASON
                         else e.c.end_reason == ref.row)
    elif ref.column == "started":
        where += [e.c.start_date >= f.date_from, e.c.start_date <= f.date_to]
    if per_month:
        where += _is(month_of(on), ref.row)
    elif ref.table == "activities":
        where += _is(e.c.activity_id, ref.row)
    return "enrollment", select(e.c.id, e.c.uuid, on.label("on")).select_from(
        b.enroll_from).where(*where)


# -- referrals and jobs ------------------------------------------------------------------


def _referrals(scope: Scope, ref: CellRef) -> tuple[str, Query]:
    r = referrals.REFERRALS
    from_, where = referrals.cohort(scope)
    kind = ReferralKind.CONCERN if ref.table == "concerns" else ReferralKind.REFERRAL
    where = [*where, r.c.kind == kind.value]
    stage = referrals.stages()
    if ref.table == "referrals_by_status":
        where += _is(r.c.service_id, ref.row) + _is(r.c.status, ref.column)
    elif ref.table == "referrals_by_service":
        where += _is(r.c.service_id, ref.row)
        column = {"closed_share": "sent", "median_days": "first_meeting"}.get(ref.column,
                                                                              ref.column)
        where.append(stage[column])
    elif ref.table == "referral_flow":
        where.append(stage[ref.row])
    elif ref.table == "referrals_per_month":
        where += _is(month_of(r.c.created_on), ref.row)
        if ref.column != "created":
            where.append(stage[ref.column])
    return "referral", select(r.c.id, r.c.uuid, r.c.created_on.label("on")).select_from(
        from_).where(*where)


def _jobs(scope: Scope, ref: CellRef) -> tuple[str, Query]:
    j = jobs.JOBS
    if ref.table == "job_follow_ups":
        fu = jobs.FOLLOW_UPS
        from_, where = jobs.follow_ups_base(scope)
        where = [*where, *_is(fu.c.months, ref.row)]
        if ref.column == "answered":
            where.append(fu.c.status.in_(["yes", "no"]))
        elif ref.column in {"still_employed", "share"}:
            where.append(fu.c.status == "yes")
        return "job", select(j.c.id, j.c.uuid, fu.c.due_date.label("on")).select_from(
            from_).where(*where)
    from_, where, running, started_now = jobs.base(scope)
    where = [*where, *running]
    if ref.table == "jobs_per_month":
        where += [started_now, *_is(month_of(j.c.start_date), ref.row),
                  *_is(j.c.kind, ref.column)]
    else:
        where += _is(j.c.kind, ref.row)
        if ref.column == "young_people":  # unique people, so the list is of people
            p = participants.PEOPLE
            return "person", select(p.c.id, p.c.uuid, literal(None).label("on")).where(
                p.c.id.in_(select(j.c.person_id).select_from(from_).where(*where)))
        if ref.column in {"started", "after_pocket_money"}:
            where.append(started_now)
        if ref.column == "after_pocket_money":
            prev = jobs.JOBS.alias("previous_job")
            where.append(j.c.previous_job_id.in_(
                select(prev.c.id).where(prev.c.kind == "pocket_money")))
    return "job", select(j.c.id, j.c.uuid, j.c.start_date.label("on")).select_from(
        from_).where(*where)


_BUILDERS = {
    "participants": _participants,
    "participants_per_month": _participants_per_month,
    "contacts_by_channel": _contacts,
    "contacts_by_focus_area": _contacts,
    "contacts_by_topic": _contacts,
    "anonymous_contacts": _contacts,
    "contacts_per_month": _contacts,
    "contacts_per_month_by_focus_area": _contacts,
    "activities": _activities,
    "enrollments_ended": _activities,
    "drop_in": _activities,
    "activities_per_month": _activities,
    "referrals_by_status": _referrals,
    "referrals_by_service": _referrals,
    "referral_flow": _referrals,
    "referrals_per_month": _referrals,
    "concerns": _referrals,
    "jobs": _jobs,
    "job_follow_ups": _jobs,
    "jobs_per_month": _jobs,
}
