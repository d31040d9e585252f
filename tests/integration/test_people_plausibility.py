"""The service side of "Er CPR-nummeret rigtigt?": an unlikely birth date is refused
until the draft says the user confirmed it, and then saved as given."""

from __future__ import annotations

from datetime import date

import pytest

from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.services.people import PersonDraft, create_person, find_duplicates


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def test_a_confirmed_future_cpr_number_or_old_typed_date_is_saved(ctx: AppContext) -> None:
    future = PersonDraft("Ny", "Født", cpr="010150-5001")  # 1 January 2050
    with pytest.raises(ValidationFailed) as raised:
        create_person(ctx, future)
    assert raised.value.fields["cpr"][0] == "The CPR number's birth date is in the future."
    saved = create_person(ctx, PersonDraft("Ny", "Født", cpr="010150-5001",
                                           birth_date_confirmed=True))
    assert saved.person.birth_date == date(2050, 1, 1)
    # The same number again is still found as the same person.
    assert [d.id for d in find_duplicates(ctx, future)] == [saved.person.id]

    old = PersonDraft("Meget", "Gammel", birth_date=date(1899, 12, 31))
    with pytest.raises(ValidationFailed):
        create_person(ctx, old)
    kept = create_person(ctx, PersonDraft("Meget", "Gammel", birth_date=date(1899, 12, 31),
                                          birth_date_confirmed=True))
    assert kept.person.birth_date == date(1899, 12, 31)


def test_a_confirmed_future_birth_date_is_a_child_for_consent(ctx: AppContext) -> None:
    from boligsag.services.consents import consent_givers

    unborn = create_person(ctx, PersonDraft("Ny", "Født", cpr="010150-5001",
                                            birth_date_confirmed=True)).person
    assert consent_givers(ctx, unborn.id).is_child is True
