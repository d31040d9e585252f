"""New rows written together (services/sync/wire_creates.py) in a laptop's encrypted file:
what a first pull relies on since it writes its batches without a savepoint and with
ids it takes itself (pull_client._create_together)."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from boligsag.services.context import AppContext
from boligsag.services.sync.errors import BadBatch
from boligsag.services.sync.wire_creates import apply_creates
from boligsag.storage.models import Contact, Person, User

NOW = datetime(2026, 12, 5, 9, 0)


def _person() -> tuple[str, dict[str, object]]:
    return str(uuid.uuid4()), {"first_name": "Ida", "last_name": "Berg"}


def _contact(staff: str, people: list[str]) -> tuple[str, dict[str, object]]:
    return str(uuid.uuid4()), {"occurred_at": "2026-11-24T10:00:00", "staff_user": staff,
                               "channel": "phone", "people": people, "topics": []}


def test_a_refused_batch_has_written_nothing_and_the_transaction_goes_on(
        ctx: AppContext) -> None:
    with ctx.db.writing(None) as session:
        staff = session.scalars(select(User.uuid)).first()
        assert staff is not None
        people = [_person() for _ in range(2)]
        apply_creates(session, "people", people, user_id=None, now=NOW)
        contacts = [_contact(staff, [people[0][0]]) for _ in range(5)]
        contacts.append(_contact(staff, [str(uuid.uuid4())]))  # nobody has this uuid

        with pytest.raises(BadBatch, match="a referenced people row does not exist"):
            apply_creates(session, "contacts", contacts, user_id=None, now=NOW)

        # Nothing of the refused batch is in the transaction, and it can still commit.
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
    with ctx.db.reading() as session:
        names = set(session.scalars(select(Person.uuid)))
        assert {u for u, _f in people} <= names
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_rows_written_together_get_the_next_ids_in_the_order_given(
        ctx: AppContext) -> None:
    with ctx.db.writing(None) as session:
        apply_creates(session, "people", [_person()], user_id=None, now=NOW)
        highest = session.scalar(select(func.max(Person.id)))
        batch = [_person() for _ in range(12)]
        ids = apply_creates(session, "people", batch, user_id=None, now=NOW,
                            versions=list(range(1, 13)))
        assert ids == list(range(highest + 1, highest + 13))
    with ctx.db.reading() as session:
        stored = dict(session.execute(select(Person.uuid, Person.id)).all())
        versions = dict(session.execute(select(Person.uuid, Person.version)).all())
    assert [stored[u] for u, _f in batch] == ids
    assert [versions[u] for u, _f in batch] == list(range(1, 13))
