"""Pieces every casework service shares: paging, restricted-case visibility, labels in
the UI language. Loading live records, the version check and tombstones are units.py's
(re-exported here for helpers that take a bare session)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, and_, not_, or_, select, true
from sqlalchemy.orm import Session

from boligsag.domain.enums import Gender
from boligsag.domain.permissions import Permission
from boligsag.i18n import current_language, tr
from boligsag.storage.models import Person, Plan, User

from . import org_settings
from .context import AppContext
from .errors import NotFound, PermissionDenied
from .units import check_version as check_version
from .units import get_live as get_live
from .units import tombstone as tombstone

T = TypeVar("T")

MAX_PAGE = 500  # a lazy list asks for ~100 rows at a time; more is a bug, not a need


@dataclass(frozen=True)
class Page(Generic[T]):
    """One slice of a long list, for a Qt model's ``fetchMore``."""

    items: tuple[T, ...]
    offset: int
    has_more: bool  # what ``canFetchMore`` answers


@dataclass(frozen=True)
class Choice:
    """An entry of a combo box or checklist: its id and/or stable code, and a label
    in the UI language."""

    id: int | None
    code: str
    label: str


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str


def page_of(rows: Sequence[T], offset: int, limit: int) -> Page[T]:
    """Rows were fetched with ``limit + 1``: the extra row only says there are more."""
    return Page(tuple(rows[:limit]), offset, len(rows) > limit)


def clamp_limit(limit: int) -> int:
    return max(1, min(int(limit), MAX_PAGE))


def label(da: str, en: str) -> str:
    """Reference data carries both languages; pick the UI's."""
    return da if current_language() == "da" else en


def gender_label(gender: Gender | str | None) -> str:
    labels = {
        Gender.FEMALE: tr("Female"),
        Gender.MALE: tr("Male"),
        Gender.OTHER: tr("Other"),
        Gender.UNKNOWN: tr("Unknown"),
    }
    return labels.get(Gender(gender), "") if gender else ""


def gender_choices() -> tuple[Choice, ...]:
    return tuple(Choice(None, str(g), gender_label(g)) for g in Gender)



# -- restricted cases ---------------------------------------------------------------------


def sees_all_restricted(ctx: AppContext) -> bool:
    return ctx.actor.can(Permission.VIEW_RESTRICTED)


def visible_person(ctx: AppContext) -> ColumnElement[bool]:
    """SQL condition on ``Person``: not tombstoned, not anonymised, and not a
    restricted case of another staff member (unless the actor sees all of those)."""
    alive = and_(Person.deleted_at.is_(None), Person.anonymised_at.is_(None))
    if sees_all_restricted(ctx):
        return alive
    return and_(alive, or_(Person.restricted.is_(False),
                           Person.responsible_user_id == ctx.actor.user_id))


def hidden_person(ctx: AppContext) -> ColumnElement[bool]:
    """SQL condition on ``Person``: a restricted case this actor may not see."""
    if sees_all_restricted(ctx):
        return not_(true())
    return and_(Person.restricted.is_(True),
                or_(Person.responsible_user_id.is_(None),
                    Person.responsible_user_id != ctx.actor.user_id))


def can_see(ctx: AppContext, person: Person) -> bool:
    if person.deleted_at is not None or person.anonymised_at is not None:
        return False
    return (not person.restricted or sees_all_restricted(ctx)
            or person.responsible_user_id == ctx.actor.user_id)


def visible_person_or_fail(session: Session, ctx: AppContext, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None or person.anonymised_at is not None:
        raise NotFound("person")
    if not can_see(ctx, person):
        raise PermissionDenied()
    return person


# -- organisation -------------------------------------------------------------------------


def current_plan(session: Session) -> Plan | None:
    plan_uuid = org_settings.get_setting(session, "current_plan_uuid")
    if not plan_uuid:
        return None
    return session.scalars(
        select(Plan).where(Plan.uuid == plan_uuid, Plan.deleted_at.is_(None))
    ).first()


def active_user(session: Session, user_id: int) -> User | None:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None or not user.active:
        return None
    return user
