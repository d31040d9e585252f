"""The "Er CPR-nummeret rigtigt?" rule: a birth date after today or more than 110 years
back is asked about before saving, never refused. All numbers here are synthetic."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from boligsag.domain.age import anniversary
from boligsag.domain.cpr import (
    OLDEST_PLAUSIBLE_AGE,
    BirthDateDoubt,
    birth_date_doubt,
    decode_cpr,
    parse_cpr,
)

TODAY = date(2026, 12, 4)
days = st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31))


def test_the_boundaries_at_a_fixed_date() -> None:
    assert birth_date_doubt(TODAY, TODAY) is None  # born today
    assert birth_date_doubt(TODAY + timedelta(days=1), TODAY) is BirthDateDoubt.FUTURE
    # 110 years old until the day before the 111th birthday.
    assert birth_date_doubt(date(1915, 12, 5), TODAY) is None
    assert birth_date_doubt(date(1915, 12, 4), TODAY) is BirthDateDoubt.TOO_OLD


@given(today=days, born=days)
def test_doubt_exactly_outside_zero_to_110_completed_years(today: date, born: date) -> None:
    doubt = birth_date_doubt(born, today)
    if born > today:
        assert doubt is BirthDateDoubt.FUTURE
    elif anniversary(born, OLDEST_PLAUSIBLE_AGE + 1) <= today:
        assert doubt is BirthDateDoubt.TOO_OLD
    else:
        assert doubt is None


def _years_back(today: date, years: int) -> date:
    """The latest birth date that is ``years`` old on ``today``. On 29 February that is
    28 February of a common year (its birthday has passed), not 1 March."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


@given(today=st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 1, 1)))
def test_the_day_after_today_and_111_years_back_are_the_first_doubts(today: date) -> None:
    assert birth_date_doubt(today, today) is None
    assert birth_date_doubt(today + timedelta(days=1), today) is BirthDateDoubt.FUTURE
    oldest = _years_back(today, OLDEST_PLAUSIBLE_AGE + 1)
    assert birth_date_doubt(oldest, today) is BirthDateDoubt.TOO_OLD
    assert birth_date_doubt(oldest + timedelta(days=1), today) is None


def test_on_29_february_the_first_doubt_is_28_february() -> None:
    leap_day = date(2000, 2, 29)
    assert birth_date_doubt(date(1889, 2, 28), leap_day) is BirthDateDoubt.TOO_OLD  # 111
    assert birth_date_doubt(date(1889, 3, 1), leap_day) is None  # 110 until tomorrow


def test_decode_gives_the_century_from_the_sequence_number_whatever_today_is() -> None:
    # Sequence 5000-8999 with year 58-99 is the 1800s; with 00-57 the 2000s.
    old = decode_cpr("010170-5001")
    assert old.birth_date == date(1870, 1, 1)
    assert birth_date_doubt(old.birth_date, TODAY) is BirthDateDoubt.TOO_OLD
    coming = decode_cpr("010150-5001")
    assert coming.birth_date == date(2050, 1, 1)
    assert birth_date_doubt(coming.birth_date, TODAY) is BirthDateDoubt.FUTURE
    assert parse_cpr("010170-5001", today=TODAY) == old  # too old is not invalid
