"""Foundation queries: the shapes every screen leans on."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from boligsag.services.context import AppContext
from boligsag.storage.models import Contact, Person

from . import Case


def _some_cpr(ctx: AppContext) -> str:
    with ctx.read() as unit:
        return unit.session.scalars(select(Person.cpr).where(Person.cpr.is_not(None))
                                    .limit(1).offset(500)).one()


def person_by_cpr(ctx: AppContext, cpr: Any) -> object:
    with ctx.read() as unit:
        return unit.session.scalars(select(Person.id).where(Person.cpr == cpr)).all()


def contacts_per_channel_one_year(ctx: AppContext, _: Any) -> object:
    year = ctx.today().year - 1
    with ctx.read() as unit:
        return unit.session.execute(
            select(Contact.channel_id, func.count(), func.sum(Contact.duration_minutes))
            .where(Contact.occurred_at >= date(year, 1, 1),
                   Contact.occurred_at < date(year + 1, 1, 1),
                   Contact.deleted_at.is_(None))
            .group_by(Contact.channel_id)
        ).all()


def first_people_page(ctx: AppContext, _: Any) -> object:
    with ctx.read() as unit:
        return unit.session.execute(
            select(Person.id, Person.first_name, Person.last_name, Person.birth_date)
            .where(Person.deleted_at.is_(None))
            .order_by(Person.last_name, Person.first_name).limit(100)
        ).all()


CASES = [
    Case("person by CPR (indexed)", person_by_cpr, 50, prepare=_some_cpr),
    Case("contacts per channel, one year (covering index)", contacts_per_channel_one_year),
    Case("people ordered by name, first 100 rows", first_people_page, 300),
]
