"""Indsigt (issue 13 §3): for one person, a PDF of everything Boligsag holds about them,
for the person's right of access (GDPR art. 15).

Gathered in one read: the registry details, household and parent/child links, every
contact the person took part in (date, staff, channel, topics, note), enrollments,
jobs, consents, referrals, the letters printed or saved about them, and the access log
(every audit entry about the person: who, when, what, and the purpose where one was
given). An SSP note (retsplejeloven § 115) is listed as existing, never with its text:
the text does not leave this module. Other participants of a group contact are not
named (their data is theirs).

Making the report needs the audit permission (team leads and administrators), that
the person is visible to the user and, for someone else's restricted case, a purpose
(services/access_purpose.py); it is audited as a view before it is returned,
and printing or saving it is audited like a letter's (services/letters.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from boligsag.documents.indsigt import IndsigtData, IndsigtSection, render_indsigt
from boligsag.domain.cpr import InvalidCpr, format_cpr
from boligsag.domain.enums import AuditAction, ReferralKind
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date, time_text
from boligsag.i18n import current_language, tr
from boligsag.storage.models import (
    AuditEntry,
    Consent,
    ConsentScope,
    Contact,
    Enrollment,
    Job,
    Person,
    PersonRelation,
    Referral,
    User,
)

from .access_log import ACTION_LABELS, ENTITY_LABELS
from .access_purpose import require_purpose
from .casework_common import gender_label, label, visible_person_or_fail
from .casework_labels import end_reason_label, job_kind_label, referral_status_label
from .context import AppContext
from .letters import LetterKind, LetterPdf, organisation

SSP_WITHHELD = ("An SSP note exists (exchanged under section 115 of the Administration of "
                "Justice Act). Its content is exempt from access under section 22 of the "
                "Danish Data Protection Act.")


def _day(value: date | None) -> str:
    return short_date(value) if value is not None else ""


def _when(at: datetime) -> str:
    return f"{short_date(at.date())} {time_text(at)}"


def _cpr(number: str | None) -> str:
    if not number:
        return ""
    try:
        return format_cpr(number)
    except InvalidCpr:
        return number


def _registry(session: Session, person: Person) -> tuple[tuple[str, str], ...]:
    responsible = session.get(User, person.responsible_user_id) \
        if person.responsible_user_id else None
    address = ", ".join(p for p in (person.street,
                                     f"{person.postal_code} {person.city}".strip()) if p)
    rows = [(tr("Name"), person.full_name), (tr("CPR number"), _cpr(person.cpr)),
            (tr("Date of birth"), _day(person.birth_date)),
            (tr("Gender"), gender_label(person.gender)), (tr("Address"), address),
            (tr("Phone"), person.phone), (tr("E-mail"), person.email),
            (tr("Housing area"), person.area.name if person.area else ""),
            (tr("Languages"), person.languages),
            (tr("Responsible staff member"), responsible.full_name if responsible else ""),
            (tr("Restricted case"), tr("Yes") if person.restricted else tr("No")),
            (tr("Note"), person.note),
            (tr("Registered"), _day(person.created_at.date() if person.created_at else None))]
    if person.household is not None:
        household = person.household
        rows.append((tr("Household"), ", ".join(p for p in (household.name, household.street)
                                                  if p)))
    return tuple((name, value) for name, value in rows if value)


def _relations(session: Session, person: Person) -> IndsigtSection:
    rows = []
    for link in session.scalars(select(PersonRelation).where(
            (PersonRelation.parent_id == person.id) | (PersonRelation.child_id == person.id),
            PersonRelation.deleted_at.is_(None))):
        other, role = (link.child, tr("Child")) if link.parent_id == person.id \
            else (link.parent, tr("Parent"))
        custody = tr("Yes") if link.has_custody else tr("No")
        rows.append((role, other.full_name, custody))
    return IndsigtSection(tr("Parents and children"),
                          (tr("Relation"), tr("Name"), tr("Parental custody")), (1, 2, 1),
                          tuple(rows))


def _contacts(session: Session, person: Person) -> IndsigtSection:
    contacts = session.scalars(
        select(Contact).where(Contact.people.any(Person.id == person.id),
                              Contact.deleted_at.is_(None))
        .options(selectinload(Contact.topics), selectinload(Contact.staff),
                 selectinload(Contact.channel))
        .order_by(Contact.occurred_at.desc()))
    rows, withheld = [], False
    for contact in contacts:
        note = contact.note
        if contact.ssp_locked:
            note, withheld = tr("SSP note, not shown (see below)."), True
        channel = contact.channel
        rows.append((_when(contact.occurred_at), contact.staff.full_name,
                     label(channel.name_da, channel.name_en),
                     ", ".join(label(t.name_da, t.name_en) for t in contact.topics), note))
    return IndsigtSection(tr("Contacts"), (tr("When"), tr("Staff member"), tr("Channel"),
                                            tr("Topics"), tr("Note")), (1.65, 1.3, 1.25, 1.6, 2.5),
                          tuple(rows), tr(SSP_WITHHELD) if withheld else "")


def _enrollments(session: Session, person: Person) -> IndsigtSection:
    rows = tuple(
        (e.activity.name, _day(e.start_date), _day(e.end_date), end_reason_label(e.end_reason),
         "\n".join(p for p in (e.goals, e.note) if p))
        for e in session.scalars(select(Enrollment).where(
            Enrollment.person_id == person.id, Enrollment.deleted_at.is_(None))
            .order_by(Enrollment.start_date.desc())))
    return IndsigtSection(tr("Enrollments"), (tr("Activity"), tr("Start"), tr("End"),
                                               tr("Reason for ending"), tr("Goals and notes")),
                          (1.6, 1, 1, 1.3, 2.4), rows)


def _hours(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _jobs(session: Session, person: Person) -> IndsigtSection:
    rows = tuple(
        (job_kind_label(j.kind), j.employer, _day(j.start_date), _day(j.end_date),
         _hours(j.hours_per_week), j.note)
        for j in session.scalars(select(Job).where(Job.person_id == person.id,
                                                   Job.deleted_at.is_(None))
                                 .order_by(Job.start_date.desc())))
    return IndsigtSection(tr("Jobs"), (tr("Kind"), tr("Employer"), tr("Start"), tr("End"),
                                        tr("Hours a week"), tr("Note")),
                          (1.1, 1.5, 1, 1, 0.9, 1.8), rows)


def _consents(session: Session, person: Person) -> IndsigtSection:
    scopes = {s.code: label(s.label_da, s.label_en) for s in session.scalars(select(ConsentScope))}
    rows = tuple(
        (c.service.name, ", ".join(scopes.get(code, code) for code in c.scope or ()),
         c.purpose, f"{_day(c.valid_from)}–\n{_day(c.valid_to)}", _day(c.withdrawn_on))
        for c in session.scalars(select(Consent).where(Consent.person_id == person.id,
                                                       Consent.deleted_at.is_(None))
                                 .order_by(Consent.valid_from.desc())))
    return IndsigtSection(tr("Consents"), (tr("To"), tr("Information"), tr("Purpose"),
                                            tr("Valid"), tr("Withdrawn")),
                          (1.5, 1.8, 2, 1.9, 1.1), rows)


def _referrals(session: Session, person: Person) -> IndsigtSection:
    rows = tuple(
        (r.service.name, referral_status_label(r.status), _day(r.sent_on),
         _day(r.first_meeting_on), r.reason)
        for r in session.scalars(select(Referral).where(Referral.person_id == person.id,
                                                        Referral.deleted_at.is_(None))
                                 .order_by(Referral.status_changed_on.desc())))
    return IndsigtSection(tr("Referrals"), (tr("To"), tr("Status"), tr("Sent"),
                                             tr("First meeting"), tr("Reason")),
                          (1.5, 1, 1, 1, 2.8), rows)


def _audit_rows(session: Session, person: Person) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.person_uuid == person.uuid)
                                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))


def _letters(entries: list[AuditEntry], staff: dict[int, str]) -> IndsigtSection:
    rows = tuple(
        (_when(e.at), tr(ACTION_LABELS[AuditAction(e.action)]), _letter_kind(e.detail),
         staff.get(e.user_id or 0, e.username))
        for e in entries if e.action in (AuditAction.PRINT, AuditAction.SAVE_PDF)
        and e.detail != LetterKind.INDSIGT)
    return IndsigtSection(tr("Letters printed or saved"),
                          (tr("When"), tr("Printed or saved"), tr("Letter"), tr("Staff member")),
                          (1.25, 1.2, 2, 1.5), rows)


def _letter_kind(detail: str) -> str:
    return {LetterKind.REFERRAL: tr("Referral letter"),
            LetterKind.CONSENT_FORM: tr("Consent form"),
            LetterKind.CONCERN: tr("Notification of concern")}.get(detail, detail)  # type: ignore[call-overload]


def _detail(detail: str) -> str:
    """An audit entry's detail; a letter's or referral's kind (a code) in words."""
    words = {LetterKind.INDSIGT.value: tr("Access report"),
             ReferralKind.REFERRAL.value: tr("Referral"),
             ReferralKind.CONCERN.value: tr("Notification of concern")}
    return words.get(detail) or _letter_kind(detail)


def _access(entries: list[AuditEntry], staff: dict[int, str]) -> IndsigtSection:
    rows = tuple(
        (_when(e.at), staff.get(e.user_id or 0, e.username),
         tr(ACTION_LABELS.get(AuditAction(e.action), e.action)),
         tr(ENTITY_LABELS[e.entity]) if e.entity in ENTITY_LABELS else e.entity,
         _detail(e.detail))
        for e in entries)
    return IndsigtSection(tr("Who has viewed or changed your data"),
                          (tr("When"), tr("Staff member"), tr("Action"), tr("Record"),
                           tr("Details")), (1.45, 1.6, 1.1, 1.1, 2.2), rows)


def render_indsigt_report(ctx: AppContext, person_id: int) -> LetterPdf:
    """The report for ``person_id``, in the UI's language; audited as viewed once it was
    drawn and before it is returned (a report that failed to render was not seen)."""
    today, language = ctx.today(), current_language()
    with ctx.read(Permission.VIEW_AUDIT) as unit:
        session = unit.session
        person = visible_person_or_fail(session, ctx, person_id)
        require_purpose(ctx, person)
        staff = {u.id: u.full_name for u in session.scalars(select(User))}
        entries = _audit_rows(session, person)
        data = IndsigtData(
            organisation=organisation(session), made_on=today,
            made_by=staff.get(ctx.actor.user_id, ctx.actor.username),
            person_name=person.full_name, registry=_registry(session, person),
            sections=(_relations(session, person), _contacts(session, person),
                      _enrollments(session, person), _jobs(session, person),
                      _consents(session, person), _referrals(session, person),
                      _letters(entries, staff), _access(entries, staff)),
            language=language)
        uuid = person.uuid
    pdf = render_indsigt(data)
    with ctx.write(Permission.VIEW_AUDIT) as write:
        write.audit(AuditAction.VIEW, entity="people", entity_uuid=uuid, person_uuid=uuid,
                    detail=str(LetterKind.INDSIGT))
    return LetterPdf(pdf, f"indsigt-{today.isoformat()}.pdf", uuid, LetterKind.INDSIGT,
                     "people", uuid)
