"""Danish letter dates: "25. november 2026", "03.04.1991", and English through i18n."""

from __future__ import annotations

from datetime import date

import pytest

from boligsag.documents.danish_dates import long_date, month_name, short_date
from boligsag.i18n import set_language

DANISH_MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                 "september", "oktober", "november", "december"]


@pytest.fixture(autouse=True)
def danish_ui() -> None:
    set_language("da")


def test_long_date_in_danish() -> None:
    assert long_date(date(2026, 11, 25)) == "25. november 2026"
    assert long_date(date(2026, 3, 3)) == "3. marts 2026"  # the day is never zero-padded


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_has_its_lower_case_danish_name(month: int) -> None:
    assert month_name(month, "da") == DANISH_MONTHS[month - 1]
    assert long_date(date(2024, month, 1), "da") == f"1. {DANISH_MONTHS[month - 1]} 2024"


def test_english_goes_through_the_same_functions() -> None:
    assert long_date(date(2026, 11, 25), "en") == "25 November 2026"
    assert month_name(5, "en") == "May"
    assert short_date(date(1991, 4, 3), "en") == "03/04/1991"


def test_short_date_is_the_danish_numeric_form() -> None:
    assert short_date(date(1991, 4, 3)) == "03.04.1991"
    assert short_date(date(2000, 12, 31), "da") == "31.12.2000"


def test_the_current_ui_language_is_the_default() -> None:
    set_language("en")
    try:
        assert long_date(date(2027, 2, 28)) == "28 February 2027"
    finally:
        set_language("da")
    assert long_date(date(2027, 2, 28)) == "28. februar 2027"


def test_leap_day() -> None:
    assert long_date(date(2028, 2, 29)) == "29. februar 2028"


def test_no_month_thirteen() -> None:
    with pytest.raises(ValueError):
        month_name(13)
