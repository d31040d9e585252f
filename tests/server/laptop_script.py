"""Casework on a laptop replica through the services, as the app does it; used in the
test process and run as an app process of its own by the two-process test:

    python -m tests.server.laptop_script PATH USERNAME COMMAND [ARG ...] [then COMMAND …]

with the password in BOLIGSAG_PASSWORD (never argv); the commands run in order in one
unlocked session. Commands:

- ``contacts PERSON_UUID MARKER COUNT``: log COUNT contacts with the person, notes
  ``MARKER-0`` …;
- ``person-note PERSON_UUID TEXT``: set the person's note;
- ``sync``: one sync as the app runs it (team.connect, team.log_in, engine.sync_once).

Each command prints one JSON line (uuids made, the sync's counts) on stdout.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

from sqlalchemy import select

from boligsag.services.contacts import ContactDraft, get_contact, log_contact, update_contact
from boligsag.services.contacts import delete_contact as _delete_contact
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person, get_person, update_person
from boligsag.services.sync_client import engine, team
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Contact, Person


def person_id(ctx: AppContext, person_uuid: str) -> int:
    with ctx.db.reading() as session:
        return session.scalars(select(Person.id).where(Person.uuid == person_uuid)).one()


def contact_id(ctx: AppContext, contact_uuid: str) -> int:
    with ctx.db.reading() as session:
        return session.scalars(select(Contact.id).where(Contact.uuid == contact_uuid)).one()


def new_person(ctx: AppContext, first: str, last: str, area: int, note: str = "") -> str:
    return create_person(ctx, PersonDraft(first, last, area_id=area, note=note)).person.uuid


def log(ctx: AppContext, person_uuid: str, note: str, **fields: object) -> str:
    """One contact with the person (fields: ContactDraft's, e.g. topic_ids)."""
    draft = ContactDraft(channel=str(fields.pop("channel", "phone")),
                         person_ids=(person_id(ctx, person_uuid),), note=note,
                         **fields)  # type: ignore[arg-type]
    return log_contact(ctx, draft).uuid


def edit_contact_note(ctx: AppContext, contact_uuid: str, note: str) -> None:
    row = get_contact(ctx, contact_id(ctx, contact_uuid))
    update_contact(ctx, row.id, row.version, dataclasses.replace(row.to_draft(), note=note))


def delete_contact(ctx: AppContext, contact_uuid: str) -> None:
    row = get_contact(ctx, contact_id(ctx, contact_uuid))
    _delete_contact(ctx, row.id, row.version)


def edit_person_note(ctx: AppContext, person_uuid: str, note: str) -> None:
    detail = get_person(ctx, person_id(ctx, person_uuid))
    update_person(ctx, detail.person.id, detail.person.version,
                  dataclasses.replace(detail.to_draft(), note=note))


def sync(ctx: AppContext, password: str) -> engine.SyncOutcome:
    with team.connect(ctx) as connection:
        team.log_in(ctx, connection, password)
        return engine.sync_once(ctx, connection)


def _run(ctx: AppContext, password: str, command: str, args: list[str]) -> dict:
    if command == "contacts":
        person, prefix, count = args
        return {"contacts": [log(ctx, person, f"{prefix}-{n}") for n in range(int(count))]}
    if command == "person-note":
        person, text = args
        edit_person_note(ctx, person, text)
        return {"person": person}
    if command == "sync":
        outcome = sync(ctx, password)
        return {"pushed": outcome.pushed, "pulled": outcome.pulled,
                "new_conflicts": outcome.new_conflicts, "waiting": outcome.waiting}
    raise SystemExit(f"unknown command {command}")


def main(argv: list[str]) -> int:
    path, username, *rest = argv
    steps: list[list[str]] = [[]]
    for word in rest:
        if word == "then":
            steps.append([])
        else:
            steps[-1].append(word)
    password = os.environ["BOLIGSAG_PASSWORD"]
    ctx = unlock(Path(path), username, password,
                 options=UnlockOptions(integrity_check=False))
    try:
        for command, *args in steps:
            print(json.dumps({command: _run(ctx, password, command, args)}), flush=True)
    finally:
        lock(ctx)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
