"""Casework: search-as-you-type, a person's timeline, quick-log save, the first page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.people_search import list_people
from boligsag.services.timeline import person_timeline
from boligsag.storage.models import Person, contact_people

from . import Case

# What a worker types, one keystroke at a time, for a few kinds of search.
KEYSTROKES = ["a", "ah", "ahm", "ahme", "ahmed", "n", "nø", "nør", "nørg", "søn", "sønd",
              "2030", "20304", "0101", "010190"]


def _typing(ctx: AppContext, _: Any) -> object:
    """Every keystroke of a few typed searches: the list's first page for each prefix."""
    for text in KEYSTROKES:
        list_people(ctx, text, limit=50)
    return None


def _busiest_person(ctx: AppContext) -> int:
    with ctx.read() as unit:
        return unit.session.scalars(
            select(contact_people.c.person_id).group_by(contact_people.c.person_id)
            .order_by(func.count().desc()).limit(1)).one()


def _typical_person(ctx: AppContext) -> int:
    with ctx.read() as unit:
        return unit.session.scalars(select(Person.id).where(Person.deleted_at.is_(None))
                                    .order_by(Person.id).offset(4321).limit(1)).one()


def _timeline(ctx: AppContext, person_id: Any) -> object:
    return person_timeline(ctx, person_id, limit=50)


def _log(ctx: AppContext, person_id: Any) -> object:
    return log_contact(ctx, ContactDraft(channel="phone", person_ids=(person_id,),
                                         duration_minutes=15, note="Benchmark-kontakt"))


def _first_page(ctx: AppContext, _: Any) -> object:
    return list_people(ctx, "", limit=100)



# DESIGN.md §6: search-as-you-type, a person's timeline and a quick-log save < 10 ms in
# the service, < 20 ms for the busiest person.
CASES = [
    Case(f"search-as-you-type, per keystroke (mean of {len(KEYSTROKES)})", _typing, 10,
         operations=len(KEYSTROKES)),
    Case("timeline, typical person (50 newest items)", _timeline, 10, prepare=_typical_person),
    Case("timeline, busiest person (50 newest items)", _timeline, 20, prepare=_busiest_person),
    Case("quick-log contact save", _log, 10, prepare=_typical_person),
    Case("people list, first page (100 rows)", _first_page, 300),
]
