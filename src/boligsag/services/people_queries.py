"""Read-only look-ups the people screens need beyond the casework services: a person's
page in one call (the person and their household), the choices of the person form,
and where a session in a timeline belongs.

No writes here; each function is one unit of work, safe to run off the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from boligsag.domain.permissions import Permission
from boligsag.storage import dialect
from boligsag.storage.models import ActivitySession, Area

from .casework_common import Choice, get_live
from .context import AppContext
from .households import HouseholdDetail, get_household
from .people import PersonDetail, get_person


@dataclass(frozen=True)
class PersonPage:
    """Everything the person page's header shows. ``household`` is None when the person
    belongs to none (or it has been deleted since)."""

    detail: PersonDetail
    household: HouseholdDetail | None


def person_page(ctx: AppContext, person_id: int) -> PersonPage:
    """Open a person's page: the person (recorded in the audit log by ``get_person``)
    and their household with its members and parent–child links."""
    detail = get_person(ctx, person_id)
    household = None
    household_id = detail.person.household_id
    if household_id is not None and detail.household_name:
        household = get_household(ctx, household_id)
    return PersonPage(detail, household)


@dataclass(frozen=True)
class PersonFormChoices:
    areas: tuple[Choice, ...]  # id + name


def person_form_choices(ctx: AppContext) -> PersonFormChoices:
    """The housing areas the person form offers (a handful of rows)."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        areas = tuple(Choice(a.id, "", a.name) for a in session.scalars(
            select(Area).where(Area.deleted_at.is_(None))
            .order_by(dialect.danish(Area.name), Area.id)))
    return PersonFormChoices(areas)


@dataclass(frozen=True)
class SessionPlace:
    activity_id: int
    on: date


def session_place(ctx: AppContext, session_id: int) -> SessionPlace:
    """The activity and day of a session, so a timeline item can open its sheet."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        record = get_live(session, ActivitySession, session_id, "session")
        return SessionPlace(record.activity_id, record.date)
