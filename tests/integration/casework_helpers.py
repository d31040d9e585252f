"""Shared set-up for the casework integration tests: more users, people, reference ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.domain.permissions import Permission
from boligsag.services.context import Actor, AppContext, FixedClock
from boligsag.services.people import PersonDetail, PersonDraft, create_person
from boligsag.services.staff import get_staff, staff_input, update_staff
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import create_user
from boligsag.storage.models import Channel, FocusArea, Plan, Topic, User

from ..conftest import CreatedDb

PASSWORD = "et-langt-kodeord-1"


def add_user(admin: AppContext, username: str, role: Role) -> int:
    if admin.db.path is None:
        # PostgreSQL: no key file to hold a password (the server keeps its own
        # credentials), so the account is just its users row.
        with admin.write(Permission.MANAGE_USERS) as unit:
            user = User(username=username, full_name=username.capitalize(), role=role)
            unit.session.add(user)
            unit.session.flush()
            return user.id
    return create_user(admin, username, username.capitalize(), role, PASSWORD).id


def give_ssp_access(admin: AppContext, user_id: int | None = None) -> None:
    """SSP access (services/ssp_notes.py) for ``user_id``, the administrator by default,
    as the staff form gives it (on PostgreSQL, which has no key file, the row itself)."""
    if admin.db.path is None:
        with admin.write(Permission.MANAGE_USERS) as unit:
            unit.session.get_one(User, user_id or admin.actor.user_id).ssp_access = True
        return
    row = get_staff(admin, user_id or admin.actor.user_id)
    update_staff(admin, row.id, replace(staff_input(row), ssp_access=True), stamp=row.stamp)


@contextmanager
def logged_in(source: CreatedDb | AppContext, clock: FixedClock, username: str
              ) -> Iterator[AppContext]:
    """``username`` signed in to the same database as ``source``: unlocked with their
    password for an encrypted file; on PostgreSQL (no file to unlock, the server checks
    passwords) a context over the same engine acting as them."""
    if isinstance(source, AppContext) and source.db.path is None:
        with source.db.reading() as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            actor = Actor(user.id, user.uuid, user.username, user.full_name, user.role)
        yield AppContext(source.db, actor, keys_path=source.keys_path, clock=clock)
        return
    path = source.path if isinstance(source, CreatedDb) else source.db.path
    ctx = unlock(path, username, PASSWORD, clock=clock,
                 options=UnlockOptions(integrity_check=False))
    try:
        yield ctx
    finally:
        lock(ctx)


def person(ctx: AppContext, first: str = "Ayşe", last: str = "Kaya", **fields: object
           ) -> PersonDetail:
    return create_person(ctx, PersonDraft(first, last, **fields))  # type: ignore[arg-type]


def contact_topic_ids(ctx: AppContext, *codes: str) -> tuple[int, ...]:
    """Ids of contact topics of the current plan's period, by code."""
    with ctx.read() as unit:
        session = unit.session
        period = session.scalars(select(Plan.period)).one()
        rows = session.execute(
            select(Topic.code, Topic.id).join(FocusArea, FocusArea.id == Topic.focus_area_id)
            .where(Topic.category == "contact", FocusArea.period == period,
                   Topic.code.in_(codes))).all()
        return tuple(dict(rows)[code] for code in codes)


def other_period_topic_id(ctx: AppContext) -> int:
    with ctx.read() as unit:
        session = unit.session
        period = session.scalars(select(Plan.period)).one()
        return session.scalars(
            select(Topic.id).join(FocusArea, FocusArea.id == Topic.focus_area_id)
            .where(Topic.category == "contact", FocusArea.period != period)).first()


def focus_area_id(ctx: AppContext, *, current: bool = True) -> int:
    with ctx.read() as unit:
        session = unit.session
        period = session.scalars(select(Plan.period)).one()
        query = select(FocusArea.id).where(
            FocusArea.period == period if current else FocusArea.period != period)
        return session.scalars(query.order_by(FocusArea.sort_order)).first()


def channel_codes(ctx: AppContext) -> list[str]:
    with ctx.read() as unit:
        session = unit.session
        return list(session.scalars(select(Channel.code).order_by(Channel.sort_order)))
