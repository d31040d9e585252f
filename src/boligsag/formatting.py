"""How Boligsag writes a date, a time or a number, everywhere: lists, screens, letters, exports.

One function per format, so a list, a letter and an error message never disagree:

- :func:`short_date` — "04.12.2026" in Danish (the form Danes write and read on forms),
  "04/12/2026" in English (British day-month order; ISO would read as a different app).
  For tables, messages and "f. 03.04.1988".
- :func:`long_date` — "4. december 2026" / "4 December 2026", for headings and letters.
- :func:`time_text` — "14.30" in Danish (Retskrivningsordbogen: "kl. 14.30"),
  "14:30" in English. The time fields accept both, so what is shown can be typed back.
- :func:`qt_date_pattern` — the same short format as a Qt display pattern, for date
  fields, so what a field shows is what a list shows.
- :func:`number_text` — a number rounded half up (44,25 → "44,3", as a Dane and Excel
  round), "1.234,5" in Danish and "1,234.5" in English; counts with ``decimals=0``.
- :func:`decimal_text` and :func:`money_text` — a form's exact figure ("7,5") and an
  amount ("85,00 kr.").
- :func:`weekday_name` and :func:`month_name` — "tirsdag", "november".

It lives outside ``ui/`` and ``documents/`` and imports no Qt, so services, documents,
exports and the UI all import it (the architecture test keeps Qt out of services).
Deliberately Babel-free: twelve month names and a few patterns are all we need; the
month names are msgids, so their Danish spelling (lower case, as Danish writes months)
lives in the catalogue (resources/i18n/da/referrals.json).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from boligsag.i18n import current_language, tr_in

# Message ids, in calendar order. Not wrapped in tr() here: they are looked up by index.
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


# Message ids, Monday first (``date.weekday()``); Danish in ui_consolidation.json.
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


def weekday_name(day: date, language: str | None = None) -> str:
    """"tirsdag" in Danish (lower case, as Danish writes weekdays), "Tuesday" in English."""
    return tr_in(language or current_language(), WEEKDAYS[day.weekday()])


def month_name(month: int, language: str | None = None) -> str:
    """"november" in Danish, "November" in English."""
    if not 1 <= month <= 12:
        raise ValueError(f"no such month: {month}")
    return tr_in(language or current_language(), MONTHS[month - 1])


def long_date(day: date | None, language: str | None = None) -> str:
    """"25. november 2026" (the day is never padded: "3. marts"); "" for no date."""
    if day is None:
        return ""
    lang = language or current_language()
    return tr_in(
        lang, "{day} {month} {year}", day=day.day, month=month_name(day.month, lang), year=day.year
    )


def short_date(day: date | None, language: str | None = None) -> str:
    """"25.11.2026" in Danish, "25/11/2026" in English; "" for no date."""
    if day is None:
        return ""
    return tr_in(
        language or current_language(),
        "{day}/{month}/{year}",
        day=f"{day.day:02d}",
        month=f"{day.month:02d}",
        year=f"{day.year:04d}",
    )


def time_text(at: time | datetime, language: str | None = None) -> str:
    """"14.30" in Danish, "14:30" in English."""
    separator = "." if (language or current_language()) == "da" else ":"
    return f"{at.hour:02d}{separator}{at.minute:02d}"


def short_date_time(at: datetime, language: str | None = None) -> str:
    """"04.12.2026 14.30": a date and a time in one list cell."""
    return f"{short_date(at.date(), language)} {time_text(at, language)}"


def qt_date_pattern(language: str | None = None) -> str:
    """The short format as a Qt display pattern ("dd.MM.yyyy"), for date fields."""
    return "dd.MM.yyyy" if (language or current_language()) == "da" else "dd/MM/yyyy"


def excerpt(text: str, limit: int) -> str:
    """The start of `text` on one line, at most `limit` characters, cut between words
    and ending in "…" when something was left out ("Talte om lejen og …" rather than
    "Talte om lejen og husordensr")."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:  # a very long word is cut inside rather than dropped whole
        cut = cut[:space]
    return cut.rstrip(" ,.;:–-") + "…"


def round_half_up(value: float | Decimal, decimals: int) -> Decimal:
    """``value`` to ``decimals`` places, a half rounded up (44.25 → 44.3). Python's
    round() and format() round a half to even (44.2) and would disagree with Excel.
    A float is taken at its shortest repr (0.145 is 0.145, not 0.14499…)."""
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def number_text(value: float | Decimal, decimals: int, language: str | None = None, *,
                thousands: bool = True) -> str:
    """``value`` rounded half up to ``decimals`` places: "1.234,5" in Danish, "1,234.5"
    in English; ``thousands=False`` leaves out the separator (for CSV)."""
    number = round_half_up(value, decimals)
    text = f"{number:,f}" if thousands else f"{number:f}"
    if (language or current_language()) == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def decimal_text(value: Decimal | None, language: str | None = None) -> str:
    """A figure as typed in a form, exact and without trailing zeros: "7,5" in Danish,
    "7.5" in English (no thousands separator, so it can be typed back); "" for none."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",") if (language or current_language()) == "da" else text


def money_text(value: Decimal | None, language: str | None = None) -> str:
    """"1.234,50 kr." in Danish, "1,234.50 kr." in English; "" for none."""
    if value is None:
        return ""
    lang = language or current_language()
    return tr_in(lang, "{amount} kr.", amount=number_text(value, 2, lang))

