"""Danish CPR numbers (personnummer): normalising, parsing, formatting, masking.

The date and century rules come from python-stdnum (``stdnum.dk.cpr``); we only add the
distinctions the UI needs (format vs. impossible date vs. not yet born) and the gender.

Why the modulus-11 check is *not* a validity rule: CPR stopped guaranteeing mod-11 in
2007 when some birth dates ran out of sequence numbers, and numbers without it have been
issued since for every birth year (immigrants get numbers with old birth dates too), so
a failing checksum says nothing about whether a number is real. Refusing them would lock
real residents out of the registry. ``cpr_has_mod11`` is still exposed because a failing
checksum on a number typed from paper *may* be a typo worth a soft warning.

We do not call ``stdnum.dk.cpr.validate``: it compares with ``date.today()`` internally,
which makes the "not born yet" rule untestable at a fixed date, and it folds the cases we
want to tell apart into one exception type.

Error messages never contain the number itself: they reach logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError

from .age import age_on
from .enums import Gender
from .errors import DomainError

MASK = "••••"  # shown instead of the sequence number where only the birth date is needed
# Older than this is almost always a typo (one wrong digit in the year, or a sequence
# number whose first digit puts the year in the 1800s), so the user is asked once more.
# The oldest Dane alive has been 110-111, so a real person is not refused: only asked.
OLDEST_PLAUSIBLE_AGE = 110


class CprProblem(StrEnum):
    FORMAT = "cpr.format"  # not 10 digits after removing spaces and dashes
    INVALID_DATE = "cpr.invalid_date"  # e.g. 310299-...: no such day
    FUTURE_BIRTH_DATE = "cpr.future_birth_date"  # a real date, but after today


class BirthDateDoubt(StrEnum):
    """Why a real date is still worth a second look before it is saved as a birth date."""

    FUTURE = "birth_date.future"  # not born yet: a typo, or a child expected soon
    TOO_OLD = "birth_date.too_old"  # older than OLDEST_PLAUSIBLE_AGE


class InvalidCpr(DomainError):
    """The text is not a usable CPR number; ``code`` is one of :class:`CprProblem`."""


@dataclass(frozen=True)
class CprInfo:
    number: str  # exactly 10 ASCII digits, no dash
    birth_date: date
    gender: Gender  # from the last digit: even = female, odd = male


def normalize_cpr(text: str) -> str:
    """Return the 10 digits of ``text``, accepting "DDMMYY-SSSS", "DDMMYYSSSS" and spaces.

    Raises :class:`InvalidCpr` (``cpr.format``) for anything else. The date is not
    checked here; use :func:`parse_cpr` for that.
    """
    # Any whitespace, not only " ": numbers pasted from letters or PDFs carry non-breaking
    # spaces and tabs. stdnum's compact then removes dashes (including typographic ones).
    number = stdnum_cpr.compact("".join(text.split()))
    # str.isdigit() alone would accept other scripts' digits ("٠١٢"), which int() then
    # silently converts; only ASCII digits are a CPR number.
    if len(number) != 10 or not (number.isascii() and number.isdigit()):
        raise InvalidCpr(CprProblem.FORMAT, "A CPR number has 10 digits: DDMMYY-SSSS.")
    return number


def decode_cpr(text: str) -> CprInfo:
    """The birth date (century from the sequence number) and gender of a CPR number,
    whatever today is; :class:`InvalidCpr` for a bad format or an impossible date.

    For a number the user has confirmed after :func:`birth_date_doubt` asked; everything
    else uses :func:`parse_cpr`, which also refuses a birth date after today.
    """
    number = normalize_cpr(text)
    try:
        birth_date = stdnum_cpr.get_birth_date(number)
    except ValidationError:
        raise InvalidCpr(
            CprProblem.INVALID_DATE, "The first six digits of the CPR number are not a valid date."
        ) from None  # the stdnum message adds nothing and could be mistaken for ours
    gender = Gender.FEMALE if int(number[-1]) % 2 == 0 else Gender.MALE
    return CprInfo(number=number, birth_date=birth_date, gender=gender)


def parse_cpr(text: str, *, today: date | None = None) -> CprInfo:
    """Parse and check a CPR number against ``today`` (default: the real date).

    Accepts numbers that fail modulus 11 (see the module docstring).
    """
    info = decode_cpr(text)
    if info.birth_date > (today or date.today()):
        raise InvalidCpr(
            CprProblem.FUTURE_BIRTH_DATE, "The CPR number's birth date is in the future."
        )
    return info


def birth_date_doubt(birth_date: date, today: date) -> BirthDateDoubt | None:
    """Why ``birth_date`` (from a CPR number or typed) should be confirmed before saving:
    after ``today``, or older than :data:`OLDEST_PLAUSIBLE_AGE` completed years; else None.
    """
    if birth_date > today:
        return BirthDateDoubt.FUTURE
    if age_on(birth_date, today) > OLDEST_PLAUSIBLE_AGE:
        return BirthDateDoubt.TOO_OLD
    return None


def cpr_has_mod11(number: str) -> bool:
    """True if the number passes the old modulus-11 check (a hint only, never a rule)."""
    return stdnum_cpr.checksum(normalize_cpr(number)) == 0


def format_cpr(number: str) -> str:
    """ "DDMMYY-SSSS", the way Danes write and read a CPR number."""
    return stdnum_cpr.format(normalize_cpr(number))


def mask_cpr(number: str) -> str:
    """ "DDMMYY-••••": enough to tell people apart in lists without exposing the number."""
    return f"{normalize_cpr(number)[:6]}-{MASK}"


# Ten digits, maybe with a dash (or a typographic one) after the sixth, not inside a
# longer run of digits: what a copied CPR number looks like within other text.
_CPR_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6})[-\u2010\u2011\u2013]?([0-9]{4})(?![0-9])")


def contains_cpr(text: str) -> bool:
    """Whether ``text`` holds something that reads as a CPR number: ten digits (a dash
    after the sixth allowed) whose first six are a real date (issue 13 §6: the
    clipboard is cleared of it). A phone number or an amount rarely passes the date."""
    for match in _CPR_IN_TEXT.finditer(text[:100_000]):
        try:
            decode_cpr(match.group(1) + match.group(2))
        except InvalidCpr:
            continue
        return True
    return False
