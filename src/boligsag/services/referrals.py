"""Referrals (brobygning): create, move through the status flow, list, remind.

The status flow and the consent rule are the domain's (``domain.referral_flow``,
``domain.consent``); this module supplies the facts (which consent, on which day, to
which service), records every step as a ``ReferralEvent`` with its date and author,
and turns refusals into messages that say exactly what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.domain import referral_flow as flow
from boligsag.domain.age import is_child
from boligsag.domain.consent import ConsentDoesNotCover, CoverProblem, cover_problem
from boligsag.domain.enums import AuditAction, ReferralKind, ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.i18n import current_language
from boligsag.storage.models import (
    Consent,
    ConsentScope,
    Referral,
    ReferralEvent,
    Service,
    User,
)

from .casework_common import check_version, visible_person_or_fail
from .changes import Entity, writes
from .consents import ConsentRow, birth_date_of, consent_row, terms_of
from .context import AppContext
from .errors import ValidationFailed
from .referral_queries import (
    ReferralRow,
    ReferralSort,
    count_referrals,
    list_referrals,
    load_referral,
    overdue_clause,
    overdue_referrals,
    reminder_limits,
    row_of,
)
from .referral_texts import (
    ConsentNotValid,
    TransitionRefused,
    consent_not_valid,
    transition_refused,
)

# A referral letter always names the person, so sending needs at least this much.
NEEDED_FOR_SENDING = frozenset({"identity"})


@dataclass(frozen=True)
class ReferralInput:
    person_id: int
    service_id: int
    reason: str
    kind: ReferralKind = ReferralKind.REFERRAL
    consent_id: int | None = None  # ignored for a notification of concern
    contact_user_id: int | None = None  # default: the acting user


@dataclass(frozen=True)
class ReferralEventRow:
    from_status: ReferralStatus | None
    to_status: ReferralStatus
    on: date
    recorded_at: datetime
    author: str
    note: str


@dataclass(frozen=True)
class ReferralDetails:
    row: ReferralRow
    reason: str
    consent: ConsentRow | None
    events: tuple[ReferralEventRow, ...]
    allowed_next: tuple[ReferralStatus, ...]
    # Why it could not be sent today (translated), or None; for a warning in the form.
    send_problem: str | None


Problems = dict[str, tuple[str, dict[str, object]]]


def _validate(ctx: AppContext, session: Session, data: ReferralInput) -> Problems:
    problems: Problems = {}
    person = visible_person_or_fail(session, ctx, data.person_id)
    service = session.get(Service, data.service_id)
    if service is None or service.deleted_at is not None or not service.active:
        problems["service"] = ("Choose an active service from the list.", {})
    if not data.reason.strip():
        problems["reason"] = ("Describe the reason for the referral.", {})
    if ReferralKind(data.kind) is ReferralKind.CONCERN:
        birth = birth_date_of(person)
        if birth is not None and birth <= ctx.today() and not is_child(birth, ctx.today()):
            problems["person"] = ("A notification of concern is about a child under 18.", {})
    elif data.consent_id is not None:
        consent = session.get(Consent, data.consent_id)
        if consent is None or consent.deleted_at is not None or consent.person_id != person.id:
            problems["consent"] = ("Choose one of this person's consents.", {})
    if data.contact_user_id is not None:
        user = session.get(User, data.contact_user_id)
        if user is None or not user.active or user.deleted_at is not None:
            problems["contact_user"] = ("Choose an active staff member.", {})
    return problems


@writes(Entity.REFERRALS, Entity.TIMELINE, Entity.FOLLOW_UPS)
def create_referral(ctx: AppContext, data: ReferralInput) -> ReferralRow:
    """A new referral starts as a draft; its letter can be previewed before it is sent."""
    today = ctx.today()
    with ctx.write(Permission.MANAGE_REFERRALS) as unit:
        session = unit.session
        problems = _validate(ctx, session, data)
        if problems:
            raise ValidationFailed(problems)
        kind = ReferralKind(data.kind)
        referral = Referral(
            person_id=data.person_id,
            service_id=data.service_id,
            consent_id=data.consent_id if kind is ReferralKind.REFERRAL else None,
            kind=kind,
            reason=data.reason.strip(),
            contact_user_id=data.contact_user_id or ctx.actor.user_id,
            status=ReferralStatus.DRAFT,
            status_changed_on=today,
            created_on=today,
        )
        # The creation is the first step of the timeline, with its date and author.
        referral.events.append(ReferralEvent(from_status=None, to_status=ReferralStatus.DRAFT,
                                             on=today, recorded_at=ctx.clock.now()))
        session.add(referral)
        session.flush()
        unit.audit(AuditAction.CREATE, entity="referrals", entity_uuid=referral.uuid,
                   person_uuid=referral.person.uuid, detail=str(kind))
        return row_of(referral, today, reminder_limits(session))


@writes(Entity.REFERRALS, Entity.TIMELINE, Entity.FOLLOW_UPS)
def update_draft(
    ctx: AppContext, referral_id: int, data: ReferralInput, *, version: int
) -> ReferralRow:
    """Edit a draft (e.g. attach a renewed consent). Once sent, the letter has left:
    a wrong referral is cancelled and a new one made, so the history stays true."""
    with ctx.write(Permission.MANAGE_REFERRALS) as unit:
        session = unit.session
        referral = load_referral(ctx, session, referral_id)
        check_version(referral, version)
        if referral.status != ReferralStatus.DRAFT:
            raise ValidationFailed({"status": (
                "Only a draft can be edited; cancel this referral and create a new one.", {})})
        if data.person_id != referral.person_id:
            raise ValidationFailed({"person": ("A referral cannot move to another person.", {})})
        problems = _validate(ctx, session, data)
        if problems:
            raise ValidationFailed(problems)
        kind = ReferralKind(data.kind)
        referral.service_id = data.service_id
        referral.kind = kind
        referral.consent_id = data.consent_id if kind is ReferralKind.REFERRAL else None
        referral.reason = data.reason.strip()
        referral.contact_user_id = data.contact_user_id or referral.contact_user_id
        unit.audit(AuditAction.UPDATE, entity="referrals", entity_uuid=referral.uuid,
                   person_uuid=referral.person.uuid, detail="draft edited")
        fresh = load_referral(ctx, session, referral.id)
        return row_of(fresh, ctx.today(), reminder_limits(session))


def sending_problem(session: Session, referral: Referral, on: date) -> ConsentDoesNotCover | None:
    """Why the referral's consent would not allow sending it on ``on`` (None: it would)."""
    if ReferralKind(referral.kind) is ReferralKind.CONCERN:
        return None
    consent = session.get(Consent, referral.consent_id) if referral.consent_id else None
    if consent is not None and consent.deleted_at is not None:
        consent = None
    terms = terms_of(consent) if consent is not None else None
    return cover_problem(terms, on, referral.service_id, NEEDED_FOR_SENDING)


def consent_error(
    session: Session, referral: Referral, problem: ConsentDoesNotCover
) -> ConsentNotValid:
    """The refusal with the names a worker recognises: services and categories."""
    params = dict(problem.params)
    names = dict(session.execute(select(Service.id, Service.name)).all())
    label = ConsentScope.label_da if current_language() == "da" else ConsentScope.label_en
    labels = dict(session.execute(select(ConsentScope.code, label)).all())
    if problem.code == CoverProblem.OTHER_RECIPIENT:
        params["consent_service"] = names.get(params.get("consent_service_id"), "?")  # type: ignore[arg-type]
    if problem.code == CoverProblem.SCOPE_MISSING:
        params["missing"] = ", ".join(labels.get(c, c) for c in params.get("missing", []))  # type: ignore[attr-defined]
    params["service"] = names.get(referral.service_id, "?")
    return consent_not_valid(problem.code, params)


@writes(Entity.REFERRALS, Entity.TIMELINE, Entity.FOLLOW_UPS)
def change_status(
    ctx: AppContext,
    referral_id: int,
    target: ReferralStatus,
    *,
    on: date | None = None,
    note: str = "",
    version: int | None = None,
) -> ReferralRow:
    """Move a referral one step (sent, received, first meeting, closed, declined,
    cancelled), recording the date, the author and a note."""
    today = ctx.today()
    on = on or today
    target = ReferralStatus(target)
    with ctx.write(Permission.MANAGE_REFERRALS) as unit:
        session = unit.session
        referral = load_referral(ctx, session, referral_id)
        if version is not None:
            check_version(referral, version)
        current, kind = ReferralStatus(referral.status), ReferralKind(referral.kind)
        try:  # legality first: a date is beside the point if the step is not allowed
            flow.check_transition(current, target, kind=kind, consent_problem=None)
        except flow.IllegalTransition as error:
            raise transition_refused(error.code, current, target) from None
        if on > today:
            raise ValidationFailed({"on": ("The date cannot be in the future.", {})})
        if on < referral.status_changed_on:
            raise ValidationFailed({"on": (
                "The date cannot be before the previous step ({date}).",
                {"date": short_date(referral.status_changed_on)})})
        problem = sending_problem(session, referral, on) if target is ReferralStatus.SENT else None
        try:
            flow.check_transition(current, target, kind=kind,
                                  consent_problem=problem.code if problem else None)
        except flow.ConsentRequired:
            assert problem is not None
            raise consent_error(session, referral, problem) from None
        referral.events.append(ReferralEvent(from_status=current, to_status=target, on=on,
                                             recorded_at=ctx.clock.now(), note=note.strip()))
        referral.status, referral.status_changed_on = target, on
        if target is ReferralStatus.SENT:
            referral.sent_on = on
        elif target is ReferralStatus.FIRST_MEETING:
            referral.first_meeting_on = on
        elif not flow.is_open(target):
            referral.closed_on = on
        unit.audit(AuditAction.UPDATE, entity="referrals", entity_uuid=referral.uuid,
                   person_uuid=referral.person.uuid, detail=f"status {current} -> {target}")
        return row_of(referral, today, reminder_limits(session))


def referral_details(ctx: AppContext, id_or_uuid: int | str) -> ReferralDetails:
    """Everything the details view shows; opening it is recorded as a view of the person."""
    today = ctx.today()
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        referral = load_referral(ctx, session, id_or_uuid)
        limits = reminder_limits(session)
        consent = None
        if referral.consent_id is not None:
            stored = session.get(Consent, referral.consent_id)
            consent = consent_row(stored, today) if stored and stored.deleted_at is None else None
        authors = dict(session.execute(select(User.id, User.full_name)).all())
        events = tuple(
            ReferralEventRow(
                ReferralStatus(e.from_status) if e.from_status else None,
                ReferralStatus(e.to_status), e.on, e.recorded_at,
                authors.get(e.created_by_id or -1, ""), e.note,
            )
            for e in referral.events
        )
        problem = None
        if ReferralStatus(referral.status) is ReferralStatus.DRAFT:
            cover = sending_problem(session, referral, today)
            problem = consent_error(session, referral, cover).message() if cover else None
        unit.audit(AuditAction.VIEW, entity="referrals", entity_uuid=referral.uuid,
                   person_uuid=referral.person.uuid)
        return ReferralDetails(
            row=row_of(referral, today, limits),
            reason=referral.reason,
            consent=consent,
            events=events,
            allowed_next=tuple(sorted(flow.allowed_transitions(referral.status),
                                      key=list(ReferralStatus).index)),
            send_problem=problem,
        )


__all__ = [
    "ConsentNotValid", "ReferralDetails", "ReferralEventRow", "ReferralInput", "ReferralRow",
    "ReferralSort",
    "TransitionRefused", "change_status", "consent_error", "count_referrals", "create_referral",
    "list_referrals", "overdue_clause", "overdue_referrals", "referral_details",
    "reminder_limits", "sending_problem", "update_draft",
]
