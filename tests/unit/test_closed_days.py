"""A follow-up or reminder set on a day the offices are closed is named as such: the
Danish public holidays, the days most municipal offices close, and weekends."""

from __future__ import annotations

from datetime import date

import pytest

from boligsag.domain.closed_days import closed_day_note


@pytest.mark.parametrize(("day", "danish"), [
    (date(2026, 12, 25), "Juledag: helligdag, kontorerne har lukket"),
    (date(2026, 4, 6), "Anden påskedag: helligdag, kontorerne har lukket"),
    (date(2027, 5, 6), "Kristi himmelfartsdag: helligdag, kontorerne har lukket"),
    (date(2026, 12, 24), "Juleaftensdag: de fleste kontorer har lukket"),
    (date(2026, 6, 5), "Grundlovsdag: de fleste kontorer har lukket"),
    (date(2026, 12, 5), "Weekend: kontorerne har lukket"),
    # Store Bededag was abolished from 2024 (lov nr. 140 of 28 February 2023).
    (date(2023, 5, 5), "Store bededag: helligdag, kontorerne har lukket"),
])
def test_closed_days_are_named_in_danish(day: date, danish: str) -> None:
    assert closed_day_note(day, "da") == danish


@pytest.mark.parametrize("day", [date(2026, 12, 7), date(2024, 4, 26), date(2026, 5, 1),
                                 date(2026, 12, 23)])
def test_working_days_have_no_note(day: date) -> None:
    # 1 May is a working day in most municipalities; Store Bededag 2024 no longer exists.
    assert closed_day_note(day, "da") is None


def test_english_names_the_holiday_in_english() -> None:
    assert closed_day_note(date(2026, 12, 25), "en") == (
        "Christmas Day: a public holiday, offices are closed")
    assert closed_day_note(date(2026, 12, 26), "en") == (
        "Second Day of Christmas: a public holiday, offices are closed")
