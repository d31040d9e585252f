"""A person's timeline: everything about them, newest first, each item opening its
record.

One ``UNION ALL`` over the person's contacts, enrollments, sessions attended, jobs
and job follow-ups, referrals and their events, and consents; every branch starts
from an index on the person (``ix_contact_people_person``, ``ix_enrollments_person``,
``ix_attendance_person``, ``ix_jobs_person``, ``ix_referrals_person``,
``ix_consents_person``). The union carries only sort keys and a few short columns;
topics, staff and note excerpts are fetched afterwards for the page's contacts only,
so a person with thousands of contacts costs one index walk and one small sort.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    cast,
    literal,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from boligsag.domain.enums import ContactKind, JobKind, ReferralKind, ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.formatting import excerpt as note_excerpt
from boligsag.formatting import short_date
from boligsag.i18n import current_language, tr
from boligsag.storage.models import (
    Activity,
    ActivitySession,
    Attendance,
    Channel,
    Consent,
    Contact,
    Enrollment,
    Job,
    JobFollowUp,
    Referral,
    ReferralEvent,
    Service,
    Topic,
    User,
    contact_people,
    contact_topics,
)

from .access_purpose import require_purpose
from .casework_common import visible_person_or_fail
from .casework_labels import end_reason_label, referral_status_label, still_employed_label
from .context import AppContext

NOTE_EXCERPT = 80


class TimelineKind(StrEnum):
    CONTACT = "contact"
    ENROLLMENT_START = "enrollment_start"
    ENROLLMENT_END = "enrollment_end"
    SESSION = "session"
    JOB_START = "job_start"
    JOB_END = "job_end"
    JOB_FOLLOW_UP = "job_follow_up"
    REFERRAL = "referral"
    REFERRAL_EVENT = "referral_event"
    CONSENT = "consent"
    CONSENT_WITHDRAWN = "consent_withdrawn"


# Which record an item opens.
RECORD_TYPE: dict[TimelineKind, str] = {
    TimelineKind.CONTACT: "contact",
    TimelineKind.ENROLLMENT_START: "enrollment",
    TimelineKind.ENROLLMENT_END: "enrollment",
    TimelineKind.SESSION: "session",
    TimelineKind.JOB_START: "job",
    TimelineKind.JOB_END: "job",
    TimelineKind.JOB_FOLLOW_UP: "job",
    TimelineKind.REFERRAL: "referral",
    TimelineKind.REFERRAL_EVENT: "referral",
    TimelineKind.CONSENT: "consent",
    TimelineKind.CONSENT_WITHDRAWN: "consent",
}


@dataclass(frozen=True)
class TimelineItem:
    kind: TimelineKind
    at: datetime  # date-only events at midnight
    has_time: bool  # False for date-only events: show the date alone
    title: str
    subtitle: str
    record_type: str  # "contact", "enrollment", "session", "job", "referral", "consent"
    record_id: int
    item_id: int  # the row behind the item (e.g. the follow-up or event), for paging
    sort_at: str  # the stored timestamp text; with kind and item_id the paging key


def _branches(person_id: int, today: date) -> list[Select[Any]]:
    """One select per kind: (kind, at, item_id, record_id, a, b, c)."""
    def s(value: Any) -> ColumnElement[str]:
        # A real CAST: SQLite hands back booleans and counts as integers otherwise.
        return cast(value, String)

    def row(kind: TimelineKind, at: Any, item: Any, record: Any, a: Any, b: Any,
            c: Any) -> Select[Any]:
        # Labelled alike in every branch, so the union's columns have these names.
        return select(literal(str(kind)).label("kind"), s(at).label("at"),
                      item.label("item_id"), record.label("record_id"), s(a).label("a"),
                      s(b).label("b"), s(c).label("c"))

    channel_name = Channel.name_da if current_language() == "da" else Channel.name_en
    k = TimelineKind
    return [
        row(k.CONTACT, Contact.occurred_at, Contact.id, Contact.id, channel_name, Contact.kind,
            Contact.duration_minutes)
        .select_from(contact_people)
        .join(Contact, Contact.id == contact_people.c.contact_id)
        .join(Channel, Channel.id == Contact.channel_id)
        .where(contact_people.c.person_id == person_id, Contact.deleted_at.is_(None)),
        row(k.ENROLLMENT_START, Enrollment.start_date, Enrollment.id, Enrollment.id,
            Activity.name, null(), null())
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(Enrollment.person_id == person_id, Enrollment.deleted_at.is_(None)),
        row(k.ENROLLMENT_END, Enrollment.end_date, Enrollment.id, Enrollment.id,
            Activity.name, Enrollment.end_reason, null())
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(Enrollment.person_id == person_id, Enrollment.deleted_at.is_(None),
               Enrollment.end_date.is_not(None), Enrollment.end_date <= today),
        row(k.SESSION, ActivitySession.date, Attendance.id, ActivitySession.id,
            Activity.name, Attendance.present, Attendance.absence_reason)
        .select_from(Attendance)
        .join(ActivitySession, ActivitySession.id == Attendance.session_id)
        .join(Activity, Activity.id == ActivitySession.activity_id)
        .where(Attendance.person_id == person_id, ActivitySession.deleted_at.is_(None)),
        row(k.JOB_START, Job.start_date, Job.id, Job.id, Job.employer, Job.kind, null())
        .where(Job.person_id == person_id, Job.deleted_at.is_(None)),
        row(k.JOB_END, Job.end_date, Job.id, Job.id, Job.employer, Job.kind, null())
        .where(Job.person_id == person_id, Job.deleted_at.is_(None),
               Job.end_date.is_not(None), Job.end_date <= today),
        row(k.JOB_FOLLOW_UP, JobFollowUp.due_date, JobFollowUp.id, Job.id, Job.employer,
            JobFollowUp.months, JobFollowUp.status)
        .select_from(JobFollowUp)
        .join(Job, Job.id == JobFollowUp.job_id)
        .where(Job.person_id == person_id, Job.deleted_at.is_(None),
               JobFollowUp.deleted_at.is_(None),
               # Future follow-ups are not history yet; they are on the follow-up list.
               or_(JobFollowUp.status.is_not(None), JobFollowUp.due_date <= today)),
        row(k.REFERRAL, Referral.created_on, Referral.id, Referral.id, Service.name,
            Referral.kind, Referral.status)
        .join(Service, Service.id == Referral.service_id)
        .where(Referral.person_id == person_id, Referral.deleted_at.is_(None)),
        row(k.REFERRAL_EVENT, ReferralEvent.on, ReferralEvent.id, Referral.id, Service.name,
            ReferralEvent.to_status, Referral.kind)
        .select_from(ReferralEvent)
        .join(Referral, Referral.id == ReferralEvent.referral_id)
        .join(Service, Service.id == Referral.service_id)
        .where(Referral.person_id == person_id, Referral.deleted_at.is_(None),
               ReferralEvent.deleted_at.is_(None),
               ReferralEvent.to_status != ReferralStatus.DRAFT),  # creation is its own item
        row(k.CONSENT, Consent.valid_from, Consent.id, Consent.id, Service.name,
            Consent.valid_to, null())
        .join(Service, Service.id == Consent.service_id)
        .where(Consent.person_id == person_id, Consent.deleted_at.is_(None)),
        row(k.CONSENT_WITHDRAWN, Consent.withdrawn_on, Consent.id, Consent.id, Service.name,
            null(), null())
        .join(Service, Service.id == Consent.service_id)
        .where(Consent.person_id == person_id, Consent.deleted_at.is_(None),
               Consent.withdrawn_on.is_not(None)),
    ]


def _title(kind: TimelineKind, a: str, b: str | None, c: str | None) -> tuple[str, str]:
    """Title and subtitle of a non-contact item from its union columns."""
    k = TimelineKind
    if kind == k.ENROLLMENT_START:
        return tr("Started in {activity}", activity=a), ""
    if kind == k.ENROLLMENT_END:
        return tr("Ended in {activity}", activity=a), end_reason_label(b)
    if kind == k.SESSION:
        present = b in ("1", "True", "true")
        title = (tr("{activity}: present", activity=a) if present
                 else tr("{activity}: absent", activity=a))
        return title, "" if present else (c or "")
    if kind == k.JOB_START:
        if b == JobKind.POCKET_MONEY:
            return tr("Pocket-money job at {employer}", employer=a), ""
        return tr("Leisure job at {employer}", employer=a), ""
    if kind == k.JOB_END:
        return tr("Job at {employer} ended", employer=a), ""
    if kind == k.JOB_FOLLOW_UP:
        return (tr("Follow-up {months} months after the job at {employer}",
                   months=b or "", employer=a), still_employed_label(c))
    if kind == k.REFERRAL:
        if b == ReferralKind.CONCERN:
            return tr("Notification of concern to {service}", service=a), ""
        return tr("Referral to {service}", service=a), referral_status_label(c or "draft")
    if kind == k.REFERRAL_EVENT:
        return tr("Referral to {service}", service=a), referral_status_label(b or "draft")
    if kind == k.CONSENT:
        until = date.fromisoformat(b) if b else None
        return (tr("Consent for {service}", service=a),
                tr("Valid until {date}", date=short_date(until)))
    return tr("Consent for {service} withdrawn", service=a), ""


def _contact_details(session: Session, contact_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Staff name, topics and a note excerpt for the contacts on this page."""
    if not contact_ids:
        return {}
    topic_name = Topic.name_da if current_language() == "da" else Topic.name_en
    topics: dict[int, list[str]] = {}
    for contact_id, name in session.execute(
        select(contact_topics.c.contact_id, topic_name)
        .join(Topic, Topic.id == contact_topics.c.topic_id)
        .where(contact_topics.c.contact_id.in_(contact_ids)).order_by(Topic.sort_order)
    ):
        topics.setdefault(contact_id, []).append(name)
    details = {}
    for contact_id, staff, note, locked in session.execute(
        select(Contact.id, User.full_name, Contact.note, Contact.ssp_locked)
        .join(User, User.id == Contact.staff_user_id).where(Contact.id.in_(contact_ids))
    ):
        # SSP notes (retsplejeloven § 115) stay inside the contact record itself.
        excerpt = "" if locked else note_excerpt(note, NOTE_EXCERPT)
        staff_note = f"{staff} – {excerpt}" if excerpt else staff
        details[contact_id] = (", ".join(topics.get(contact_id, [])), staff_note)
    return details


def person_timeline(
    ctx: AppContext, person_id: int, *, limit: int = 50, before: TimelineItem | None = None
) -> list[TimelineItem]:
    """The newest ``limit`` items, or those older than ``before`` (the last item of
    the previous page) when scrolling on."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        require_purpose(ctx, visible_person_or_fail(session, ctx, person_id))
        union = union_all(*_branches(person_id, ctx.today())).subquery("timeline")
        u = union.c
        query = select(union).where(u.at.is_not(None))
        if before is not None:
            key = (before.sort_at, str(before.kind), before.item_id)
            query = query.where(tuple_(u.at, u.kind, u.item_id) < tuple_(*map(literal, key)))
        query = query.order_by(u.at.desc(), u.kind.desc(), u.item_id.desc()).limit(max(1, limit))
        rows = session.execute(query).all()
        contact_ids = [r[2] for r in rows if r[0] == TimelineKind.CONTACT]
        contact_details = _contact_details(session, contact_ids)
    items = []
    for kind_text, at_text, item_id, record_id, a, b, c in rows:
        kind = TimelineKind(kind_text)
        if kind == TimelineKind.CONTACT:
            title = (tr("Network-mother conversation ({channel})", channel=a)
                     if b == ContactKind.NETWORK_MOTHER else tr("Contact ({channel})", channel=a))
            topics, staff_note = contact_details.get(item_id, ("", ""))
            minutes = tr("{minutes} min.", minutes=c) if c and c != "0" else ""
            subtitle = " · ".join(part for part in (topics, minutes, staff_note) if part)
        else:
            title, subtitle = _title(kind, a or "", b, c)
        at = datetime.fromisoformat(at_text)
        items.append(TimelineItem(kind, at, len(at_text) > 10, title, subtitle,
                                  RECORD_TYPE[kind], record_id, item_id, at_text))
    return items

