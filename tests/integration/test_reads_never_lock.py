"""Every casework read runs in a read unit of work: while another connection holds
SQLite's write lock, each of these returns at once instead of waiting for the lock
(and giving up with DatabaseLocked), and none of them writes anything."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from boligsag.services import (
    consents,
    contact_choices,
    contacts,
    follow_ups,
    households,
    letter_settings,
    my_cases,
    overview,
    people,
    people_queries,
    people_search,
    referral_queries,
    reminders,
    timeline,
)
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.setup import create_database
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage import keys
from boligsag.storage.models import AuditEntry
from boligsag.storage.write_lock import WriteWait

from ..conftest import ADMIN_PASSWORD, CHEAP_KDF, setup_input
from .casework_helpers import person

Read = Callable[[AppContext, int], Any]

READS: dict[str, Read] = {
    "list_people": lambda ctx, _p: people_search.list_people(ctx, "kaya"),
    "count_people": lambda ctx, _p: people_search.count_people(ctx),
    "find_duplicates": lambda ctx, _p: people.find_duplicates(
        ctx, people.PersonDraft("Ayşe", "Kaya")),
    "person_form_choices": lambda ctx, _p: people_queries.person_form_choices(ctx),
    "person_timeline": lambda ctx, p: timeline.person_timeline(ctx, p),
    "find_households": lambda ctx, _p: households.find_households(ctx, "vej"),
    "consents_for_person": lambda ctx, p: consents.consents_for_person(ctx, p),
    "consent_givers": lambda ctx, p: consents.consent_givers(ctx, p),
    "expiring_consents": lambda ctx, _p: consents.expiring_consents(ctx),
    "scope_options": lambda ctx, _p: consents.scope_options(ctx),
    "list_contacts": lambda ctx, _p: contacts.list_contacts(ctx),
    "quick_log_choices": lambda ctx, _p: contact_choices.quick_log_choices(ctx),
    "person_picker": lambda ctx, _p: contact_choices.person_picker(ctx, "ay"),
    "due_follow_ups": lambda ctx, _p: follow_ups.due_follow_ups(ctx),
    "my_due_reminders": lambda ctx, _p: reminders.my_due_reminders(ctx),
    "my_cases": lambda ctx, _p: my_cases.my_cases(ctx),
    "list_referrals": lambda ctx, _p: referral_queries.list_referrals(ctx),
    "count_referrals": lambda ctx, _p: referral_queries.count_referrals(ctx),
    "overdue_referrals": lambda ctx, _p: referral_queries.overdue_referrals(ctx),
    "organisation_overview": lambda ctx, _p: overview.organisation_overview(ctx),
    "idle_lock_minutes": lambda ctx, _p: overview.idle_lock_minutes(ctx),
    "get_letter_settings": lambda ctx, _p: letter_settings.get_letter_settings(ctx),
}


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppContext, int]]:
    """One database for all the reads (they change nothing); a write waits 0.3 s at
    most, so a read that asked for the lock fails fast."""
    # Module-scoped, so the function-scoped cheap_kdf fixture cannot do this.
    saved, keys.KDF_PARAMS = keys.KDF_PARAMS, CHEAP_KDF
    try:
        path = tmp_path_factory.mktemp("reads") / "boligsag.db"
        create_database(path, setup_input())
        ctx = unlock(path, "admin", ADMIN_PASSWORD,
                     clock=FixedClock(datetime(2026, 11, 25, 10, 30)),
                     options=UnlockOptions(integrity_check=False,
                                           write_wait=WriteWait(limit_s=0.3,
                                                                notice_after_s=0.1)))
    finally:
        keys.KDF_PARAMS = saved
    ayse = person(ctx, street="Ærtebjergvej 4").person.id
    yield ctx, ayse
    lock(ctx)


@pytest.fixture
def write_lock_held(impatient: tuple[AppContext, int]) -> Iterator[None]:
    other = impatient[0].db.engine.raw_connection()
    try:
        other.driver_connection.execute("BEGIN IMMEDIATE")
        yield
        other.driver_connection.execute("ROLLBACK")
    finally:
        other.close()


def audit_entries(ctx: AppContext) -> int:
    with ctx.db.engine.connect() as conn:  # a plain deferred read
        return conn.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.mark.parametrize("name", sorted(READS))
def test_read_answers_while_another_connection_holds_the_write_lock(
        impatient: tuple[AppContext, int], write_lock_held: None, name: str) -> None:
    ctx, person_id = impatient
    before = audit_entries(ctx)
    READS[name](ctx, person_id)  # DatabaseLocked after 0.3 s if it asked for the lock
    assert audit_entries(ctx) == before
