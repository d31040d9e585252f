"""SSP-locked notes on the team server (issue 13 §5; services/sync/ssp_strip.py): a pull
or fetch never carries an SSP note's text (nor a conflict's values about it) to a user
without SSP access, each pull page says whether the user has it, and such a user's
push may not lock, unlock, rewrite or delete an SSP note. On the laptop the replica
follows the page: the notes go when access goes, and are fetched again when it comes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from boligsag.domain.enums import ContactKind
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext
from boligsag.services.sync import holdings
from boligsag.services.sync.errors import Refused
from boligsag.services.sync_client import pull_client, server_link
from boligsag.storage.models import Contact

from .casework_helpers import give_ssp_access, person
from .sync_server import (  # noqa: F401  (fixtures)
    SyncServer,
    delete,
    edit,
    new_contact,
    new_person,
    server_fixture,
    template_fixture,
)

PLANTED = "Brombjerg-plantet-SSP-notat"


def _everything(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False)


def test_a_user_without_ssp_access_never_pulls_the_text_and_cannot_change_it(
        server: SyncServer) -> None:
    server.actors["ssp"] = replace(server.actors["staff2"], ssp_access=True)
    server.actors["ssp_lead"] = replace(server.actors["lead"], ssp_access=True)
    area = server.areas["Ærtebjerg Øst"]
    youth = new_person("Yusuf", "Demir", area=area)
    author = server.actors["ssp"].user_uuid
    contact = new_contact(author, [youth["uuid"]], note=PLANTED, ssp_locked=True)
    server.push("ssp", [youth, contact])

    for device in ("staff", "lead", "admin"):  # a team lead or administrator too
        page = server.pull(device, limit=5000)
        assert page["ssp_access"] is False
        (row,) = [r for r in page["rows"] if r["uuid"] == contact["uuid"]]
        assert (row["fields"]["ssp_locked"], row["fields"]["note"]) == (True, "")
        assert PLANTED not in _everything(page["rows"]), device
    page = server.pull("ssp", limit=5000)
    assert page["ssp_access"] is True
    assert PLANTED in _everything(page["rows"])
    with server.db.reading() as session:
        fetched = holdings.fetch(session, server.actors["staff"], "contacts", [contact["uuid"]])
    assert PLANTED not in _everything(fetched["rows"]) and fetched["rows"]

    # Two SSP edits of the note at once: a conflict, whose values only SSP users get.
    server.push("ssp", [edit("contacts", contact["uuid"], 1, note=PLANTED + " (rettet)")])
    server.push("ssp_lead", [edit("contacts", contact["uuid"], 1, note=PLANTED + " (lead)")])
    assert [c.field for c in server.conflicts()] == ["note"]
    rows, _ = server.pull_all("lead")  # a team lead sees every conflict
    assert "sync_conflicts" in {r["table"] for r in rows}
    assert PLANTED not in _everything(rows)
    rows, _ = server.pull_all("ssp")
    assert PLANTED in _everything([r for r in rows if r["table"] == "sync_conflicts"])

    version = server.row("contacts", contact["uuid"])["version"]
    staff = server.actors["staff"].user_uuid
    for refused in (edit("contacts", contact["uuid"], version, note=""),
                    edit("contacts", contact["uuid"], version, ssp_locked=False),
                    delete("contacts", contact["uuid"], version),
                    new_contact(staff, [youth["uuid"]], note="Mit", ssp_locked=True)):
        with pytest.raises(Refused, match="SSP access"):
            server.push("staff", [refused])
    # Her edit of another field stands, and the note with it.
    server.push("staff", [edit("contacts", contact["uuid"], version, duration_minutes=40)])
    after = server.row("contacts", contact["uuid"])["fields"]
    assert after["duration_minutes"] == 40 and after["note"].startswith(PLANTED)


def test_a_replica_empties_its_ssp_notes_when_access_goes_and_refetches_when_it_comes(
        ctx: AppContext) -> None:
    give_ssp_access(ctx)
    youth = person(ctx, "Yusuf", "Demir").person
    contact = log_contact(ctx, ContactDraft("phone", person_ids=(youth.id,), ssp_locked=True,
                                            note=PLANTED, kind=ContactKind.CONTACT,
                                            occurred_at=datetime(2026, 11, 20, 10)))
    plain = log_contact(ctx, ContactDraft("phone", person_ids=(youth.id,), note="Almindelig",
                                          occurred_at=datetime(2026, 11, 21, 10)))

    def notes() -> dict[int, str]:
        with ctx.read() as unit:
            return {i: note for i, note in unit.session.execute(select(Contact.id, Contact.note))}

    pull_client.apply_page(ctx, {"rows": [], "cursor": None, "more": False,
                                 "ssp_access": True})  # as it was: nothing to do
    assert notes() == {contact.id: PLANTED, plain.id: "Almindelig"}
    pull_client.apply_page(ctx, {"rows": [], "cursor": None, "more": False,
                                 "ssp_access": False})
    assert notes() == {contact.id: "", plain.id: "Almindelig"}
    with ctx.read() as unit:
        assert server_link.refetch_due(unit.session) == []
    pull_client.apply_page(ctx, {"rows": [], "cursor": None, "more": False,
                                 "ssp_access": True})
    with ctx.read() as unit:
        assert server_link.refetch_due(unit.session) == [("contacts", contact.uuid)]
        assert server_link.reconcile_due(unit.session) is True
