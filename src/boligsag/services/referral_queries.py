"""Reading referrals: the row every list shows, paged lists filtered and sorted in SQL,
and the overdue rule as SQL.

"Overdue" is decided twice on purpose: ``overdue_clause`` is the SQL form of
``domain.referral_flow.overdue`` so the start page and the "overdue only" filter run as
index lookups on (status, status_changed_on); each row then carries the domain's own
verdict, and a test keeps the two in agreement.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session, joinedload

from boligsag.domain import referral_flow as flow
from boligsag.domain.enums import ReferralKind, ReferralStatus
from boligsag.domain.permissions import Permission
from boligsag.storage import dialect
from boligsag.storage.models import Person, Referral, Service

from . import org_settings
from .casework_common import clamp_limit, visible_person
from .context import AppContext
from .errors import NotFound


@dataclass(frozen=True)
class ReferralRow:
    id: int
    uuid: str
    person_id: int
    person_uuid: str
    person_name: str
    service_id: int
    service_name: str
    kind: ReferralKind
    status: ReferralStatus
    status_changed_on: date
    created_on: date
    sent_on: date | None
    first_meeting_on: date | None
    closed_on: date | None  # the day it ended: closed, declined or cancelled
    contact_user_id: int
    contact_user_name: str
    consent_id: int | None
    due_on: date | None  # first day it counts as overdue in its status
    overdue: bool
    version: int
    # What the person column sorts by (last name, then first name), as the people list.
    person_last_name: str = ""
    person_first_name: str = ""


def reminder_limits(session: Session) -> dict[ReferralStatus, int]:
    """Days per status before a reminder: the organisation's setting over the domain's
    defaults. A bad value in the setting falls back to the default for that status."""
    limits = dict(flow.DEFAULT_REMINDER_DAYS)
    configured = org_settings.get_setting(session, "referral_reminder_days") or {}
    for key, value in dict(configured).items():
        known = key in ReferralStatus.__members__.values()
        if known and isinstance(value, int) and value >= 0 and flow.is_open(ReferralStatus(key)):
            limits[ReferralStatus(key)] = value
    return limits


def row_of(referral: Referral, today: date, limits: Mapping[ReferralStatus, int]) -> ReferralRow:
    status = ReferralStatus(referral.status)
    since = referral.status_changed_on
    return ReferralRow(
        id=referral.id,
        uuid=referral.uuid,
        person_id=referral.person_id,
        person_uuid=referral.person.uuid,
        person_name=referral.person.full_name,
        service_id=referral.service_id,
        service_name=referral.service.name,
        kind=ReferralKind(referral.kind),
        status=status,
        status_changed_on=since,
        created_on=referral.created_on,
        sent_on=referral.sent_on,
        first_meeting_on=referral.first_meeting_on,
        closed_on=referral.closed_on,
        contact_user_id=referral.contact_user_id,
        contact_user_name=referral.contact_user.full_name,
        consent_id=referral.consent_id,
        due_on=flow.reminder_due(status, since, limits),
        overdue=flow.overdue(status, since, today, limits),
        version=referral.version,
        person_last_name=referral.person.last_name,
        person_first_name=referral.person.first_name,
    )


def base_query() -> Select[tuple[Referral]]:
    return (
        select(Referral)
        .join(Person, Person.id == Referral.person_id)
        .where(Referral.deleted_at.is_(None))
        .options(joinedload(Referral.person), joinedload(Referral.service),
                 joinedload(Referral.contact_user))
    )


def load_referral(ctx: AppContext, session: Session, id_or_uuid: int | str) -> Referral:
    query = base_query().where(visible_person(ctx))
    if isinstance(id_or_uuid, int):
        query = query.where(Referral.id == id_or_uuid)
    else:
        query = query.where(Referral.uuid == id_or_uuid.strip().lower())
    referral = session.scalars(query).first()
    if referral is None:
        raise NotFound("referral")
    return referral


def _filters(
    ctx: AppContext,
    session: Session,
    status: ReferralStatus | Collection[ReferralStatus] | None,
    service_id: int | None,
    staff_id: int | None,
    person_id: int | None,
    overdue_only: bool,
) -> list[ColumnElement[bool]]:
    clauses = [visible_person(ctx)]
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        clauses.append(Referral.status.in_([ReferralStatus(s) for s in statuses]))
    if service_id is not None:
        clauses.append(Referral.service_id == service_id)
    if staff_id is not None:
        clauses.append(Referral.contact_user_id == staff_id)
    if person_id is not None:
        clauses.append(Referral.person_id == person_id)
    if overdue_only:
        clauses.append(overdue_clause(reminder_limits(session), ctx.today()))
    return clauses


def overdue_clause(limits: Mapping[ReferralStatus, int], today: date) -> ColumnElement[bool]:
    """SQL for ``domain.referral_flow.overdue``: in status s since before today - limit."""
    parts = [
        and_(Referral.status == status, Referral.status_changed_on < today - timedelta(days=days))
        for status, days in limits.items()
        if flow.is_open(status)
    ]
    return or_(*parts) if parts else false()


def due_clause(limits: Mapping[ReferralStatus, int]) -> ColumnElement[object]:
    """SQL for ``domain.referral_flow.reminder_due`` as a day number (storage/dialect.py's
    ``day_number``): the status day plus that status's limit plus one; NULL for a status
    without a reminder.

    Sorting by the status day alone is not the same order: a draft (7 days) from last
    week is due before a first meeting (60 days) from last month.
    """
    day = dialect.day_number(Referral.status_changed_on)
    whens = [(Referral.status == status, day + literal(days + 1))
             for status, days in limits.items() if flow.is_open(status)]
    return case(*whens, else_=None) if whens else literal(None)


class ReferralSort(StrEnum):
    """Columns a referral list can be sorted by (in SQL, for a lazy table model)."""

    CHANGED = "changed"  # the day it entered its current status
    DUE = "due"  # the day to follow up by; referrals without one last, either way
    CREATED = "created"
    PERSON = "person"
    SERVICE = "service"
    STATUS = "status"


def _order(sort: ReferralSort, descending: bool,
           limits: Mapping[ReferralStatus, int]) -> list[ColumnElement[object]]:
    if sort == ReferralSort.DUE:
        due = due_clause(limits)
        # "No follow-up day" (closed, declined...) stays at the end in both directions.
        return [due.is_(None).asc(), due.desc() if descending else due.asc(),
                Referral.id.desc() if descending else Referral.id.asc()]
    columns: dict[ReferralSort, list[ColumnElement[object]]] = {
        ReferralSort.CHANGED: [Referral.status_changed_on],
        ReferralSort.CREATED: [Referral.created_on],
        # Danish order as in the people list (people_search), so both lists agree.
        ReferralSort.PERSON: [dialect.danish(Person.last_name),
                              dialect.danish(Person.first_name)],
        ReferralSort.SERVICE: [dialect.danish(Service.name)],
        ReferralSort.STATUS: [Referral.status, Referral.status_changed_on],
    }
    # The id last, so pages never overlap or skip rows when the sort keys tie.
    keys = [*columns[ReferralSort(sort)], Referral.id]
    return [k.desc() if descending else k.asc() for k in keys]


def list_referrals(
    ctx: AppContext,
    *,
    status: ReferralStatus | Collection[ReferralStatus] | None = None,
    service_id: int | None = None,
    staff_id: int | None = None,
    person_id: int | None = None,
    overdue_only: bool = False,
    sort: ReferralSort = ReferralSort.CHANGED,
    descending: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[ReferralRow]:
    """One page of referrals, by default the latest status change first. Filtered,
    sorted and paged in SQL."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        clauses = _filters(ctx, session, status, service_id, staff_id, person_id, overdue_only)
        limits, today = reminder_limits(session), ctx.today()
        query = (base_query().join(Service, Service.id == Referral.service_id).where(*clauses)
                 .order_by(*_order(sort, descending, limits))
                 .offset(max(0, offset)).limit(clamp_limit(limit)))
        return [row_of(r, today, limits) for r in session.scalars(query)]


def count_referrals(
    ctx: AppContext,
    *,
    status: ReferralStatus | Collection[ReferralStatus] | None = None,
    service_id: int | None = None,
    staff_id: int | None = None,
    person_id: int | None = None,
    overdue_only: bool = False,
) -> int:
    """How many rows ``list_referrals`` has in all, for a lazy table's ``canFetchMore``."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        clauses = _filters(ctx, session, status, service_id, staff_id, person_id, overdue_only)
        query = (select(func.count(Referral.id)).join(Person, Person.id == Referral.person_id)
                 .where(Referral.deleted_at.is_(None), *clauses))
        return int(session.scalar(query) or 0)


def overdue_referrals(ctx: AppContext, *, limit: int = 200) -> list[ReferralRow]:
    """Referrals that stayed too long in their status, most overdue first (start page):
    the earliest follow-up day, not the earliest status day, as limits differ by status."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        session = unit.session
        limits, today = reminder_limits(session), ctx.today()
        query = (base_query().where(visible_person(ctx), overdue_clause(limits, today))
                 .order_by(*_order(ReferralSort.DUE, False, limits)).limit(limit))
        return [row_of(r, today, limits) for r in session.scalars(query)]
