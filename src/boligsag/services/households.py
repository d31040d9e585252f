"""Households (husstande / familier): members, and parent–child links with custody.

Membership is a person's ``household_id``; a parent–child link is its own record,
because parent guidance and consents for children need to know who holds custody,
which may be someone outside the household.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.errors import UserError
from boligsag.storage import dialect
from boligsag.storage.models import Area, Household, Person, PersonRelation

from .casework_common import (
    PersonRef,
    get_live,
    hidden_person,
    visible_person,
    visible_person_or_fail,
)
from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .people import Problems, RelationRow
from .people_search import PersonSummary, summary_of
from .person_fields import clean_text, is_valid_postal_code, normalise_phone
from .search_text import clean_search_text
from .units import WriteUnit


class HiddenMembers(UserError):
    """Deleting would change records of people this user may not see."""

    def __init__(self) -> None:
        super().__init__("Some members of this household are in restricted cases you "
                         "cannot see. Ask a team lead to delete it.")


@dataclass(frozen=True)
class HouseholdDraft:
    name: str  # e.g. "Familien Yılmaz"
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    area_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class HouseholdRow:
    id: int
    uuid: str
    version: int
    name: str
    street: str
    postal_code: str
    city: str
    phone: str
    area_id: int | None
    area_name: str


@dataclass(frozen=True)
class HouseholdDetail:
    household: HouseholdRow
    note: str
    members: tuple[PersonSummary, ...]
    hidden_members: int  # restricted cases this user may not see, counted only
    relations: tuple[RelationRow, ...]  # links with a member on either side


def _validate(session: Session, draft: HouseholdDraft) -> dict[str, Any]:
    problems: Problems = {}
    values: dict[str, Any] = {
        "name": clean_text(draft.name), "street": clean_text(draft.street),
        "postal_code": draft.postal_code.strip(), "city": clean_text(draft.city),
        "area_id": draft.area_id, "note": draft.note.strip(),
    }
    if not values["name"]:
        problems["name"] = ("Enter a name for the household, e.g. the family name.", {})
    elif len(values["name"]) > 160:
        problems["name"] = ("Use at most {count} characters.", {"count": 160})
    phone = normalise_phone(draft.phone)
    if phone is None:
        problems["phone"] = ("Enter a Danish phone number: 8 digits, e.g. 12 34 56 78.", {})
    values["phone"] = phone or ""
    if values["postal_code"] and not is_valid_postal_code(values["postal_code"]):
        problems["postal_code"] = ("A postal code has 4 digits.", {})
    if draft.area_id is not None:
        area = session.get(Area, draft.area_id)
        if area is None or area.deleted_at is not None:
            problems["area_id"] = ("Choose a housing area from the list.", {})
    if problems:
        raise ValidationFailed(problems)
    return values


def _row(session: Session, household: Household) -> HouseholdRow:
    area = session.get(Area, household.area_id) if household.area_id else None
    return HouseholdRow(household.id, household.uuid, household.version, household.name,
                        household.street, household.postal_code, household.city,
                        household.phone, household.area_id, area.name if area else "")


def _detail(session: Session, ctx: AppContext, household: Household) -> HouseholdDetail:
    alive = (Person.household_id == household.id, Person.deleted_at.is_(None),
             Person.anonymised_at.is_(None))
    members = session.scalars(
        select(Person).where(*alive, visible_person(ctx))
        .order_by(Person.birth_date.is_(None), Person.birth_date,
                  dialect.danish(Person.first_name), Person.id)
    ).all()
    hidden = session.scalar(
        select(func.count()).select_from(Person).where(*alive, hidden_person(ctx))) or 0
    member_ids = [m.id for m in members]
    parent, child = aliased(Person), aliased(Person)
    visible_ids = select(Person.id).where(visible_person(ctx))
    links = session.execute(
        select(PersonRelation, parent, child)
        .join(parent, parent.id == PersonRelation.parent_id)
        .join(child, child.id == PersonRelation.child_id)
        .where(PersonRelation.deleted_at.is_(None),
               or_(PersonRelation.parent_id.in_(member_ids),
                   PersonRelation.child_id.in_(member_ids)),
               parent.id.in_(visible_ids), child.id.in_(visible_ids))
        .order_by(child.birth_date, PersonRelation.id)
    )
    today = ctx.today()
    return HouseholdDetail(
        household=_row(session, household),
        note=household.note,
        members=tuple(summary_of(m, today) for m in members),
        hidden_members=hidden,
        relations=tuple(RelationRow(r.id, r.version, PersonRef(p.id, p.full_name),
                                    PersonRef(c.id, c.full_name), r.has_custody)
                        for r, p, c in links),
    )


def _audit_member(unit: WriteUnit, person: Person, what: str) -> None:
    unit.audit(AuditAction.UPDATE, entity="people", entity_uuid=person.uuid,
               person_uuid=person.uuid, detail=what)


# -- households ----------------------------------------------------------------------------


def get_household(ctx: AppContext, household_id: int) -> HouseholdDetail:
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        return _detail(session, ctx, get_live(session, Household, household_id, "household"))


def find_households(ctx: AppContext, text: str, limit: int = 10) -> list[HouseholdRow]:
    """For the household picker: by name or street. Households are far fewer than
    people, so a LIKE over them stays fast without a search index."""
    # Cleaned like the people search (no NUL, no lone surrogate, at most 100 characters);
    # LIKE's wildcards are dropped, so what is typed is matched as text.
    pattern = "%" + clean_search_text(text).replace("%", "").replace("_", "") + "%"
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        rows = session.scalars(
            select(Household)
            .where(Household.deleted_at.is_(None),
                   or_(Household.name.like(pattern), Household.street.like(pattern)))
            .order_by(dialect.danish(Household.name), Household.id).limit(max(1, limit))
        ).all()
        return [_row(session, h) for h in rows]


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def create_household(ctx: AppContext, draft: HouseholdDraft, *,
                     member_ids: tuple[int, ...] = ()) -> HouseholdDetail:
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        household = Household(**_validate(session, draft))
        session.add(household)
        session.flush()
        for person_id in member_ids:
            person = visible_person_or_fail(session, ctx, person_id)
            person.household = household
            _audit_member(unit, person, "household")
        unit.audit(AuditAction.CREATE, entity="households", entity_uuid=household.uuid)
        session.flush()
        detail = _detail(session, ctx, household)
        return detail


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def update_household(ctx: AppContext, household_id: int, version: int,
                     draft: HouseholdDraft) -> HouseholdDetail:
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        household = unit.load_for_edit(Household, household_id, version, "household")
        for key, value in _validate(session, draft).items():
            setattr(household, key, value)
        unit.audit(AuditAction.UPDATE, entity="households", entity_uuid=household.uuid)
        session.flush()
        detail = _detail(session, ctx, household)
        return detail


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def delete_household(ctx: AppContext, household_id: int, version: int) -> None:
    """Tombstone a household created by mistake or left empty; its members stay, without
    a household, and keep their parent–child links. Refused while it has members in
    restricted cases this user may not see: deleting would change their records unseen."""
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        household = unit.load_for_edit(Household, household_id, version, "household")
        members = select(Person).where(Person.household_id == household.id)
        if session.scalar(select(func.count()).select_from(
                members.where(Person.deleted_at.is_(None), hidden_person(ctx)).subquery())):
            raise HiddenMembers()
        for person in session.scalars(members):
            person.household_id = None
            if person.deleted_at is None:
                _audit_member(unit, person, "household deleted")
        unit.tombstone(household)
        unit.audit(AuditAction.DELETE, entity="households", entity_uuid=household.uuid)


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def add_household_member(ctx: AppContext, household_id: int, person_id: int) -> HouseholdDetail:
    """Move a person into the household (out of any other)."""
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        household = unit.load_live(Household, household_id, "household")
        person = visible_person_or_fail(session, ctx, person_id)
        if person.household_id != household.id:
            person.household_id = household.id
            _audit_member(unit, person, "household")
        detail = _detail(session, ctx, household)
        return detail


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def remove_household_member(ctx: AppContext, household_id: int,
                            person_id: int) -> HouseholdDetail:
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        household = unit.load_live(Household, household_id, "household")
        person = visible_person_or_fail(session, ctx, person_id)
        if person.household_id == household.id:
            person.household_id = None
            _audit_member(unit, person, "household")
        detail = _detail(session, ctx, household)
        return detail


# -- parent–child links --------------------------------------------------------------------


def _relation_row(relation: PersonRelation) -> RelationRow:
    return RelationRow(relation.id, relation.version,
                       PersonRef(relation.parent.id, relation.parent.full_name),
                       PersonRef(relation.child.id, relation.child.full_name),
                       relation.has_custody)


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def link_parent_child(ctx: AppContext, parent_id: int, child_id: int, *,
                      has_custody: bool = True) -> RelationRow:
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        parent = visible_person_or_fail(session, ctx, parent_id)
        child = visible_person_or_fail(session, ctx, child_id)
        problems: Problems = {}
        if parent.id == child.id:
            problems["child_id"] = ("A person cannot be their own parent.", {})
        elif parent.birth_date and child.birth_date and parent.birth_date >= child.birth_date:
            problems["child_id"] = ("The child is not younger than the parent.", {})
        elif session.scalars(select(PersonRelation.id).where(
                PersonRelation.parent_id == child.id, PersonRelation.child_id == parent.id,
                PersonRelation.deleted_at.is_(None))).first():
            problems["child_id"] = ("The child is already registered as this person's parent.",
                                    {})
        if problems:
            raise ValidationFailed(problems)
        # (parent, child) is unique: a link that was removed earlier is brought back.
        relation = session.scalars(select(PersonRelation).where(
            PersonRelation.parent_id == parent.id, PersonRelation.child_id == child.id)).first()
        if relation is None:
            relation = PersonRelation(parent=parent, child=child)
            session.add(relation)
        relation.deleted_at = relation.deleted_by_id = None
        relation.has_custody = has_custody
        for person in (parent, child):
            _audit_member(unit, person, "parent-child link")
        session.flush()
        row = _relation_row(relation)
        return row


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def set_custody(ctx: AppContext, relation_id: int, version: int,
                has_custody: bool) -> RelationRow:
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        relation = unit.load_for_edit(PersonRelation, relation_id, version, "relation")
        for person_id in (relation.parent_id, relation.child_id):
            visible_person_or_fail(session, ctx, person_id)
        relation.has_custody = has_custody
        for person in (relation.parent, relation.child):
            _audit_member(unit, person, "custody")
        session.flush()
        row = _relation_row(relation)
        return row


@writes(Entity.HOUSEHOLDS, Entity.PEOPLE)
def unlink_parent_child(ctx: AppContext, relation_id: int, version: int) -> None:
    with ctx.write(Permission.EDIT_PEOPLE) as unit:
        session = unit.session
        relation = unit.load_for_edit(PersonRelation, relation_id, version, "relation")
        for person_id in (relation.parent_id, relation.child_id):
            visible_person_or_fail(session, ctx, person_id)
        unit.tombstone(relation)
        for person in (relation.parent, relation.child):
            _audit_member(unit, person, "parent-child link removed")
