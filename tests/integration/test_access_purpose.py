"""A purpose before someone else's restricted case is opened (issue 13 §4;
services/access_purpose.py): a team lead or administrator opening it, its timeline or
its access report is refused until a purpose is given; the purpose is checked (not
empty, no CPR number) and goes into the audit entry of each view, where the access log
shows it; the responsible staff member and unrestricted people need none; a new
log-in asks again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from boligsag.domain.enums import AuditAction, Role
from boligsag.services import access_log
from boligsag.services.access_log import AccessQuery
from boligsag.services.access_purpose import PurposeRequired, give_purpose
from boligsag.services.contacts import (
    ContactDraft,
    get_contact,
    list_contacts,
    log_contact,
    update_contact,
)
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import ValidationFailed
from boligsag.services.indsigt import render_indsigt_report
from boligsag.services.people import PersonDraft, create_person, get_person
from boligsag.services.timeline import person_timeline
from boligsag.services.unlock import UnlockOptions, lock, unlock

from ..conftest import CreatedDb
from .casework_helpers import add_user, logged_in


def test_someone_elses_restricted_case_opens_only_with_a_purpose_that_is_logged(
        ctx: AppContext, clock: FixedClock, created_db: CreatedDb) -> None:
    add_user(ctx, "anna", Role.STAFF)
    with logged_in(ctx, clock, "anna") as anna:
        secret = create_person(anna, PersonDraft("Fatima", "Ali", restricted=True)).person.id
        get_person(anna, secret)  # Anna's own case: no question
        person_timeline(anna, secret)
    open_case = create_person(ctx, PersonDraft("Amina", "Ali")).person.id
    get_person(ctx, open_case)  # not restricted: no question

    for opening in (lambda: get_person(ctx, secret), lambda: person_timeline(ctx, secret),
                    lambda: render_indsigt_report(ctx, secret)):
        with pytest.raises(PurposeRequired) as asked:
            opening()
        assert asked.value.person_id == secret and asked.value.name == "Fatima Ali"
    for bad, message in (("   ", "Vælg eller skriv et formål."),
                         ("Møde om 010203-1234", "Skriv ikke et CPR-nummer i formålet."),
                         ("x" * 201, "Brug højst 200 tegn.")):
        with pytest.raises(ValidationFailed) as refused:
            give_purpose(ctx, secret, bad)
        assert refused.value.field_messages() == {"purpose": message}

    give_purpose(ctx, secret, "Ledelsestilsyn   eller kvalitetssikring")
    assert get_person(ctx, secret).person.first_name == "Fatima"
    person_timeline(ctx, secret)
    views = access_log.access_log(ctx, AccessQuery(person_ids=(secret,),
                                                   action=AuditAction.VIEW)).items
    assert views[0].username == "admin"
    assert views[0].detail == "purpose: Ledelsestilsyn eller kvalitetssikring"
    assert views[-1].username == "anna" and views[-1].detail == ""

    again = unlock(created_db.path, "admin", created_db.password, clock=clock,
                   options=UnlockOptions(integrity_check=False))
    try:  # a new log-in asks again
        with pytest.raises(PurposeRequired):
            get_person(again, secret)
    finally:
        lock(again)


def test_a_contact_with_someone_elses_restricted_case_opens_only_with_a_purpose(
        ctx: AppContext, clock: FixedClock) -> None:
    """From the contacts list, the start page or a reminder: the list row has no note, and
    opening the contact asks for the purpose as opening the person does."""
    add_user(ctx, "anna", Role.STAFF)
    with logged_in(ctx, clock, "anna") as anna:
        secret = create_person(anna, PersonDraft("Fatima", "Ali", restricted=True)).person.id
        contact = log_contact(anna, ContactDraft("phone", person_ids=(secret,),
                                                 note="Fortalte om volden derhjemme")).id
        assert get_contact(anna, contact).note == "Fortalte om volden derhjemme"  # hers
    (row,) = list_contacts(ctx).items
    assert (row.note, row.purpose_needed) == ("", True)
    with pytest.raises(PurposeRequired) as asked:
        get_contact(ctx, contact)
    assert asked.value.person_id == secret
    # An edit of another field from the list row keeps the note it never had.
    changed = update_contact(ctx, contact, row.version,
                             replace(row.to_draft(), duration_minutes=20))
    assert changed.note == "" and changed.duration_minutes == 20

    give_purpose(ctx, secret, "Dækker for en kollega")
    opened = get_contact(ctx, contact)
    assert (opened.note, opened.purpose_needed) == ("Fortalte om volden derhjemme", False)
    views = access_log.access_log(ctx, AccessQuery(person_ids=(secret,),
                                                   action=AuditAction.VIEW)).items
    assert views[0].username == "admin" and views[0].detail == "purpose: Dækker for en kollega"
