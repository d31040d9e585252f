"""Whatever is typed into a search box is text: people search and household search
never fail on NUL characters, lone surrogates, control characters or very long input
(issue 8, item 5.2)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligsag.services.context import AppContext
from boligsag.services.households import HouseholdDraft, create_household, find_households
from boligsag.services.people_search import count_people, list_people
from boligsag.services.search_text import MAX_SEARCH_LENGTH, clean_search_text

from .casework_helpers import person


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend


NASTY = [
    "a\x00b", "\x00", "Sør\x00en", "\ud800", "ab\ud800cd", "\udfff\ud800", "x" * 10_000,
    "Ø" * 10_000, "a b " * 2_500, "ab" * 5_000, '"', '" OR "', "sø*", "NEAR(a b)", "%_\\",
    "\t\n\r\x1b[31m", "\u202eSøren", "😀" * 3_000,
    # A word with "aa" (matched as "aa" or "å") after another word (found by hypothesis in
    # a fresh Debian root: FTS5 refuses "x" ("y" OR "z") without an explicit AND).
    "000 0AÆ", "Søren Aastrup", "Aase Aagaard Østergård",
]


@pytest.fixture
def searchable(ctx: AppContext) -> AppContext:
    person(ctx, "Søren", "Østergård", street="Blomstervænget 4")
    create_household(ctx, HouseholdDraft("Familien Østergård", street="Blomstervænget 4"))
    return ctx


def _search_everything(ctx: AppContext, text: str) -> None:
    page = list_people(ctx, text)
    assert isinstance(page.items, tuple)
    assert isinstance(count_people(ctx, text), int)
    assert isinstance(find_households(ctx, text), list)


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_odd_input_is_searched_as_text(searchable: AppContext, text: str) -> None:
    _search_everything(searchable, text)


def test_a_name_with_control_characters_or_long_tail_is_still_found(
        searchable: AppContext) -> None:
    # Control characters are dropped, a very long input is cut to its start: what is
    # left is searched as usual.
    assert [p.full_name for p in list_people(searchable, "Sør\x00en").items] == \
        ["Søren Østergård"]
    assert [p.full_name for p in list_people(searchable, "østergård" + "\x07" * 9_000)
            .items] == ["Søren Østergård"]
    assert [h.name for h in find_households(searchable, "Øster\x00gård")] == \
        ["Familien Østergård"]


def test_a_second_word_with_aa_finds_the_person(ctx: AppContext) -> None:
    """ "Søren Aagaard" finds Søren Ågård: each word must match, and "aa" also as "å"."""
    person(ctx, "Søren", "Ågård")
    person(ctx, "Søren", "Hansen")
    assert [p.last_name for p in list_people(ctx, "Søren Aagaard").items] == ["Ågård"]
    assert count_people(ctx, "Aagaard Søren") == 1


def test_clean_search_text() -> None:
    assert clean_search_text("a\x00b\x07c") == "abc"
    assert clean_search_text("ab\ud800cd") == "ab\ufffdcd"
    assert clean_search_text("\ud83d\ude00") == "😀"  # a proper surrogate pair is one emoji
    assert len(clean_search_text("x" * 10_000)) == MAX_SEARCH_LENGTH
    assert clean_search_text("  Søren\tØstergård \n") == "Søren Østergård"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(exclude_categories=()), max_size=400)
       | st.text(alphabet=st.characters(exclude_categories=()), min_size=1, max_size=20)
       .map(lambda t: t * (10_000 // len(t))))
def test_any_text_never_fails_a_search(searchable: AppContext, text: str) -> None:
    _search_everything(searchable, text)
