"""delete_household: members stay, without a household; refused to someone who cannot
see every member (it would change restricted cases unseen)."""

from __future__ import annotations

import pytest

from boligsag.domain.enums import Role
from boligsag.services.access_purpose import give_purpose
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.errors import NotFound
from boligsag.services.households import (
    HiddenMembers,
    HouseholdDraft,
    create_household,
    delete_household,
    get_household,
)
from boligsag.services.people import PersonDraft, create_person, get_person

from .casework_helpers import add_user, logged_in


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def test_a_household_with_a_hidden_member_is_deleted_only_by_someone_who_sees_them(
        ctx: AppContext, clock: FixedClock) -> None:
    add_user(ctx, "anna", Role.STAFF)
    add_user(ctx, "bo", Role.STAFF)
    with logged_in(ctx, clock, "anna") as anna:
        secret = create_person(anna, PersonDraft("Fatima", "Ali", restricted=True)).person.id
    mother = create_person(ctx, PersonDraft("Amina", "Ali")).person.id
    row = create_household(ctx, HouseholdDraft("Familien Ali"),
                           member_ids=(mother, secret)).household
    with logged_in(ctx, clock, "bo") as bo:
        assert get_household(bo, row.id).hidden_members == 1
        with pytest.raises(HiddenMembers):
            delete_household(bo, row.id, row.version)
    give_purpose(ctx, secret, "Ledelsestilsyn")  # Anna's restricted case (issue 13 §4)
    assert get_person(ctx, secret).household_name == "Familien Ali"  # unchanged

    delete_household(ctx, row.id, row.version)  # the administrator sees everyone
    with pytest.raises(NotFound):
        get_household(ctx, row.id)
    assert get_person(ctx, secret).household_name == ""
    assert get_person(ctx, mother).household_name == ""
