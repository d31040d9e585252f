"""What names a record a refused change was about, read while the record is still on
this laptop (push_client keeps it with the change it sets aside; refused.py shows it).

A change the server refused is usually about a person who left the user's areas, and
the same sync's reconcile then removes that person from the laptop: afterwards nothing
here says whose note it was. So the names are noted at the moment of the refusal, as
plain facts (no words, so the list reads in whichever language the app uses later):
``{"people": [[uuid, "First Last"], …], "name": "…", "when": "2026-12-03…"}``, each
key only when known. They stay in the encrypted database (an org setting), never in a
file or a log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.storage.models import Base, Person

from .conflict_texts import people_of

__all__ = ["WHEN_COLUMNS", "snapshot"]

# The column that says when a record is, by table (the first one the table has).
WHEN_COLUMNS = ("occurred_at", "date", "signed_on", "due_date", "due_on", "start_date")


def snapshot(session: Session, table: str, row_uuid: str) -> dict[str, Any]:
    """The facts that name row ``row_uuid`` of ``table``; {} when it is not here."""
    t = Base.metadata.tables.get(table)
    if t is None or "uuid" not in t.c:
        return {}
    row = session.execute(select(t).where(t.c.uuid == row_uuid)).mappings().first()
    if row is None:
        return {}
    facts: dict[str, Any] = {}
    person_ids = people_of(session, table, [row["id"]]).get(row["id"], [])
    if person_ids:
        persons = {p.id: p for p in session.scalars(
            select(Person).where(Person.id.in_(person_ids)))}
        facts["people"] = [[persons[i].uuid,
                            f"{persons[i].first_name} {persons[i].last_name}".strip()]
                           for i in person_ids if i in persons]
    if "name" in t.c and row["name"]:
        facts["name"] = str(row["name"])
    when = next((row[c] for c in WHEN_COLUMNS if c in t.c and row[c] is not None), None)
    if when is not None:
        facts["when"] = when.isoformat()
    return facts
