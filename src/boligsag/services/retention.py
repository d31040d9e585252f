"""Retention (issue 13 §2): people kept past their purpose are listed, and the
administrator anonymises them in one action.

Due: a live person (not deleted, not anonymised) with no contact, enrollment, job,
referral or consent within the retention period (``retention_months``, 60 unless the
administrator chose otherwise), and registered before it. An enrollment or job with no
end, a referral not closed and a consent still valid are current, so their person is
never due.

Anonymising keeps what the statistics count and removes the person: name (a
placeholder "Anonymiseret <number>"), CPR number, address, phone, e-mail, languages,
notes, the household and parent/child links, their reminders; the free texts of their
contacts, enrollments, jobs, consents and referrals (a text may name them). Kept: birth
date, gender and housing area, because every figure for a past period counts a person by
their age group on the day, gender and area, and must read the same after the
anonymisation as before; and the links that make the counts (which contacts, courses,
jobs, consents and referrals were theirs). An anonymised person counts in figures as
before and shows nowhere else; a person deleted as registered by mistake counts nowhere.

The removed text is gone from the file, not only from the tables: the batch runs with
``secure_delete`` (freed space is overwritten with zeros), the people search index is
merged, and afterwards the write-ahead log is folded back and truncated and the file
vacuumed (every free page dropped). Backups made before keep the text until rotation
removes them; Administration says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from boligsag.collation import danish_key
from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.storage.file_checks import checkpoint
from boligsag.storage.models import (
    Consent,
    Contact,
    Enrollment,
    Job,
    Person,
    PersonRelation,
    Referral,
    ReferralEvent,
    contact_people,
)
from boligsag.storage.models.reminders import Reminder

from . import org_settings
from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .shared_settings import refuse_on_replica

PLACEHOLDER_FIRST = "Anonymiseret"
MONTH_DAYS = 30.4375  # the average month, for a period given in months


@dataclass(frozen=True)
class DuePerson:
    id: int
    name: str
    last_activity: date  # the newest contact, enrollment, job, referral, consent or registration


@dataclass(frozen=True)
class Anonymised:
    people: int
    texts_cleared: int  # contacts, enrollments, jobs, consents, referrals whose text went
    vacuumed: bool  # the file was vacuumed (an encrypted file; a server's database is not)


def retention_months(ctx: AppContext) -> int:
    with ctx.db.reading() as session:
        return int(org_settings.get_setting(session, "retention_months"))


MONTHS_LIMITS = (12, 240)  # a year at least; twenty years at most


def set_retention_months(ctx: AppContext, months: int) -> None:
    """Choose the retention period (administrators; audited). On a team laptop it is
    the team server's (SettingsFromServer)."""
    low, high = MONTHS_LIMITS
    if not low <= months <= high:
        raise ValidationFailed({"months": ("Choose a number from {low} to {high}.",
                                           {"low": low, "high": high})})
    with ctx.write(Permission.MANAGE_SETTINGS) as unit:
        refuse_on_replica(unit.session)
        org_settings.set_setting(unit.session, "retention_months", months)
        unit.audit(AuditAction.UPDATE, entity="settings",
                   detail=f"retention period: {months} months")


def _cutoff(ctx: AppContext, months: int) -> datetime:
    return datetime.combine(ctx.today() - timedelta(days=round(months * MONTH_DAYS)), time())


def _last_activity() -> Select[tuple[int, object]]:
    """Per person, the newest day of anything that keeps them; far in the future for
    what is still running (an open enrollment or job, a referral not closed, a consent
    still valid)."""
    running = date(9999, 12, 31)
    parts = [
        select(contact_people.c.person_id.label("pid"), func.max(Contact.occurred_at)
               .label("at")).join(Contact, Contact.id == contact_people.c.contact_id)
        .where(Contact.deleted_at.is_(None)).group_by(contact_people.c.person_id),
        select(Enrollment.person_id, func.max(func.coalesce(Enrollment.end_date, running)))
        .where(Enrollment.deleted_at.is_(None)).group_by(Enrollment.person_id),
        select(Job.person_id, func.max(func.coalesce(Job.end_date, running)))
        .where(Job.deleted_at.is_(None)).group_by(Job.person_id),
        select(Referral.person_id, func.max(func.coalesce(Referral.closed_on, running)))
        .where(Referral.deleted_at.is_(None)).group_by(Referral.person_id),
        select(Consent.person_id, func.max(func.coalesce(Consent.withdrawn_on,
                                                         Consent.valid_to)))
        .where(Consent.deleted_at.is_(None)).group_by(Consent.person_id),
    ]
    union = parts[0].union_all(*parts[1:]).subquery("activity")
    return select(union.c.pid, func.max(union.c.at)).group_by(union.c.pid)


def _due_condition(cutoff: datetime) -> tuple[Select[tuple[int, object]], ColumnElement[bool]]:
    activity = _last_activity().subquery("last")
    newest = activity.c[1]
    return activity, and_(Person.deleted_at.is_(None), Person.anonymised_at.is_(None),
                          Person.created_at < cutoff,
                          or_(newest.is_(None), func.date(newest) < cutoff.date().isoformat()))


def due_people(ctx: AppContext, *, months: int | None = None) -> list[DuePerson]:
    """Who is due for anonymisation, longest untouched first (administrators)."""
    months = months if months is not None else retention_months(ctx)
    with ctx.read(Permission.MANAGE_SETTINGS) as unit:
        activity, due = _due_condition(_cutoff(ctx, months))
        rows = unit.session.execute(
            select(Person, activity.c[1]).outerjoin(activity, activity.c.pid == Person.id)
            .where(due))
        found = [DuePerson(p.id, p.full_name, _as_date(at) or p.created_at.date())
                 for p, at in rows]
    return sorted(found, key=lambda d: (d.last_activity, danish_key(d.name), d.id))


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _clear_person(session: Session, person: Person, now: datetime) -> int:
    """Through the ORM, row by row: every change gets its new version and stamp, so a
    team laptop sends it on like any other edit."""
    person.first_name, person.last_name = PLACEHOLDER_FIRST, str(person.id)
    person.cpr = None
    for name in ("phone", "email", "street", "postal_code", "city", "languages", "note"):
        setattr(person, name, "")
    person.household_id, person.restricted, person.anonymised_at = None, False, now
    texts: list[tuple[object, dict[str, str]]] = []
    texts += [(c, {"note": "", "referred_to_text": ""}) for c in session.scalars(
        select(Contact).join(contact_people, contact_people.c.contact_id == Contact.id)
        .where(contact_people.c.person_id == person.id))]
    texts += [(e, {"goals": "", "note": ""}) for e in session.scalars(
        select(Enrollment).where(Enrollment.person_id == person.id))]
    texts += [(j, {"note": ""}) for j in session.scalars(
        select(Job).where(Job.person_id == person.id))]
    texts += [(c, {"purpose": "", "note": "", "given_by_name": ""}) for c in session.scalars(
        select(Consent).where(Consent.person_id == person.id))]
    texts += [(r, {"reason": ""}) for r in session.scalars(
        select(Referral).where(Referral.person_id == person.id))]
    texts += [(e, {"note": ""}) for e in session.scalars(
        select(ReferralEvent).join(Referral, Referral.id == ReferralEvent.referral_id)
        .where(Referral.person_id == person.id))]
    cleared = 0
    for record, values in texts:
        if any(getattr(record, name) for name in values):
            cleared += 1
            for name, value in values.items():
                setattr(record, name, value)
    for consent in session.scalars(select(Consent).where(
            Consent.given_by_person_id == person.id)):  # they gave consent for a child
        consent.given_by_person_id, consent.given_by_name = None, PLACEHOLDER_FIRST
    for relation in session.scalars(select(PersonRelation).where(
            or_(PersonRelation.parent_id == person.id, PersonRelation.child_id == person.id))):
        session.delete(relation)
    for reminder in session.scalars(select(Reminder).where(Reminder.person_id == person.id)):
        session.delete(reminder)
    return cleared


@writes(Entity.PEOPLE, Entity.HOUSEHOLDS, Entity.CONTACTS, Entity.REFERRALS,
        Entity.ENROLLMENTS, Entity.FOLLOW_UPS)
def anonymise(ctx: AppContext, person_ids: list[int]) -> Anonymised:
    """Anonymise those of ``person_ids`` that are due (one transaction), then scrub the
    file (see the module docstring). Audited: how many, never who by name."""
    months = retention_months(ctx)
    cutoff = _cutoff(ctx, months)
    with ctx.write(Permission.MANAGE_SETTINGS) as unit:
        session = unit.session
        if ctx.db.path is not None:  # freed space zeroed: the removed text leaves the pages
            session.connection().exec_driver_sql("PRAGMA secure_delete = ON")
        activity, due = _due_condition(cutoff)
        people = list(session.scalars(
            select(Person).outerjoin(activity, activity.c.pid == Person.id)
            .where(due, Person.id.in_(person_ids))))
        now, cleared = ctx.clock.now(), 0
        for person in people:
            cleared += _clear_person(session, person, now)
        session.flush()
        if ctx.db.path is not None:  # merged: no index segment keeps the old names' trigrams
            session.connection().exec_driver_sql(
                "INSERT INTO people_search(people_search) VALUES ('optimize')")
        for person in people:
            unit.audit(AuditAction.UPDATE, entity="people", entity_uuid=person.uuid,
                       person_uuid=person.uuid, detail="anonymised (retention)")
        unit.audit(AuditAction.UPDATE, entity="retention",
                   detail=f"retention run: {len(people)} people anonymised, {cleared} texts "
                          f"cleared, period {months} months")
    vacuumed = bool(people) and scrub_file(ctx)
    return Anonymised(len(people), cleared, vacuumed)


def scrub_file(ctx: AppContext) -> bool:
    """Fold the write-ahead log into the file, vacuum with secure_delete (no free page
    keeps an old row), truncate the log. False for a server's database (no file here)."""
    if ctx.db.path is None:
        return False
    checkpoint(ctx.db.engine)
    with ctx.db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        driver.execute("PRAGMA secure_delete = ON")
        driver.execute("VACUUM")
        driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    return True
