"""What a sync conflict shows a person: which record, which field, and both values in
words (services/sync_client/conflicts.py builds its rows from these).

A conflict holds WIRE values (services/sync/wire_tables.py): a foreign key is the
referenced row's uuid or a vocabulary key, a date an ISO string, a link list a list of
uuids or keys. Here they become what the app's own pages show: names, ``03.12.2026``,
"Ja"/"Nej", the vocabulary's label. A whole-record conflict (field ``"*"``) holds a dict
of fields; it is shown as "Field: value; …", and ``{"deleted": true}`` as "Slettet".

Everything is read through one :class:`Lookup` per list, which asks the database once
per referenced table, not once per value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.formatting import short_date, short_date_time, time_text
from boligsag.i18n import tr
from boligsag.services.casework_common import gender_label, label
from boligsag.services.sync.wire_tables import SPECS, VOCABULARIES, Field
from boligsag.services.sync.wire_vocabulary import vocabularies
from boligsag.storage.models import AgeGroupRow, Base, Channel, ConsentScope, FocusArea, Topic

__all__ = ["Lookup", "field_label", "is_text_field", "record_kind_label", "short_name"]

WHOLE_RECORD = "*"
MAX_TEXT = 2000  # a value shown in a list cell; the merge dialog reads the raw text


def record_kind_label(table: str) -> str:
    # Literal tr() calls, one per table, so the catalogue test sees every text.
    return {
        "people": tr("Person"), "households": tr("Household"), "contacts": tr("Contact"),
        "consents": tr("Consent"), "referrals": tr("Referral"),
        "referral_events": tr("Referral step"), "jobs": tr("Job"),
        "job_follow_ups": tr("Job follow-up"), "enrollments": tr("Enrollment"),
        "sessions": tr("Session"), "activities": tr("Activity"),
        "reminders": tr("Personal reminder"), "person_relations": tr("Parent and child"),
        "services": tr("Service"), "areas": tr("Area"), "plans": tr("Plan"),
        "users": tr("Staff member"),
    }.get(table, table)


def _field_labels() -> dict[str, str]:
    """Wire name → the label the app's forms use for it (any table)."""
    return {
        "first_name": tr("First name"), "last_name": tr("Last name"),
        "cpr": tr("CPR number"), "birth_date": tr("Birth date"), "gender": tr("Gender"),
        "phone": tr("Phone"), "email": tr("E-mail"), "street": tr("Address"),
        "postal_code": tr("Postal code"), "city": tr("City"), "area": tr("Area"),
        "household": tr("Household"), "languages": tr("Languages"),
        "restricted": tr("Restricted case"), "responsible_user": tr("Responsible"),
        "note": tr("Note"), "name": tr("Name"), "occurred_at": tr("Time"),
        "staff_user": tr("Staff member"), "channel": tr("Channel"),
        "duration_minutes": tr("Duration"), "anonymous": tr("Anonymous"),
        "age_group": tr("Age group"), "activity": tr("Activity"),
        "follow_up_date": tr("Follow-up date"), "follow_up_done_at": tr("Follow-up done"),
        "referred_to_service": tr("Referred to"), "referred_to_text": tr("Referred to"),
        "people": tr("People"), "topics": tr("Topics"), "service": tr("Service"),
        "reason": tr("Reason"), "status": tr("Status"), "description": tr("Description"),
        "start_date": tr("Start date"), "end_date": tr("End date"), "goals": tr("Goals"),
        "employer": tr("Employer"), "purpose": tr("Purpose"), "person": tr("Person"),
        "kind": tr("Kind"), "mentor_user": tr("Mentor"), "contact_user": tr("Contact person"),
        "date": tr("Date"), "attendance": tr("Attendance"), "due_on": tr("Due"),
        "text": tr("Reminder text"), "due_date": tr("Due"), "valid_from": tr("Valid from"),
        "valid_to": tr("Valid to"), "signed_on": tr("Signed on"),
        "withdrawn_on": tr("Withdrawn on"), "scope": tr("What the consent covers"),
        "sent_on": tr("Sent on"), "closed_on": tr("Closed on"),
        "first_meeting_on": tr("First meeting"), "hours_per_week": tr("Hours per week"),
        "hourly_pay": tr("Hourly pay"), "done_at": tr("Done"),
        "has_custody": tr("Has custody"), "parent": tr("Parent"), "child": tr("Child"),
    }


def field_label(field: str) -> str:
    if field == WHOLE_RECORD:
        return tr("The whole record")
    return _field_labels().get(field, field.replace("_", " ").capitalize())


def wire_field(table: str, name: str) -> Field | None:
    spec = SPECS.get(table)
    return next((f for f in spec.fields if f.name == name), None) if spec else None


def is_text_field(table: str, name: str) -> bool:
    """A free text without a length limit (a note, a reason, goals): the one kind of
    value two people's versions of can sensibly be merged by hand."""
    found = wire_field(table, name)
    return (found is not None and found.codec is not None and found.ref is None
            and found.codec.expected == "a string")


def short_name(first: str, last: str) -> str:
    """"Aisha H.": enough to tell people apart in a list of conflicts."""
    initial = f" {last.strip()[0]}." if last.strip() else ""
    return f"{first.strip()}{initial}".strip()


class Lookup:
    """Names of referenced rows and vocabulary entries, read once per table."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._names: dict[str, dict[str, str]] = {}
        self._vocab: dict[str, dict[str, str]] = {}

    # -- rows by uuid -------------------------------------------------------------------

    def names(self, table: str, uuids: Iterable[str]) -> dict[str, str]:
        known = self._names.setdefault(table, {})
        missing = [u for u in set(uuids) if u not in known]
        if missing and table in Base.metadata.tables:
            t = Base.metadata.tables[table]
            if table == "people":
                for uuid, first, last in self.session.execute(
                        select(t.c.uuid, t.c.first_name, t.c.last_name)
                        .where(t.c.uuid.in_(missing))):
                    known[uuid] = f"{first} {last}".strip()
            elif table == "users":
                for uuid, name in self.session.execute(
                        select(t.c.uuid, t.c.full_name).where(t.c.uuid.in_(missing))):
                    known[uuid] = name
            elif "name" in t.c:
                for uuid, name in self.session.execute(
                        select(t.c.uuid, t.c.name).where(t.c.uuid.in_(missing))):
                    known[uuid] = name
        return {u: known.get(u, record_kind_label(table)) for u in uuids}

    def name(self, table: str, uuid: str | None) -> str:
        return self.names(table, [uuid])[uuid] if uuid else ""

    # -- vocabulary keys ----------------------------------------------------------------

    def vocab_label(self, table: str, key: str) -> str:
        if table not in self._vocab:
            self._vocab[table] = self._load_vocab(table)
        return self._vocab[table].get(key, key)

    def _load_vocab(self, table: str) -> dict[str, str]:
        keys = vocabularies(self.session)[table].keys  # local id (or code) → wire key
        model = {"channels": Channel, "focus_areas": FocusArea, "topics": Topic}.get(table)
        if model is not None:
            rows = self.session.execute(select(model.id, model.name_da, model.name_en))
            return {keys[i]: label(da, en) for i, da, en in rows if i in keys}
        model2 = {"age_groups": AgeGroupRow, "consent_scopes": ConsentScope}[table]
        rows = self.session.execute(select(model2.code, model2.label_da, model2.label_en))
        return {code: label(da, en) for code, da, en in rows}

    # -- values -------------------------------------------------------------------------

    def value_text(self, table: str, name: str, value: Any) -> str:
        """One wire value of field ``name`` of ``table`` in words, or a whole-record
        value (a dict of fields) as "Field: value; …"."""
        if name == WHOLE_RECORD:
            return self.record_text(table, value)
        if value is None or value == "" or value == []:
            return tr("(empty)")
        spec = SPECS.get(table)
        links = {x.name: x for x in spec.links} if spec else {}
        if name in links:
            return self._refs_text(links[name].ref, value)
        if spec and name in {c.name for c in spec.children}:
            return tr("{count} entries", count=len(value)) if isinstance(value, list) \
                else str(value)
        found = wire_field(table, name)
        if found is None:
            return _plain(value)
        if found.code_list is not None and isinstance(value, list):
            return ", ".join(self.vocab_label(found.code_list, str(v)) for v in value)
        if found.ref is not None:
            return self._refs_text(found.ref, [value])
        return _typed(found, name, value)

    def _refs_text(self, ref: str, values: Any) -> str:
        if not isinstance(values, list):
            return _plain(values)
        items = [str(v) for v in values]
        if ref in VOCABULARIES:
            return ", ".join(self.vocab_label(ref, v) for v in items)
        names = self.names(ref, items)
        return ", ".join(names[v] for v in items)

    def record_text(self, table: str, values: Any) -> str:
        if not isinstance(values, dict):
            return _plain(values)
        if values.get("deleted") is True and len(values) == 1:
            return tr("Deleted")
        parts = [f"{field_label(k)}: {self.value_text(table, k, v)}"
                 for k, v in values.items() if k != "deleted"]
        if values.get("deleted") is True:
            parts.insert(0, tr("Deleted"))
        return "; ".join(parts) or tr("(empty)")


def _typed(found: Field, name: str, value: Any) -> str:
    expected = found.codec.expected if found.codec else ""
    try:
        if isinstance(value, bool):
            return tr("Yes") if value else tr("No")
        if expected.startswith("a date"):
            return short_date(date.fromisoformat(value))
        if expected.startswith("a local time"):
            return short_date_time(datetime.fromisoformat(value))
        if expected.startswith("a time"):
            return time_text(time.fromisoformat(value))
    except (TypeError, ValueError):
        return _plain(value)
    if name == "gender":
        return gender_label(value)
    if name == "duration_minutes" and isinstance(value, int):
        return tr("{minutes} min.", minutes=value)
    return _plain(value)


def _plain(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def people_of(session: Session, table: str, row_ids: Iterable[int]) -> dict[int, list[int]]:
    """The people (ids) each row of ``table`` is about: a person itself, a contact's
    people, a record's person, a referral step's or a job follow-up's person."""
    ids = list(row_ids)
    found: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return found
    tables = Base.metadata.tables
    t = tables.get(table)
    if table == "people":
        return {i: [i] for i in ids}
    if table == "contacts":
        link = tables["contact_people"]
        for contact_id, person_id in session.execute(
                select(link.c.contact_id, link.c.person_id)
                .where(link.c.contact_id.in_(ids))):
            found[contact_id].append(person_id)
        return found
    if table == "person_relations" and t is not None:
        for rid, parent, child in session.execute(
                select(t.c.id, t.c.parent_id, t.c.child_id).where(t.c.id.in_(ids))):
            found[rid] += [parent, child]
        return found
    via = {"referral_events": ("referral_id", "referrals"),
           "job_follow_ups": ("job_id", "jobs")}.get(table)
    if via is not None and t is not None:
        parent = tables[via[1]]
        for rid, person_id in session.execute(
                select(t.c.id, parent.c.person_id)
                .join(parent, parent.c.id == t.c[via[0]]).where(t.c.id.in_(ids))):
            found[rid].append(person_id)
        return found
    if t is not None and "person_id" in t.c:
        for rid, person_id in session.execute(
                select(t.c.id, t.c.person_id).where(t.c.id.in_(ids))):
            if person_id is not None:
                found[rid].append(person_id)
    return found
