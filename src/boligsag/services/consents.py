"""Consents (samtykke): record, withdraw, list with their state, and the start page's
"expiring soon" list.

The rules (a named recipient, at least one category, a purpose, at most a year, a
custody holder for a child) live in :mod:`boligsag.domain.consent`; this module finds
the facts those rules need (is the person a child on the day of signing? does the
chosen parent hold custody?) and turns refusals into field messages for the form.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from boligsag.domain import consent as rules
from boligsag.domain.age import is_child
from boligsag.domain.consent import ConsentState, ConsentTerms
from boligsag.domain.cpr import InvalidCpr, parse_cpr
from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.i18n import current_language
from boligsag.storage import dialect
from boligsag.storage.models import Consent, ConsentScope, Person, PersonRelation, Service

from .casework_common import check_version, visible_person, visible_person_or_fail
from .changes import Entity, writes
from .context import AppContext
from .errors import NotFound, ValidationFailed
from .referral_texts import REFUSAL_MESSAGES, refusal_params

Problems = dict[str, tuple[str, dict[str, object]]]

@dataclass(frozen=True)
class ScopeOption:
    code: str
    label: str
    description: str


@dataclass(frozen=True)
class ConsentInput:
    person_id: int
    service_id: int | None
    scope: Collection[str]
    purpose: str
    # Who gives it: None and "" = the person themself; a person id = a parent in the
    # registry with custody; a name = a custody holder who is not in the registry.
    given_by_person_id: int | None = None
    given_by_name: str = ""
    valid_from: date | None = None  # default: today
    valid_to: date | None = None  # default: one year (domain.consent.default_valid_to)
    signed_on: date | None = None  # default: today
    note: str = ""


@dataclass(frozen=True)
class ConsentRow:
    id: int
    uuid: str
    person_id: int
    person_uuid: str
    person_name: str
    service_id: int
    service_name: str
    scope: tuple[str, ...]
    purpose: str
    given_by_person_id: int | None
    given_by: str  # display name of whoever gave it
    given_by_self: bool
    valid_from: date
    valid_to: date
    signed_on: date | None
    withdrawn_on: date | None
    state: ConsentState
    expires_soon: bool
    version: int

    @property
    def given_on(self) -> date:
        """The date a letter names: signed, or else the first valid day."""
        return self.signed_on or self.valid_from


@dataclass(frozen=True)
class ConsentGivers:
    """Who may give consent for a person, for the form's "given by" choice."""

    is_child: bool | None  # None: birth date unknown
    custody_holders: list[tuple[int, str]] = field(default_factory=list)  # (person id, name)


def birth_date_of(person: Person) -> date | None:
    if person.birth_date is not None:
        return person.birth_date
    if person.cpr:
        try:
            return parse_cpr(person.cpr).birth_date
        except InvalidCpr:
            return None
    return None


def terms_of(consent: Consent) -> ConsentTerms:
    """The stored consent as the domain sees it, for its state and what it covers."""
    return ConsentTerms(
        scope=frozenset(consent.scope or ()),
        recipient_service_id=consent.service_id,
        purpose=consent.purpose,
        valid_from=consent.valid_from,
        valid_to=consent.valid_to,
        withdrawn_on=consent.withdrawn_on,
        # Only relevant when a *new* consent is validated; a stored one was checked then.
        subject_is_child=False,
        given_by_custody_holder=True,
    )


def given_by_display(consent: Consent) -> str:
    if consent.given_by is not None:
        return consent.given_by.full_name
    return consent.given_by_name or consent.person.full_name


def consent_row(consent: Consent, today: date) -> ConsentRow:
    terms = terms_of(consent)
    return ConsentRow(
        id=consent.id,
        uuid=consent.uuid,
        person_id=consent.person_id,
        person_uuid=consent.person.uuid,
        person_name=consent.person.full_name,
        service_id=consent.service_id,
        service_name=consent.service.name,
        scope=tuple(consent.scope or ()),
        purpose=consent.purpose,
        given_by_person_id=consent.given_by_person_id,
        given_by=given_by_display(consent),
        given_by_self=consent.given_by_person_id in (None, consent.person_id)
        and not consent.given_by_name,
        valid_from=consent.valid_from,
        valid_to=consent.valid_to,
        signed_on=consent.signed_on,
        withdrawn_on=consent.withdrawn_on,
        state=rules.consent_state(terms, today),
        expires_soon=rules.expires_within(terms, today),
        version=consent.version,
    )


def scope_options(ctx: AppContext, language: str | None = None) -> list[ScopeOption]:
    """The categories a consent can cover, in catalogue order, for the form's checkboxes."""
    lang = language or current_language()
    with ctx.read() as unit:
        session = unit.session
        rows = session.scalars(select(ConsentScope).order_by(ConsentScope.sort_order))
        return [
            ScopeOption(r.code, r.label_da if lang == "da" else r.label_en, r.description_da)
            for r in rows
        ]


def consent_givers(ctx: AppContext, person_id: int) -> ConsentGivers:
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        person = visible_person_or_fail(session, ctx, person_id)
        birth = birth_date_of(person)
        # A birth date after today was confirmed as typed ("Er CPR-nummeret rigtigt?"):
        # not born yet is a child, whose consent a custody holder gives.
        child = (birth > ctx.today() or is_child(birth, ctx.today())) if birth else None
        holders = session.execute(
            select(Person.id, Person.first_name, Person.last_name)
            .join(PersonRelation, PersonRelation.parent_id == Person.id)
            .where(
                PersonRelation.child_id == person.id,
                PersonRelation.has_custody.is_(True),
                PersonRelation.deleted_at.is_(None),
                Person.deleted_at.is_(None),
            )
            .order_by(dialect.danish(Person.last_name), dialect.danish(Person.first_name),
                      Person.id)
        ).all()
        return ConsentGivers(child, [(i, f"{f} {last}".strip()) for i, f, last in holders])


@writes(Entity.CONSENTS, Entity.TIMELINE, Entity.FOLLOW_UPS)
def record_consent(ctx: AppContext, data: ConsentInput) -> ConsentRow:
    today = ctx.today()
    problems: Problems = {}
    signed_on = data.signed_on or today
    valid_from = data.valid_from or today
    valid_to = data.valid_to or rules.default_valid_to(valid_from)
    if signed_on > today:
        problems["signed_on"] = ("The date of signature cannot be in the future.", {})
    with ctx.write(Permission.MANAGE_CONSENTS) as unit:
        session = unit.session
        person = visible_person_or_fail(session, ctx, data.person_id)
        if data.service_id is not None:
            service = session.get(Service, data.service_id)
            if service is None or service.deleted_at is not None or not service.active:
                problems["service"] = ("Choose an active service from the list.", {})
        giver_id, giver_name, custody, child = _resolve_giver(session, person, data, signed_on,
                                                              problems)
        terms = ConsentTerms(
            scope=frozenset(data.scope),
            recipient_service_id=data.service_id,
            purpose=data.purpose,
            valid_from=valid_from,
            valid_to=valid_to,
            withdrawn_on=None,
            subject_is_child=bool(child),
            given_by_custody_holder=custody,
        )
        all_codes = set(session.scalars(select(ConsentScope.code)))
        for refusal in rules.consent_refusals(terms, all_codes, today):
            field_name, message = REFUSAL_MESSAGES[refusal.code]
            problems.setdefault(field_name, (message, refusal_params(refusal.params)))
        if problems:
            raise ValidationFailed(problems)
        # Store the scope in catalogue order, so letters and forms list it consistently.
        order = {c: i for i, c in enumerate(session.scalars(
            select(ConsentScope.code).order_by(ConsentScope.sort_order)))}
        consent = Consent(
            person_id=person.id,
            service_id=data.service_id,
            scope=sorted(set(data.scope), key=lambda c: order.get(c, 999)),
            purpose=data.purpose.strip(),
            given_by_person_id=giver_id,
            given_by_name=giver_name,
            valid_from=valid_from,
            valid_to=valid_to,
            signed_on=signed_on,
            note=data.note,
        )
        session.add(consent)
        session.flush()
        unit.audit(AuditAction.CREATE, entity="consents", entity_uuid=consent.uuid,
                   person_uuid=person.uuid)
        return _reload_row(session, consent.id, today)


def _resolve_giver(
    session: Session, person: Person, data: ConsentInput, signed_on: date, problems: Problems
) -> tuple[int | None, str, bool, bool | None]:
    """(given_by_person_id, given_by_name, is a custody holder, person is a child)."""
    birth = birth_date_of(person)
    child = is_child(birth, signed_on) if birth and birth <= signed_on else None
    adult_message = ("An adult gives consent personally.", {})
    if data.given_by_person_id not in (None, person.id):
        relation = session.scalars(
            select(PersonRelation).where(
                PersonRelation.parent_id == data.given_by_person_id,
                PersonRelation.child_id == person.id,
                PersonRelation.deleted_at.is_(None),
            )
        ).first()
        if child is False:
            problems["given_by"] = adult_message
        elif relation is None or not relation.has_custody:
            problems["given_by"] = (
                "The chosen person is not registered as holding parental custody of the child.",
                {},
            )
        return data.given_by_person_id, "", True, child
    name = " ".join(data.given_by_name.split())
    if name:
        if child is False:
            problems["given_by"] = adult_message
        return None, name[:160], True, child
    if child is None:
        problems["given_by"] = (
            "The person's date of birth is unknown, so it is not clear whether they may "
            "consent themselves: record the date of birth or name the holder of parental "
            "custody.",
            {},
        )
    return person.id, "", False, child


@writes(Entity.CONSENTS, Entity.TIMELINE, Entity.FOLLOW_UPS)
def withdraw_consent(
    ctx: AppContext, consent_id: int, *, version: int, on: date | None = None
) -> ConsentRow:
    """Record that the consent was withdrawn, with effect from ``on`` (default today).

    Referrals already sent under it stay as they are (the information has left); drafts
    relying on it can no longer be sent.
    """
    today = ctx.today()
    on = on or today
    with ctx.write(Permission.MANAGE_CONSENTS) as unit:
        session = unit.session
        consent = _load(ctx, session, consent_id)
        check_version(consent, version)
        if consent.withdrawn_on is not None:
            raise ValidationFailed({"withdrawn_on": (
                "The consent was already withdrawn on {date}.",
                {"date": short_date(consent.withdrawn_on)})})
        if on > today:
            raise ValidationFailed({"withdrawn_on": (
                "Record a withdrawal on the day it is received, not in advance.", {})})
        consent.withdrawn_on = on
        unit.audit(AuditAction.UPDATE, entity="consents", entity_uuid=consent.uuid,
                   person_uuid=consent.person.uuid, detail="withdrawn")
        return _reload_row(session, consent.id, today)


def get_consent(ctx: AppContext, consent_id: int) -> ConsentRow:
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        return consent_row(_load(ctx, session, consent_id), ctx.today())


def consents_for_person(ctx: AppContext, person_id: int) -> list[ConsentRow]:
    """All the person's consents, newest first, each with its state today: expired and
    withdrawn ones stay listed and are shown as such."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        visible_person_or_fail(session, ctx, person_id)
        query = (
            _consent_query()
            .where(Consent.person_id == person_id)
            .order_by(Consent.valid_from.desc(), Consent.id.desc())
        )
        return [consent_row(c, ctx.today()) for c in session.scalars(query)]


def expiring_consents(
    ctx: AppContext, within_days: int = rules.EXPIRY_WARNING_DAYS
) -> list[ConsentRow]:
    """Valid consents whose last day is within ``within_days``, soonest first, for the
    start page. A consent already renewed (a newer one for the same person and service
    that runs longer) needs no reminder and is left out."""
    today = ctx.today()
    newer = aliased(Consent)
    renewed = exists().where(
        newer.person_id == Consent.person_id,
        newer.service_id == Consent.service_id,
        newer.id != Consent.id,
        newer.deleted_at.is_(None),
        newer.valid_to > Consent.valid_to,
        or_(newer.withdrawn_on.is_(None), newer.withdrawn_on > today),
    )
    query = (
        _consent_query()
        .join(Person, Person.id == Consent.person_id)
        .where(
            visible_person(ctx),
            Consent.valid_from <= today,
            Consent.valid_to >= today,
            Consent.valid_to <= today + timedelta(days=within_days),
            or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > today),
            ~renewed,
        )
        .order_by(Consent.valid_to, dialect.danish(Person.last_name),
                  dialect.danish(Person.first_name), Consent.id)
    )
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        # The SQL narrows; the domain rule has the last word on what "expiring" means.
        return [
            consent_row(c, today)
            for c in session.scalars(query).unique()
            if rules.expires_within(terms_of(c), today, within_days)
        ]


def _consent_query() -> Select[tuple[Consent]]:
    return select(Consent).where(Consent.deleted_at.is_(None)).options(
        joinedload(Consent.person), joinedload(Consent.service), joinedload(Consent.given_by)
    )


def _load(ctx: AppContext, session: Session, consent_id: int) -> Consent:
    consent = session.scalars(_consent_query().where(Consent.id == consent_id)).first()
    if consent is None:
        raise NotFound("consent")
    visible_person_or_fail(session, ctx, consent.person_id)  # a case the actor may not see
    return consent


def _reload_row(session: Session, consent_id: int, today: date) -> ConsentRow:
    consent = session.scalars(_consent_query().where(Consent.id == consent_id)).one()
    return consent_row(consent, today)
