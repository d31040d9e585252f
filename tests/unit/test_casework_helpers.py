"""Pure helpers of the casework services: phone numbers, name similarity, query
parsing, calendar months, change sets."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boligsag.services.changes import Entity, changes_of, writes
from boligsag.services.jobs import add_months
from boligsag.services.people_search import SearchTerms, parse_query
from boligsag.services.person_fields import (
    SEARCH_FOLDS,
    fold_name,
    is_valid_email,
    is_valid_postal_code,
    names_similar,
    normalise_phone,
)

MIGRATION = (Path(__file__).resolve().parents[2] / "src" / "boligsag" / "storage" /
             "migrations" / "versions" / "0002_people_search.py")


@pytest.mark.parametrize("text,expected", [
    ("12345678", "12 34 56 78"), ("12 34 56 78", "12 34 56 78"), ("+45 12345678", "12 34 56 78"),
    ("+4512 34 56 78", "12 34 56 78"), ("0045 1234 5678", "12 34 56 78"),
    ("12-34-56-78", "12 34 56 78"), ("", ""), ("   ", ""),
    ("1234567", None), ("123456789", None), ("+46 12345678", None), ("1234567a", None),
    ("١٢٣٤٥٦٧٨", None),  # Arabic-Indic digits are not a Danish phone number
])
def test_phone_numbers_are_normalised(text: str, expected: str | None) -> None:
    assert normalise_phone(text) == expected


def test_email_and_postal_code_shapes() -> None:
    assert is_valid_email("ayse.kaya@example.dk") and not is_valid_email("ayse@example")
    assert not is_valid_email("to ord@example.dk") and not is_valid_email("@example.dk")
    assert is_valid_postal_code("0800") and not is_valid_postal_code("800")
    assert not is_valid_postal_code("28OO")


@pytest.mark.parametrize("a,b", [
    (("Sukru", "Yilmaz"), ("Şükrü", "Yılmaz")), (("søren", "østergård"), ("Søren", "Østergård")),
    (("Mohamed", "Ali"), ("Mohammed", "Ali")), (("Ali", "Hassan"), ("Hassan", "Ali")),
    (("Amina Fatima", "Hassan"), ("Amina", "Hassan")),
    (("Anne-Marie", "Ørsted"), ("Anne Marie", "Orsted")),
])
def test_similar_names(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert names_similar(*a, *b)


@pytest.mark.parametrize("a,b", [
    (("Ali", "Hassan"), ("Omar", "Hassan")), (("Ayşe", "Kaya"), ("Ayla", "Demir")),
    (("Ali", ""), ("Ali", "Hassan")), (("", ""), ("", "")),
])
def test_different_names(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not names_similar(*a, *b)


def test_fold_name_ignores_case_accents_and_punctuation() -> None:
    assert fold_name("  ŞÜKRÜ  Yılmaz ") == "sukru yilmaz"
    assert fold_name("Æblegård-Øster") == "aeblegard oster"


@given(st.text())
def test_fold_name_is_idempotent(text: str) -> None:
    assert fold_name(fold_name(text)) == fold_name(text)


@pytest.mark.parametrize("text,expected", [
    ("", SearchTerms()),
    ("  al ", SearchTerms(short_words=("al",))),
    ("ali hassan", SearchTerms(words=(("ali",), ("hassan",)))),
    ("Ali H", SearchTerms(words=(("ali",),), short_words=("H",))),
    ("Søren", SearchTerms(words=(("soren",),))),
    ("ŞÜKRÜ", SearchTerms(words=(("sukru",),))),
    ("Aase", SearchTerms(words=(("aase", "ase"),))),
    ("Aabenraa", SearchTerms(words=(("aabenraa", "aabenra", "abenraa", "abenra"),))),
    ("aa", SearchTerms(short_words=("aa",))),
    ("ßa", SearchTerms(words=(("ssa",),))),
    ("120385-1233", SearchTerms(words=(("1203851233",),))),
    ("+45 20 30 40 50", SearchTerms(words=(("20304050",),))),
    ("12", SearchTerms(digits_prefix="12")),
    ("ali 120385-1233", SearchTerms(words=(("ali",), ("1203851233",)))),
    ('a"b"c', SearchTerms(words=(('a"b"c',),))),
    ("- !", SearchTerms()),
])
def test_queries_are_split_for_the_indexes(text: str, expected: SearchTerms) -> None:
    assert parse_query(text) == expected


@pytest.mark.parametrize("start,months,expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 8, 31), 3, date(2026, 11, 30)), (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2026, 11, 25), 12, date(2027, 11, 25)), (date(2026, 12, 15), 3, date(2027, 3, 15)),
])
def test_calendar_months_are_end_of_month_safe(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_the_migration_folds_letters_like_the_query_side() -> None:
    spec = importlib.util.spec_from_file_location("migration_0002", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module._FOLDS == SEARCH_FOLDS


def test_writes_declares_what_changed() -> None:
    @writes(Entity.PEOPLE, Entity.TIMELINE)
    def save() -> None: ...

    assert changes_of(save) == {Entity.PEOPLE, Entity.TIMELINE}
    assert changes_of(print) == frozenset()
