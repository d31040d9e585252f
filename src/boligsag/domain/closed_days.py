"""Days the offices a follow-up depends on are closed: Danish public holidays, and the
days most municipal offices close although the law does not make them holidays.

A social worker who sets a follow-up or a reminder for 25 December, or for the day
after Easter, should see it before saving: the caseworker, the health visitor or the
job centre will not answer that day. Due dates here are calendar days, so nothing is
moved; the forms say what the day is. The calendar is python-holidays' ``DK`` (Store
Bededag ends with 2023, as the law has it), with its own Danish and English names.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays

from boligsag.i18n import tr_in

# python-holidays' "optional" Danish days that most municipal offices close (Grundlovsdag
# from noon). 1 May, also in that category, is a working day for most of them.
MOSTLY_CLOSED = frozenset({(6, 5), (12, 24), (12, 31)})
# python-holidays' name for each of our languages.
_LANGUAGE = {"da": "da", "en": "en_US"}


@cache
def _calendar(year: int, language: str) -> dict[date, tuple[str, bool]]:
    """Day -> (its name, whether it is a public holiday) for ``year``."""
    code = _LANGUAGE.get(language, "da")
    public = holidays.country_holidays("DK", years=year, language=code)
    optional = holidays.country_holidays("DK", years=year, language=code,
                                         categories=("optional",))
    days = {day: (name, True) for day, name in public.items()}
    days.update({day: (name, False) for day, name in optional.items()
                 if (day.month, day.day) in MOSTLY_CLOSED and day not in days})
    return days


def closed_day_note(day: date, language: str) -> str | None:
    """What to tell someone choosing ``day`` for a follow-up, or None on a working day:
    a public holiday, a day most offices close, or a weekend day."""
    found = _calendar(day.year, language).get(day)
    if found is not None:
        name, public = found
        if public:
            return tr_in(language, "{holiday}: a public holiday, offices are closed",
                         holiday=name)
        return tr_in(language, "{holiday}: most offices are closed", holiday=name)
    if day.weekday() >= 5:
        return tr_in(language, "A weekend day: offices are closed")
    return None

