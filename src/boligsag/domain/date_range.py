"""The calendar the application works in: every date a user can enter (a summary's
period, a plan's start and end) must lie between FIRST_DAY and LAST_DAY.

Far beyond any real record, yet well inside what Python's dates can compute with:
a period ending 9999-12-31 has no "day after", and its end-exclusive bound overflowed.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)

# A ValidationFailed-style message for a date outside the range.
OUT_OF_RANGE = ("Choose a date between {first} and {last}.",
                {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
