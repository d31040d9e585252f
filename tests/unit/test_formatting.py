"""One format everywhere (boligsag.formatting): "25. november 2026", "03.04.1991", "14.30"."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path

import pytest

from boligsag.formatting import (
    excerpt,
    long_date,
    month_name,
    qt_date_pattern,
    short_date,
    short_date_time,
    time_text,
)
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


def test_times_and_no_date() -> None:
    assert time_text(time(9, 5)) == "09.05"
    assert time_text(datetime(2026, 12, 4, 14, 30), "en") == "14:30"
    assert short_date_time(datetime(2026, 12, 4, 14, 30)) == "04.12.2026 14.30"
    assert short_date(None) == "" and long_date(None) == ""


def test_date_fields_show_what_lists_show() -> None:
    assert qt_date_pattern("da") == "dd.MM.yyyy" and qt_date_pattern("en") == "dd/MM/yyyy"


SRC = Path(__file__).resolve().parents[2] / "src" / "boligsag"
# A date or time written by hand (strftime / f-string patterns, Qt patterns) instead of
# through boligsag.formatting: each was once a list disagreeing with the others.
HAND_MADE = re.compile(r"strftime\(\"%[dH]|:%[dHM]|%d[-.]%m|[\"']dd[-./]MM|d\. MMMM")


def test_no_second_date_formatter() -> None:
    offenders = [f"{path.relative_to(SRC)}:{n}"
                 for path in SRC.rglob("*.py") if path.name != "formatting.py"
                 and "demo" not in path.parts
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if HAND_MADE.search(line)]
    assert offenders == []


def test_an_excerpt_ends_between_words_with_an_ellipsis() -> None:
    assert excerpt("Kort note", 80) == "Kort note"
    assert excerpt("Talte om\nlejen  og husordensreglerne i opgangen", 30) == "Talte om lejen og…"
    assert excerpt("x" * 50, 10) == "x" * 9 + "…"  # one long word is cut inside
    assert len(excerpt("ord " * 40, 80)) <= 80
