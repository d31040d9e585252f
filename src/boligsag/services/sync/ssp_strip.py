"""SSP-locked notes on the team server (issue 13 §5; services/ssp_notes.py).

A contact's note marked SSP travels only to laptops whose user has SSP access
(``SyncActor.ssp_access``, from the user's row at each request):

- a pull or fetch sends everyone else such a contact with its note EMPTY, not left out:
  a laptop that held the note from before it was locked has it overwritten; the same
  for the two values of a conflict about that note (:func:`strip_ssp_notes`);
- a push from anyone else may not lock a note, unlock one, change an SSP note's text or
  delete its contact (:func:`ssp_refusal`, used by scope.py): their laptop never had
  the text, so such a change could only destroy it;
- every pull page says whether the user has SSP access now (``ssp_access``), so a
  laptop whose user gained it fetches its SSP contacts again, and one whose user lost it
  empties their notes (sync_client/ssp_follow.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.storage.models import Contact

from .actor import SyncActor

__all__ = ["locked_contacts", "ssp_refusal", "strip_ssp_notes"]

_CHUNK = 5000  # uuids per IN list


def locked_contacts(session: Session, uuids: Iterable[str]) -> set[str]:
    """Which of ``uuids`` are SSP-locked contacts on the server."""
    wanted = sorted(set(uuids))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        found.update(session.scalars(select(Contact.uuid).where(
            Contact.uuid.in_(wanted[start:start + _CHUNK]), Contact.ssp_locked.is_(True))))
    return found


def strip_ssp_notes(session: Session, actor: SyncActor, rows: list[dict[str, Any]]) -> None:
    """Empty, in copies (pulled rows are shared with other pulls), the notes of
    SSP-locked contacts in ``rows`` and in conflicts about them, unless ``actor`` has
    SSP access."""
    if actor.ssp_access:
        return
    conflicts = [i for i, row in enumerate(rows) if row["table"] == "sync_conflicts"
                 and row["fields"].get("table_name") == "contacts"
                 and row["fields"].get("field") in ("note", "*")]
    locked = locked_contacts(session, (rows[i]["fields"].get("row_uuid", "")
                                       for i in conflicts)) if conflicts else set()
    for index, row in enumerate(rows):
        fields = row["fields"]
        if row["table"] == "contacts" and fields.get("ssp_locked") and fields.get("note"):
            rows[index] = {**row, "fields": {**fields, "note": ""}}
    for index in conflicts:
        row = rows[index]
        fields = row["fields"]
        if fields.get("row_uuid") not in locked:
            continue
        rows[index] = {**row, "fields": {**fields, **{
            key: _without_note(fields["field"], fields.get(key))
            for key in ("kept_value", "other_value")}}}


def _without_note(field: str, value: Any) -> Any:
    """A conflict value (JSON text) with the note emptied."""
    if not isinstance(value, str):
        return value
    if field == "note":
        return json.dumps("")
    parsed = json.loads(value)
    if isinstance(parsed, dict) and "note" in parsed:
        parsed = {**parsed, "note": ""}
    return json.dumps(parsed, ensure_ascii=False)


def ssp_refusal(actor: SyncActor, exists: bool, locked: bool,
                change: Mapping[str, Any], fields: Mapping[str, Any]) -> str | None:
    """Why a contact change may not be pushed by ``actor`` (``locked``: the server's
    row is SSP-locked), or None."""
    if actor.ssp_access:
        return None
    if fields.get("ssp_locked") is True and not (exists and locked):
        return "only staff with SSP access may mark a note as SSP"
    if locked and ("note" in fields or fields.get("ssp_locked") is False
                   or change.get("deleted")):
        return "only staff with SSP access may change or delete an SSP note"
    return None
