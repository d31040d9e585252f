"""Dates the way Danish letters write them: "25. november 2026" and "25.11.2026".

Deliberately Babel-free: twelve month names and two patterns are all a letter needs,
and going through :mod:`boligsag.i18n` means the same code writes "25 November 2026"
when a letter or a message is produced in English. The month names are msgids, so
their Danish spelling (lower case, as Danish writes months) lives in the catalogue.
"""

from __future__ import annotations

from datetime import date

from boligsag.i18n import current_language, tr_in

# Message ids, in calendar order. Not wrapped in tr() here: they are looked up by
# index below, and their translations live in resources/i18n/da/referrals.json.
MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_name(month: int, language: str | None = None) -> str:
    """"november" in Danish, "November" in English."""
    if not 1 <= month <= 12:
        raise ValueError(f"no such month: {month}")
    return tr_in(language or current_language(), MONTHS[month - 1])


def long_date(day: date, language: str | None = None) -> str:
    """"25. november 2026" (Danish letters never pad the day: "3. marts", not "03.")."""
    lang = language or current_language()
    return tr_in(
        lang, "{day} {month} {year}", day=day.day, month=month_name(day.month, lang), year=day.year
    )


def short_date(day: date, language: str | None = None) -> str:
    """"25.11.2026": compact, for tables, messages and "f. 03.04.1988"."""
    return tr_in(
        language or current_language(),
        "{day}/{month}/{year}",
        day=f"{day.day:02d}",
        month=f"{day.month:02d}",
        year=f"{day.year:04d}",
    )
