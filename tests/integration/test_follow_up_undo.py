"""Undoing "done" on a follow-up (the start page's Fortryd): the follow-up is due
again, the undo is audited, and it never undoes more than the mark."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from boligsag.domain.enums import AuditAction, JobKind, StillEmployed
from boligsag.services.contacts import ContactDraft, log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import StaleRecord
from boligsag.services.follow_ups import (
    due_follow_ups,
    mark_follow_up_done,
    undo_follow_up_done,
)
from boligsag.services.jobs import JobDraft, create_job, record_follow_up
from boligsag.storage.models import AuditEntry

from .casework_helpers import person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def updates(ctx: AppContext) -> int:
    with ctx.read() as unit:
        session = unit.session
        return len(list(session.scalars(
            select(AuditEntry).where(AuditEntry.action == AuditAction.UPDATE))))


def test_undo_makes_a_contact_follow_up_due_again_and_is_audited(ctx: AppContext) -> None:
    ayse = person(ctx).person
    log_contact(ctx, ContactDraft(channel="phone", person_ids=(ayse.id,),
                                  follow_up_date=date(2026, 11, 25), note="Ring om skolen"))
    (item,) = due_follow_ups(ctx)
    before = updates(ctx)
    done = mark_follow_up_done(ctx, item)
    assert due_follow_ups(ctx) == [] and done.version is not None
    undo_follow_up_done(ctx, done)
    assert [i.id for i in due_follow_ups(ctx)] == [item.id]
    assert updates(ctx) == before + 2  # the mark and the undo
    again = mark_follow_up_done(ctx, item)
    assert mark_follow_up_done(ctx, item).version is None  # already done: nothing to undo
    undo_follow_up_done(ctx, again)
    assert [i.id for i in due_follow_ups(ctx)] == [item.id]


def test_undo_of_a_job_answer_and_its_stale_guard(ctx: AppContext, clock: FixedClock) -> None:
    omar = person(ctx, "Omar", "Ali").person
    create_job(ctx, JobDraft(omar.id, JobKind.POCKET_MONEY, "Netto", clock.now().date(),
                             hours_per_week=Decimal("6"), hourly_pay=Decimal("62.5")))
    clock.current = datetime(2027, 2, 25, 9)
    (three,) = due_follow_ups(ctx)
    done = mark_follow_up_done(ctx, three, still_employed=StillEmployed.YES)
    undo_follow_up_done(ctx, done)
    assert [i.id for i in due_follow_ups(ctx)] == [three.id]

    done = mark_follow_up_done(ctx, three, still_employed=StillEmployed.NO)
    assert done.version is not None
    # Someone corrects the answer meanwhile: the undo refuses rather than erase it.
    record_follow_up(ctx, three.id, StillEmployed.YES, version=done.version)
    with pytest.raises(StaleRecord):
        undo_follow_up_done(ctx, done)
    assert due_follow_ups(ctx) == []
