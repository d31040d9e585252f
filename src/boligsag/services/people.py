"""People (beboere / deltagere): create, edit, delete, open, and the duplicate check.

Validation happens here, in one place, and reports every problem at once with a
message per field, so the form can show them in place. CPR is optional; when given it
must be valid and it decides birth date and gender.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from boligsag.domain.cpr import InvalidCpr, decode_cpr, format_cpr, parse_cpr
from boligsag.domain.enums import AuditAction, Gender
from boligsag.domain.permissions import Permission
from boligsag.formatting import short_date
from boligsag.storage import dialect
from boligsag.storage.models import Area, Household, Person, PersonRelation, User

from .access_purpose import purpose_detail, require_purpose
from .casework_common import (
    PersonRef,
    active_user,
    can_see,
    check_version,
    visible_person,
    visible_person_or_fail,
)
from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .people_search import PersonSummary, search_people, summary_of
from .person_fields import (
    clean_text,
    fold_name,
    is_valid_email,
    is_valid_postal_code,
    names_similar,
    normalise_phone,
)

Problems = dict[str, tuple[str, dict[str, object]]]
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# What letters print about a person. A character the letter fonts lack (an emoji, CJK)
# prints as "\ufffd" there: saving still works, and the form warns.
PRINTED_FIELDS = ("first_name", "last_name", "street", "postal_code", "city")


@dataclass(frozen=True)
class PersonDraft:
    """What the person form holds; also what :func:`find_duplicates` checks."""

    first_name: str
    last_name: str
    cpr: str = ""  # with or without the dash
    birth_date: date | None = None  # derived from the CPR number when one is given
    gender: Gender | None = None  # likewise
    phone: str = ""
    email: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    area_id: int | None = None
    household_id: int | None = None
    languages: str = ""
    restricted: bool = False
    responsible_user_id: int | None = None  # a restricted case defaults to its author
    note: str = ""
    # The user answered "yes" to "is the CPR number / birth date right?" (a birth date
    # after today or more than 110 years ago, see ``birth_date_doubt``): save it as given.
    birth_date_confirmed: bool = False


@dataclass(frozen=True)
class RelationRow:
    """A parent-child link; ``has_custody``: the parent holds parental custody."""

    id: int
    version: int
    parent: PersonRef
    child: PersonRef
    has_custody: bool


@dataclass(frozen=True)
class PersonDetail:
    """The person page and the edit form."""

    person: PersonSummary
    cpr: str  # "DDMMYY-SSSS" or ""
    email: str
    area_id: int | None
    area_name: str
    household_name: str
    languages: str
    responsible_user_id: int | None
    responsible_name: str
    note: str
    created_at: datetime
    updated_at: datetime
    parents: tuple[RelationRow, ...] = ()
    children: tuple[RelationRow, ...] = ()
    # A warning, not an error: (field, characters) that letters print as "\ufffd".
    unprintable: tuple[tuple[str, str], ...] = ()

    def to_draft(self) -> PersonDraft:
        p = self.person
        return PersonDraft(
            first_name=p.first_name, last_name=p.last_name, cpr=self.cpr,
            birth_date=p.birth_date, gender=p.gender, phone=p.phone, email=self.email,
            street=p.street, postal_code=p.postal_code, city=p.city, area_id=self.area_id,
            household_id=p.household_id, languages=self.languages, restricted=p.restricted,
            responsible_user_id=self.responsible_user_id, note=self.note,
        )


class DuplicateReason(StrEnum):
    SAME_CPR = "same_cpr"
    SIMILAR_NAME_SAME_BIRTH_DATE = "similar_name_same_birth_date"
    SAME_NAME = "same_name"  # the draft has no birth date to compare


@dataclass(frozen=True)
class DuplicateCandidate(PersonSummary):
    reason: DuplicateReason = field(default=DuplicateReason.SAME_CPR)


# -- validation ----------------------------------------------------------------------------


def unprintable_fields(draft: PersonDraft) -> tuple[tuple[str, str], ...]:
    """(field, characters) of the printed fields that letters cannot print (they print
    "\ufffd" instead). The form shows this as a warning while typing; the saved person's
    detail carries it too."""
    from boligsag.documents.fonts import unprintable  # reportlab only when asked

    found = ((name, unprintable(getattr(draft, name))) for name in PRINTED_FIELDS)
    return tuple((name, chars) for name, chars in found if chars)


def _check_cpr(draft: PersonDraft, today: date, problems: Problems) -> dict[str, Any]:
    """CPR, birth date and gender; the CPR number wins where it says something."""
    values: dict[str, Any] = {"cpr": None, "birth_date": draft.birth_date,
                              "gender": Gender(draft.gender or Gender.UNKNOWN)}
    if draft.cpr.strip():
        try:
            info = (decode_cpr(draft.cpr) if draft.birth_date_confirmed
                    else parse_cpr(draft.cpr, today=today))
        except InvalidCpr as error:
            problems["cpr"] = (error.source, dict(error.params))
            return values
        if draft.birth_date is not None and draft.birth_date != info.birth_date:
            problems["birth_date"] = ("The birth date does not match the CPR number ({date}).",
                                      {"date": short_date(info.birth_date)})
        if draft.gender in (Gender.FEMALE, Gender.MALE) and draft.gender != info.gender:
            problems["gender"] = ("The gender does not match the CPR number.", {})
        values["cpr"] = info.number
        values["birth_date"] = info.birth_date
        # "Other" is a deliberate choice the CPR number cannot express; keep it.
        values["gender"] = Gender.OTHER if draft.gender == Gender.OTHER else info.gender
    elif draft.birth_date is not None and not draft.birth_date_confirmed:
        if draft.birth_date > today:
            problems["birth_date"] = ("The birth date cannot be in the future.", {})
        elif draft.birth_date < EARLIEST_BIRTH_DATE:
            problems["birth_date"] = ("Check the birth date's year.", {})
    return values


def _validate(session: Session, ctx: AppContext, draft: PersonDraft,
              person_id: int | None = None) -> dict[str, Any]:
    """Cleaned column values, or ValidationFailed with a message for each bad field."""
    problems: Problems = {}
    values: dict[str, Any] = {
        "first_name": clean_text(draft.first_name),
        "last_name": clean_text(draft.last_name),
        "email": draft.email.strip(),
        "street": clean_text(draft.street),
        "postal_code": draft.postal_code.strip(),
        "city": clean_text(draft.city),
        "languages": clean_text(draft.languages),
        "note": draft.note.strip(),
        "restricted": bool(draft.restricted),
        "area_id": draft.area_id,
        "household_id": draft.household_id,
        "responsible_user_id": draft.responsible_user_id,
    }
    if not values["first_name"]:
        problems["first_name"] = ("Enter the first name.", {})
    if not values["last_name"]:
        problems["last_name"] = ("Enter the last name.", {})
    for name, limit in (("first_name", 80), ("last_name", 80), ("street", 160), ("city", 80),
                        ("email", 120), ("languages", 120)):
        if len(values[name]) > limit:
            problems[name] = ("Use at most {count} characters.", {"count": limit})
    values.update(_check_cpr(draft, ctx.today(), problems))
    phone = normalise_phone(draft.phone)
    if phone is None:
        problems["phone"] = ("Enter a Danish phone number: 8 digits, e.g. 12 34 56 78.", {})
    values["phone"] = phone or ""
    if values["email"] and not is_valid_email(values["email"]):
        problems["email"] = ("Enter an e-mail address like name@example.dk.", {})
    if values["postal_code"] and not is_valid_postal_code(values["postal_code"]):
        problems["postal_code"] = ("A postal code has 4 digits.", {})
    if draft.area_id is not None and _missing(session, Area, draft.area_id):
        problems["area_id"] = ("Choose a housing area from the list.", {})
    if draft.household_id is not None and _missing(session, Household, draft.household_id):
        problems["household_id"] = ("The household no longer exists.", {})
    if values["restricted"] and values["responsible_user_id"] is None:
        values["responsible_user_id"] = ctx.actor.user_id  # whoever restricts it keeps it
    responsible = values["responsible_user_id"]
    if responsible is not None and active_user(session, responsible) is None:
        problems["responsible_user_id"] = ("Choose a staff member from the list.", {})
    if values["cpr"] and "cpr" not in problems:
        _check_cpr_unique(session, ctx, values["cpr"], person_id, problems)
    if problems:
        raise ValidationFailed(problems)
    return values


def _missing(session: Session, model: type[Area] | type[Household], record_id: int) -> bool:
    record = session.get(model, record_id)
    return record is None or record.deleted_at is not None


def _check_cpr_unique(session: Session, ctx: AppContext, cpr: str, person_id: int | None,
                      problems: Problems) -> None:
    """One person per CPR number: a second registration is refused, naming the first
    so the user can open it instead (unless it is a case they may not see)."""
    query = select(Person).where(Person.cpr == cpr, Person.deleted_at.is_(None),
                                 Person.anonymised_at.is_(None))
    if person_id is not None:
        query = query.where(Person.id != person_id)
    existing = session.scalars(query).first()
    if existing is None:
        return
    if not can_see(ctx, existing):
        problems["cpr"] = ("A person with this CPR number already exists in a restricted case. "
                           "Ask a team lead.", {})
    else:
        problems["cpr"] = ("{name} is already registered with this CPR number.",
                           {"name": existing.full_name})


# -- reading -------------------------------------------------------------------------------


def _relations(session: Session, ctx: AppContext, person_id: int,
               side: str) -> tuple[RelationRow, ...]:
    parent, child = aliased(Person), aliased(Person)
    mine = PersonRelation.child_id if side == "parents" else PersonRelation.parent_id
    other = parent if side == "parents" else child
    query = (
        select(PersonRelation, parent, child)
        .join(parent, parent.id == PersonRelation.parent_id)
        .join(child, child.id == PersonRelation.child_id)
        .where(mine == person_id, PersonRelation.deleted_at.is_(None),
               other.id.in_(select(Person.id).where(visible_person(ctx))))
        .order_by(other.birth_date, dialect.danish(other.first_name), other.id)
    )
    return tuple(
        RelationRow(rel.id, rel.version, PersonRef(p.id, p.full_name),
                    PersonRef(c.id, c.full_name), rel.has_custody)
        for rel, p, c in session.execute(query)
    )


def detail_of(session: Session, ctx: AppContext, person: Person) -> PersonDetail:
    area = session.get(Area, person.area_id) if person.area_id else None
    household = session.get(Household, person.household_id) if person.household_id else None
    responsible = (session.get(User, person.responsible_user_id)
                   if person.responsible_user_id else None)
    return PersonDetail(
        person=summary_of(person, ctx.today()),
        cpr=format_cpr(person.cpr) if person.cpr else "",
        email=person.email,
        area_id=person.area_id,
        area_name=area.name if area else "",
        household_name=household.name if household and household.deleted_at is None else "",
        languages=person.languages,
        responsible_user_id=person.responsible_user_id,
        responsible_name=responsible.full_name if responsible else "",
        note=person.note,
        created_at=person.created_at,
        updated_at=person.updated_at,
        parents=_relations(session, ctx, person.id, "parents"),
        children=_relations(session, ctx, person.id, "children"),
        unprintable=unprintable_fields(PersonDraft(
            person.first_name, person.last_name, street=person.street,
            postal_code=person.postal_code, city=person.city)),
    )


def get_person(ctx: AppContext, person_id: int) -> PersonDetail:
    """Open a person's page; the view is recorded in the audit log, with the purpose
    given for someone else's restricted case (PurposeRequired without one)."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        person = visible_person_or_fail(session, ctx, person_id)
        require_purpose(ctx, person)  # someone else's restricted case: why
        detail = detail_of(session, ctx, person)
        unit.audit(AuditAction.VIEW, entity="people", entity_uuid=person.uuid,
                   person_uuid=person.uuid, detail=purpose_detail(ctx, person))
        return detail


def find_duplicates(ctx: AppContext, draft: PersonDraft, *,
                    exclude_id: int | None = None) -> list[DuplicateCandidate]:
    """People the draft may already be, strongest match first. Called by the form
    before it creates a person, so the user can open the existing one instead."""
    cpr, birth_date = None, draft.birth_date
    try:
        if draft.cpr.strip():
            # Any real date: a confirmed number after today is still the same number.
            info = decode_cpr(draft.cpr)
            cpr, birth_date = info.number, info.birth_date
    except InvalidCpr:
        pass  # the form shows that problem; still compare by name and birth date
    found: dict[int, DuplicateCandidate] = {}
    today = ctx.today()

    def add(person: Person, reason: DuplicateReason) -> None:
        if person.id != exclude_id and person.id not in found:
            summary = summary_of(person, today)
            found[person.id] = DuplicateCandidate(**vars(summary), reason=reason)

    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        live = select(Person).where(visible_person(ctx))
        if cpr:
            for person in session.scalars(live.where(Person.cpr == cpr)):
                add(person, DuplicateReason.SAME_CPR)
        if birth_date is not None:
            for person in session.scalars(live.where(Person.birth_date == birth_date)):
                if names_similar(draft.first_name, draft.last_name,
                                 person.first_name, person.last_name):
                    add(person, DuplicateReason.SIMILAR_NAME_SAME_BIRTH_DATE)
        elif draft.last_name.strip():
            wanted = fold_name(f"{draft.first_name} {draft.last_name}")
            page = search_people(session, ctx, draft.last_name, limit=200)
            for summary in page.items:
                if fold_name(summary.full_name) == wanted:
                    person = session.get(Person, summary.id)
                    if person is not None:
                        add(person, DuplicateReason.SAME_NAME)
    return list(found.values())


# -- writing -------------------------------------------------------------------------------


@writes(Entity.PEOPLE, Entity.HOUSEHOLDS)
def create_person(ctx: AppContext, draft: PersonDraft) -> PersonDetail:
    """Register a person. An exact CPR duplicate is refused; weaker duplicates are the
    form's to warn about (:func:`find_duplicates`)."""
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        person = Person(**_validate(session, ctx, draft))
        session.add(person)
        session.flush()
        unit.audit(AuditAction.CREATE, entity="people", entity_uuid=person.uuid,
                   person_uuid=person.uuid)
        detail = detail_of(session, ctx, person)
        return detail


@writes(Entity.PEOPLE, Entity.HOUSEHOLDS, Entity.TIMELINE)
def update_person(ctx: AppContext, person_id: int, version: int,
                  draft: PersonDraft) -> PersonDetail:
    """Save the form opened at ``version``; StaleRecord if someone saved since."""
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        person = visible_person_or_fail(session, ctx, person_id)
        check_version(person, version)
        values = _validate(session, ctx, draft, person_id=person.id)
        changed = sorted(k for k, v in values.items() if getattr(person, k) != v)
        for key in changed:
            setattr(person, key, values[key])
        if changed:
            session.flush()
            # Field names only: the audit log never holds the values (CPR, notes).
            unit.audit(AuditAction.UPDATE, entity="people", entity_uuid=person.uuid,
                       person_uuid=person.uuid, detail="changed: " + ", ".join(changed))
        detail = detail_of(session, ctx, person)
        return detail
