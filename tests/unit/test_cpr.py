"""CPR numbers as a social worker types them. All numbers here are synthetic."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.dk import cpr as stdnum_cpr

from boligsag.domain.cpr import (
    CprInfo,
    CprProblem,
    InvalidCpr,
    cpr_has_mod11,
    format_cpr,
    mask_cpr,
    normalize_cpr,
    parse_cpr,
)
from boligsag.domain.enums import Gender
from boligsag.domain.errors import DomainError

TODAY = date(2025, 6, 1)
MOD11_1975 = "1505751236"  # 15 May 1975, passes modulus 11, even last digit
NO_MOD11_1975 = "1505751237"  # same person-shaped number, fails modulus 11 (post-2007 style)


def test_mod11_fixture_numbers_are_what_they_claim() -> None:
    assert stdnum_cpr.checksum(MOD11_1975) == 0
    assert stdnum_cpr.checksum(NO_MOD11_1975) != 0


@pytest.mark.parametrize(
    "text",
    [
        "150575-1236",
        "1505751236",
        " 150575 1236 ",
        "150575\u00a01236",  # non-breaking space, pasted from a letter
        "150575\u20131236",  # en dash, from a word processor
        "15 05 75 - 12 36",
        "\t1505751236\n",
    ],
)
def test_normalize_accepts_the_ways_people_write_it(text: str) -> None:
    assert normalize_cpr(text) == MOD11_1975


@pytest.mark.parametrize(
    "text",
    [
        "",
        "150575-123",
        "150575-12360",
        "15057A-1236",
        "150575/1236",
        "١٥٠٥٧٥١٢٣٦",  # Arabic-Indic digits: isdigit() says yes, a CPR number says no
        "15.05.75-1236",
    ],
)
def test_normalize_refuses_anything_else_with_the_format_code(text: str) -> None:
    with pytest.raises(InvalidCpr) as caught:
        normalize_cpr(text)
    assert caught.value.code == CprProblem.FORMAT == "cpr.format"
    assert isinstance(caught.value, DomainError)


def test_parse_gives_birth_date_and_gender() -> None:
    assert parse_cpr("150575-1236", today=TODAY) == CprInfo(
        number="1505751236", birth_date=date(1975, 5, 15), gender=Gender.FEMALE
    )
    assert parse_cpr("150575-1237", today=TODAY).gender is Gender.MALE


def test_numbers_failing_modulus_11_are_still_valid() -> None:
    # Issued since 2007: refusing them would lock real residents out of the registry.
    info = parse_cpr(NO_MOD11_1975, today=TODAY)
    assert info.birth_date == date(1975, 5, 15)
    assert cpr_has_mod11(MOD11_1975) is True
    assert cpr_has_mod11("150575-1237") is False


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("0102031121", date(1903, 2, 1)),  # 7th digit 0-3: always 1900s
        ("0102034120", date(2003, 2, 1)),  # 4 with year < 37: 2000s
        ("0101404000", date(1940, 1, 1)),  # 4 with year >= 37: 1900s
        ("0102605128", date(1860, 2, 1)),  # 5-8 with year >= 58: 1800s
        ("0102035000", date(2003, 2, 1)),  # 5-8 with year < 58: 2000s
        ("0101909000", date(1990, 1, 1)),  # 9 with year >= 37: 1900s
    ],
)
def test_century_comes_from_the_seventh_digit(number: str, born: date) -> None:
    assert parse_cpr(number, today=TODAY).birth_date == born


@pytest.mark.parametrize(
    "number",
    [
        "3102751234",  # 31 February
        "0013751234",  # month 13
        "0001751234",  # day 0
        "2902011234",  # 29 February 1901: not a leap year
        "2902001234",  # 29 February 1900: century, not a leap year
    ],
)
def test_impossible_dates_have_their_own_code(number: str) -> None:
    with pytest.raises(InvalidCpr) as caught:
        parse_cpr(number, today=TODAY)
    assert caught.value.code == "cpr.invalid_date"


def test_29_february_2000_is_a_real_date() -> None:
    assert parse_cpr("290200-4125", today=TODAY).birth_date == date(2000, 2, 29)


def test_birth_date_after_today_is_refused_but_today_is_fine() -> None:
    assert parse_cpr("010625-4000", today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidCpr) as caught:
        parse_cpr("020625-4000", today=TODAY)
    assert caught.value.code == "cpr.future_birth_date"


def test_error_messages_never_contain_the_number() -> None:
    for text in ("150575-123", "3102751234", "020625-4000"):
        with pytest.raises(InvalidCpr) as caught:
            parse_cpr(text, today=TODAY)
        shown = f"{caught.value} {caught.value!r} {caught.value.params}"
        assert "150575" not in shown
        assert "310275" not in shown
        assert "020625" not in shown


def test_format_and_mask() -> None:
    assert format_cpr("1505751236") == "150575-1236"
    assert format_cpr(" 150575 1236") == "150575-1236"
    assert mask_cpr("150575-1236") == "150575-••••"
    with pytest.raises(InvalidCpr):
        mask_cpr("12345")


def _seventh_digits(year: int) -> list[str]:
    """The 7th digits that put a two-digit year in ``year``'s century (CPR's table)."""
    yy = year % 100
    if year < 1900:
        return list("5678") if yy >= 58 else []
    if year < 2000:
        return list("0123") + (list("49") if yy >= 37 else [])
    return (list("49") if yy < 37 else []) + (list("5678") if yy < 58 else [])


@st.composite
def synthetic_cprs(draw: st.DrawFn) -> tuple[str, date]:
    born = draw(st.dates(min_value=date(1858, 1, 1), max_value=TODAY))
    digit7 = draw(st.sampled_from(_seventh_digits(born.year)))
    rest = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    return born.strftime("%d%m%y") + digit7 + rest, born


@settings(max_examples=200, deadline=None)
@given(synthetic_cprs())
def test_any_well_formed_number_parses_to_its_date(case: tuple[str, date]) -> None:
    number, born = case
    info = parse_cpr(format_cpr(number), today=TODAY)
    assert info.number == number
    assert info.birth_date == born
    assert info.gender is (Gender.FEMALE if int(number[9]) % 2 == 0 else Gender.MALE)
    assert normalize_cpr(format_cpr(number)) == number
    assert mask_cpr(number) == number[:6] + "-••••"


def test_contains_cpr_finds_a_cpr_number_in_copied_text_and_not_other_numbers() -> None:
    from boligsag.domain.cpr import contains_cpr

    assert contains_cpr("0101901234")
    assert contains_cpr("Mor: 010190-1234, tlf.")
    assert contains_cpr("010190\u20111234")  # a non-breaking hyphen from a letter
    assert not contains_cpr("Ring på 20 30 40 50")
    assert not contains_cpr("311399-1234")  # no 31st of the 13th month
    assert not contains_cpr("12010190123456")  # inside a longer run of digits
    assert not contains_cpr("Beløb: 1.234,50 kr.")
