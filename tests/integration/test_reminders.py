"""Personal reminders ("Påmind mig"): only their owner sees or changes them, they are
about something the owner may see, and every write is in the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import NotFound, PermissionDenied, ValidationFailed
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.reminders import (
    SubjectKind,
    create_reminder,
    delete_reminder,
    mark_reminder_done,
    my_due_reminders,
    restore_reminder,
    undo_reminder_done,
)
from boligsag.storage.models import AuditEntry

from .casework_helpers import add_user, logged_in


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def test_a_reminder_is_mine_alone_and_shows_from_its_day(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "karin", Role.STAFF)
    ayse = create_person(ctx, PersonDraft("Ayşe", "Kaya")).person.id
    row = create_reminder(ctx, date(2026, 11, 26), "  Ring til  Ayşe om boligen ",
                          person_id=ayse)
    assert row.text == "Ring til Ayşe om boligen"
    assert row.subject_kind == SubjectKind.PERSON and row.person_name == "Ayşe Kaya"
    assert my_due_reminders(ctx) == []  # due tomorrow
    assert [r.id for r in my_due_reminders(ctx, date(2026, 11, 26))] == [row.id]
    clock.advance(days=2)
    [due] = my_due_reminders(ctx)
    assert due.overdue

    with logged_in(ctx, clock, "karin") as karin:
        assert my_due_reminders(karin) == []
        with pytest.raises(NotFound):
            mark_reminder_done(karin, row.id)
        with pytest.raises(NotFound):
            delete_reminder(karin, row.id)

    mark_reminder_done(ctx, row.id)
    assert my_due_reminders(ctx) == []
    undo_reminder_done(ctx, row.id)
    assert [r.id for r in my_due_reminders(ctx)] == [row.id]
    delete_reminder(ctx, row.id)
    assert my_due_reminders(ctx) == []
    with ctx.read() as unit:
        session = unit.session
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "reminders").order_by(AuditEntry.id)))
    assert actions == ["create", "update", "update", "delete"]


def test_a_reminder_needs_a_day_a_short_text_and_a_subject_i_may_see(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "karin", Role.STAFF)
    add_user(ctx, "frida", Role.VOLUNTEER)
    hidden = create_person(ctx, PersonDraft("Omar", "Ali", restricted=True,
                                            responsible_user_id=ctx.actor.user_id)).person.id
    with pytest.raises(ValidationFailed) as failed:
        create_reminder(ctx, None, " ")
    assert set(failed.value.fields) == {"due_on", "text"}
    with pytest.raises(ValidationFailed) as failed:
        create_reminder(ctx, date(2026, 12, 1), "x" * 201)
    assert "201" in failed.value.field_messages_en()["text"]
    with logged_in(ctx, clock, "karin") as karin:
        with pytest.raises(PermissionDenied):
            create_reminder(karin, date(2026, 12, 1), "Se til Omar", person_id=hidden)
        create_reminder(karin, date(2026, 11, 25), "Teammøde kl. 13")  # about nothing
        assert [r.text for r in my_due_reminders(karin)] == ["Teammøde kl. 13"]
    with logged_in(ctx, clock, "frida") as frida, pytest.raises(PermissionDenied):
        create_reminder(frida, date(2026, 12, 1), "Ayşe", person_id=hidden)


def test_only_the_owner_brings_a_deleted_reminder_back(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "karin", Role.STAFF)
    row = create_reminder(ctx, date(2026, 11, 25), "Bestil lokale")
    with pytest.raises(NotFound):
        restore_reminder(ctx, row.id)  # not deleted: nothing to bring back
    delete_reminder(ctx, row.id)
    with logged_in(ctx, clock, "karin") as karin, pytest.raises(NotFound):
        restore_reminder(karin, row.id)
    restore_reminder(ctx, row.id)
    assert [r.text for r in my_due_reminders(ctx)] == ["Bestil lokale"]
