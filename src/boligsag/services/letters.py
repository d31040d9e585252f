"""Letters as in-memory PDFs: the referral letter, the consent form and the
notification of concern; recording every print and save; saving only on request.

Rendering never touches the disk: the PDF exists as ``bytes`` in a :class:`LetterPdf`
until the user prints it (the GUI hands the bytes to QtPdf and the print dialog) or
chooses "Gem som PDF" (:func:`save_pdf`, an atomic write into the folder they chose).
The data handed to the renderers is cut down here to what the consent covers, and the
renderers cut again, so a field the consent does not cover cannot reach the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.documents.concern_letter import ConcernLetterData
from boligsag.documents.concern_letter import render_concern_letter as draw_concern_letter
from boligsag.documents.consent_form import ConsentFormData
from boligsag.documents.consent_form import render_consent_form as draw_consent_form
from boligsag.documents.letterhead import Organisation
from boligsag.documents.model import (
    ConsentInfo,
    Guardian,
    HouseholdMember,
    PersonDetails,
    Recipient,
    ScopeChoice,
    StaffContact,
)
from boligsag.documents.referral_letter import ReferralLetterData
from boligsag.documents.referral_letter import render_referral_letter as draw_referral_letter
from boligsag.domain.consent import allowed_fields, cover_problem
from boligsag.domain.cpr import InvalidCpr, format_cpr
from boligsag.domain.enums import AuditAction, ReferralKind
from boligsag.domain.permissions import Permission
from boligsag.errors import UserError
from boligsag.i18n import tr_in
from boligsag.storage import dialect
from boligsag.storage.models import (
    Consent,
    ConsentScope,
    Person,
    PersonRelation,
    Referral,
    Service,
    User,
)

from . import org_settings
from .casework_common import visible_person, visible_person_or_fail
from .consents import birth_date_of, given_by_display, terms_of
from .context import AppContext
from .errors import NotFound
from .output_files import OutputRecord, write_output
from .referrals import NEEDED_FOR_SENDING, consent_error
from .units import WriteUnit

OUTPUT_ACTIONS = frozenset({AuditAction.PRINT, AuditAction.SAVE_PDF})


class LetterKind(StrEnum):
    REFERRAL = "referral_letter"
    CONSENT_FORM = "consent_form"
    CONCERN = "concern_letter"
    INDSIGT = "indsigt"  # the access report (services/indsigt.py), printed like a letter


@dataclass(frozen=True)
class LetterPdf:
    data: bytes
    suggested_filename: str  # no personal data: it shows up in "recent files" lists
    person_uuid: str
    kind: LetterKind
    entity: str  # the audited record: "referrals" or "consents"
    entity_uuid: str

    def __repr__(self) -> str:  # never dump a resident's letter into a log or traceback
        return f"LetterPdf({self.kind}, {len(self.data)} bytes, {self.suggested_filename!r})"


def render_referral_letter(
    ctx: AppContext, referral_id: int | str, *, language: str = "da",
    template_dir: Path | None = None,
) -> LetterPdf:
    """The letter of a referral by id or UUID. A notification of concern's letter is
    the concern letter, so this is the one call behind every "Vis brev" button."""
    with ctx.read(Permission.PRINT_LETTERS) as unit:
        session = unit.session
        referral = _referral(ctx, session, referral_id)
        if ReferralKind(referral.kind) is ReferralKind.CONCERN:
            data, person_uuid = _concern_data(ctx, session, referral, language)
            meta = (LetterKind.CONCERN, referral.uuid, referral.service.name, data.letter_date)
        else:
            letter, person_uuid = _referral_data(ctx, session, referral, language)
            meta = (LetterKind.REFERRAL, referral.uuid, referral.service.name, letter.letter_date)
    # Drawn after the session is closed: no database handle held during CPU work.
    if meta[0] is LetterKind.CONCERN:
        pdf = draw_concern_letter(data, template_dir=template_dir)
    else:
        pdf = draw_referral_letter(letter, template_dir=template_dir)
    return _shown(ctx, _letter(pdf, meta, person_uuid, "referrals", language))


def render_concern_letter(
    ctx: AppContext, referral_id: int | str, *, language: str = "da",
    template_dir: Path | None = None,
) -> LetterPdf:
    with ctx.read(Permission.PRINT_LETTERS) as unit:
        session = unit.session
        referral = _referral(ctx, session, referral_id)
        if ReferralKind(referral.kind) is not ReferralKind.CONCERN:
            raise UserError("This referral is not a notification of concern.")
        data, person_uuid = _concern_data(ctx, session, referral, language)
        meta = (LetterKind.CONCERN, referral.uuid, referral.service.name, data.letter_date)
    pdf = draw_concern_letter(data, template_dir=template_dir)
    return _shown(ctx, _letter(pdf, meta, person_uuid, "referrals", language))


def render_consent_form(
    ctx: AppContext, consent_id: int, *, language: str = "da", template_dir: Path | None = None
) -> LetterPdf:
    """The form for the person (or custody holder) to sign."""
    today = ctx.today()
    with ctx.read(Permission.PRINT_LETTERS) as unit:
        session = unit.session
        consent = session.get(Consent, consent_id)
        if consent is None or consent.deleted_at is not None:
            raise NotFound("consent")
        person = visible_person_or_fail(session, ctx, consent.person_id)
        scope = set(consent.scope or ())
        scopes = tuple(
            ScopeChoice(s.code, s.label_da if language == "da" else s.label_en,
                        s.description_da if language == "da" else "", s.code in scope)
            for s in session.scalars(select(ConsentScope).order_by(ConsentScope.sort_order))
        )
        data = ConsentFormData(
            organisation=organisation(session),
            form_date=today,
            person=_person_details(person, frozenset({"identity", "contact"}), session, ctx),
            giver_name=given_by_display(consent),
            giver_is_custody_holder=consent.given_by_person_id not in (None, consent.person_id)
            or bool(consent.given_by_name),
            scopes=scopes,
            recipient=_recipient(consent.service),
            purpose=consent.purpose,
            valid_from=consent.valid_from,
            valid_to=consent.valid_to,
            staff=_staff(session.get(User, ctx.actor.user_id)),
            language=language,
        )
        meta = (LetterKind.CONSENT_FORM, consent.uuid, consent.service.name, today)
        person_uuid = person.uuid
    pdf = draw_consent_form(data, template_dir=template_dir)
    return _shown(ctx, _letter(pdf, meta, person_uuid, "consents", language))


def _shown(ctx: AppContext, letter: LetterPdf) -> LetterPdf:
    """A rendered letter is about to be shown (name, CPR, reason): record the view and
    commit it before the letter is returned. Recorded only once it was drawn, so a
    letter that failed to render is not logged as seen."""
    with ctx.write(Permission.PRINT_LETTERS) as unit:
        _audit(unit, letter, AuditAction.VIEW)
    return letter


def record_letter_output(ctx: AppContext, letter: LetterPdf, action: AuditAction) -> None:
    """Audit a print (call it when the print dialog was accepted) or a save: who (the
    actor), when (the clock), which person and which letter. Never the letter's text."""
    with ctx.write(Permission.PRINT_LETTERS) as unit:
        if action not in OUTPUT_ACTIONS:
            raise ValueError(f"not a letter output: {action}")
        _audit(unit, letter, action)


def save_pdf(ctx: AppContext, letter: LetterPdf, target_path: Path | str) -> Path:
    """Write the letter where the user chose, atomically: a temp file in the *target*
    folder (never the system temp folder), fsync, rename, owner-only. Refused
    (OutputRefused) over the database or one of its files. The save is audited before
    the file gets its name; a failed rename adds an OUTPUT_FAILED entry (see
    ``output_files``). On any failure the previous file is untouched."""
    ctx.require(Permission.PRINT_LETTERS)
    path = Path(target_path)
    write_output(ctx, path, letter.data, OutputRecord(
        AuditAction.SAVE_PDF, entity=letter.entity, entity_uuid=letter.entity_uuid,
        person_uuid=letter.person_uuid, detail=str(letter.kind)))
    return path


def organisation(session: Session) -> Organisation:
    def get(key: str) -> str:
        return str(org_settings.get_setting(session, f"organisation_{key}") or "")

    return Organisation(
        name=get("name"), street=get("street"), postal_code=get("postal_code"),
        city=get("city"), phone=get("phone"), email=get("email"), web=get("web"),
        logo=org_settings.get_logo(session),
    )


# -- building the letters' data --------------------------------------------------------------


def _referral(ctx: AppContext, session: Session, referral_id: int | str) -> Referral:
    query = select(Referral).where(Referral.deleted_at.is_(None))
    if isinstance(referral_id, int):
        query = query.where(Referral.id == referral_id)
    else:
        query = query.where(Referral.uuid == referral_id.strip().lower())
    referral = session.scalars(query).first()
    if referral is None:
        raise NotFound("referral")
    visible_person_or_fail(session, ctx, referral.person_id)
    return referral


def _referral_data(
    ctx: AppContext, session: Session, referral: Referral, language: str
) -> tuple[ReferralLetterData, str]:
    # A sent referral's letter keeps the day it was sent, so a reprint is the same
    # letter; a draft's letter is dated today.
    letter_date = referral.sent_on or ctx.today()
    consent = referral.consent if referral.consent and not referral.consent.deleted_at else None
    terms = terms_of(consent) if consent is not None else None
    # The consent must have covered the letter on its date (a reprint of a sent letter
    # may outlive the consent's expiry: it discloses nothing new) ...
    problem = cover_problem(terms, letter_date, referral.service_id, NEEDED_FOR_SENDING)
    if problem is None and terms is not None and terms.withdrawn_on is not None:
        # ... but a withdrawal stops every further copy, whatever the letter's date.
        problem = cover_problem(terms, ctx.today(), referral.service_id, frozenset())
    if problem is not None:
        raise consent_error(session, referral, problem)
    assert consent is not None and terms is not None
    scope = allowed_fields(terms)
    labels = {s.code: (s.label_da if language == "da" else s.label_en) for s in
              session.scalars(select(ConsentScope).order_by(ConsentScope.sort_order))}
    info = ConsentInfo(
        given_on=consent.signed_on or consent.valid_from,
        given_by=given_by_display(consent),
        valid_from=consent.valid_from,
        valid_to=consent.valid_to,
        scope=scope,
        scope_labels=tuple(label for code, label in labels.items() if code in scope),
        purpose=consent.purpose,
        recipient=consent.service.name,
    )
    data = ReferralLetterData(
        organisation=organisation(session),
        letter_date=letter_date,
        recipient=_recipient(referral.service),
        person=_person_details(referral.person, scope, session, ctx),
        reason=referral.reason,
        staff=_staff(referral.contact_user),
        consent=info,
        reference=short_reference(referral.uuid),
        language=language,
    )
    return data, referral.person.uuid


def _concern_data(
    ctx: AppContext, session: Session, referral: Referral, language: str
) -> tuple[ConcernLetterData, str]:
    child = referral.person
    # No consent: the duty to notify covers everything needed to identify the child.
    details = _person_details(child, frozenset({"identity", "cpr", "contact"}), session, ctx)
    parents = tuple(
        Guardian(_person_details(parent, frozenset({"identity", "contact"}), session, ctx),
                 custody)
        for parent, custody in session.execute(
            select(Person, PersonRelation.has_custody)
            .join(PersonRelation, PersonRelation.parent_id == Person.id)
            .where(PersonRelation.child_id == child.id, PersonRelation.deleted_at.is_(None),
                   visible_person(ctx))
            .order_by(PersonRelation.has_custody.desc(), dialect.danish(Person.last_name),
                      dialect.danish(Person.first_name), Person.id)
        )
    )
    data = ConcernLetterData(
        organisation=organisation(session),
        letter_date=referral.sent_on or ctx.today(),
        recipient=_recipient(referral.service),
        child=details,
        parents=parents,
        concern=referral.reason,
        staff=_staff(referral.contact_user),
        reference=short_reference(referral.uuid),
        language=language,
    )
    return data, child.uuid


def _person_details(
    person: Person, scope: frozenset[str], session: Session, ctx: AppContext
) -> PersonDetails:
    """Only the fields ``scope`` allows are filled in; the rest stay empty."""
    home = person.household
    street, postal, city = person.street, person.postal_code, person.city
    if not street and home is not None:  # children usually only have the family's address
        street, postal, city = home.street, home.postal_code, home.city
    contact = "contact" in scope
    return PersonDetails(
        name=person.full_name,
        birth_date=birth_date_of(person) if "identity" in scope else None,
        cpr=_cpr(person.cpr) if "cpr" in scope else None,
        street=street if contact else "",
        postal_code=postal if contact else "",
        city=city if contact else "",
        phone=(person.phone or (home.phone if home else "")) if contact else "",
        email=person.email if contact else "",
        household=_household(person, session, ctx) if "household" in scope else (),
    )


def _household(person: Person, session: Session, ctx: AppContext) -> tuple[HouseholdMember, ...]:
    custody = set(session.scalars(
        select(PersonRelation.parent_id).where(
            PersonRelation.child_id == person.id, PersonRelation.has_custody.is_(True),
            PersonRelation.deleted_at.is_(None))))
    members: dict[int, Person] = {}
    if person.household_id is not None:
        for member in session.scalars(select(Person).where(
                Person.household_id == person.household_id, Person.id != person.id,
                visible_person(ctx))):
            members[member.id] = member
    # Custody holders living elsewhere are part of "family circumstances" too.
    for parent in session.scalars(select(Person).where(Person.id.in_(custody),
                                                       visible_person(ctx))):
        members.setdefault(parent.id, parent)
    ordered = sorted(members.values(), key=lambda p: (p.id not in custody,
                                                      birth_date_of(p) or date.max))
    return tuple(HouseholdMember(p.full_name, birth_date_of(p), p.id in custody) for p in ordered)


def _cpr(number: str | None) -> str | None:
    if not number:
        return None
    try:
        return format_cpr(number)
    except InvalidCpr:
        return number


def _recipient(service: Service) -> Recipient:
    return Recipient(service.name, service.unit, service.contact_person, service.street,
                     service.postal_code, service.city)


def _staff(user: User | None) -> StaffContact:
    if user is None:
        return StaffContact("")
    return StaffContact(user.full_name, user.title, user.phone, user.email)


def short_reference(uuid: str) -> str:
    """A short reference to quote in replies ("Vores ref." on the letter): the UUID's
    first block is unique enough for a human to find the referral; the details view's
    "Kopiér reference" copies it together with the full UUID."""
    return uuid.split("-")[0].upper()


def _letter(
    pdf: bytes, meta: tuple[LetterKind, str, str, date], person_uuid: str, entity: str,
    language: str,
) -> LetterPdf:
    kind, entity_uuid, service_name, on = meta
    prefix = {
        LetterKind.REFERRAL: tr_in(language, "referral-letter"),
        LetterKind.CONSENT_FORM: tr_in(language, "consent-form"),
        LetterKind.CONCERN: tr_in(language, "notification-of-concern"),
    }[kind]
    slug = re.sub(r"[^\w]+", "-", service_name.lower()).strip("-")
    filename = f"{prefix}-{slug}-{on.isoformat()}.pdf" if slug else f"{prefix}-{on.isoformat()}.pdf"
    return LetterPdf(pdf, filename, person_uuid, kind, entity, entity_uuid)


def _audit(unit: WriteUnit, letter: LetterPdf, action: AuditAction) -> None:
    unit.audit(action, entity=letter.entity, entity_uuid=letter.entity_uuid,
               person_uuid=letter.person_uuid, detail=str(letter.kind))
