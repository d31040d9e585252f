"""One column's value on the wire: how it is written out, and how a pushed value is
checked and read back.

Wire values are plain JSON: strings, integers, booleans, null; dates, datetimes and
times as ISO strings (``2026-11-25``, ``2026-11-25T10:30:00``, ``10:30:00``), decimals as
strings with the column's scale (``"55.00"``: a JSON number would round). Datetimes are
naive local times, as the app stores them; one with an offset is refused rather than
guessed at.

Every refusal is a :class:`BadBatch` whose text names the table and the field and what
was expected, never the value: a pushed value may be a note or a CPR number, and the
message ends up in the server's response and perhaps a log.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from .errors import BadBatch

# PostgreSQL's INTEGER; SQLite would take more, but the server would then fail the row.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?")
_TIME = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d{1,6})?")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
# As uuid.uuid4() writes them, which is how every installation makes its uuids.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def refuse(table: str, field: str, expected: str) -> BadBatch:
    return BadBatch(f"{table}.{field}: expected {expected}")


@dataclass(frozen=True)
class Codec:
    """How one kind of column travels: ``out`` turns a database value into its wire
    value (None: the database value already is one, so a bulk read skips the call),
    ``read`` checks a pushed value (already known not to be null) and returns the
    database value. ``expected`` says in English what a valid value looks like."""

    expected: str
    out: Callable[[Any], Any] | None
    check: Callable[[Any], Any]  # returns the database value or raises ValueError

    def read(self, table: str, field: str, value: object) -> Any:
        try:
            return self.check(value)
        except (ValueError, TypeError, InvalidOperation):
            # Not chained: the original exception's text may quote the value.
            raise refuse(table, field, self.expected) from None


def _iso(value: date | time | None) -> str | None:
    return None if value is None else value.isoformat()


def _check_text(limit: int | None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or (limit is not None and len(value) > limit):
            raise ValueError
        # PostgreSQL's text cannot hold NUL, and no field the app writes contains one.
        if "\x00" in value:
            raise ValueError
        return value
    return check


def text_codec(limit: int | None) -> Codec:
    expected = "a string" if limit is None else f"a string of at most {limit} characters"
    return Codec(expected, None, _check_text(limit))


def _check_int(value: Any) -> int:
    # bool is an int in Python, but true is not a number of minutes.
    if isinstance(value, bool) or not isinstance(value, int) or not INT_MIN <= value <= INT_MAX:
        raise ValueError
    return value


INTEGER = Codec("an integer", None, _check_int)


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


BOOLEAN = Codec("true or false", None, _check_bool)


def _canonical(pattern: re.Pattern[str], parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """Only the spelling ``out`` writes: one value, one string, so the merge can compare
    a pushed value with the stored one as text. The pattern first: fromisoformat alone
    also takes "20261125" and offsets; the round trip then refuses "10:30:00.000000"."""
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError
        parsed = parse(value)
        if parsed.isoformat() != value:
            raise ValueError
        return parsed
    return check


DATE = Codec("a date as YYYY-MM-DD", _iso, _canonical(_DATE, date.fromisoformat))
DATETIME = Codec("a local time as YYYY-MM-DDTHH:MM:SS[.ffffff]", _iso,
                 _canonical(_DATETIME, datetime.fromisoformat))
TIME = Codec("a time of day as HH:MM:SS[.ffffff]", _iso, _canonical(_TIME, time.fromisoformat))


def decimal_codec(precision: int, scale: int) -> Codec:
    expected = (f"a decimal number as a string with {scale} decimals and at most "
                f"{precision - scale} digits before the point")

    def out(value: Decimal | float | None) -> str | None:
        # SQLite hands back a float or a Decimal of any scale; PostgreSQL the column's
        # scale. Quantised, both say "55.00".
        return None if value is None else f"{Decimal(str(value)):.{scale}f}"

    def check(value: Any) -> Decimal:
        if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
            raise ValueError
        number = Decimal(value)
        # As out() writes it (so "4.5" for 4.50 is refused), and within the column.
        if out(number) != value or abs(number) >= Decimal(10) ** (precision - scale):
            raise ValueError
        return number

    return Codec(expected, out, check)


def enum_codec(enum: type[StrEnum], limit: int | None) -> Codec:
    members = [member.value for member in enum]
    expected = "one of " + ", ".join(members)

    def check(value: Any) -> str:
        if value not in members or not isinstance(value, str):
            raise ValueError
        if limit is not None and len(value) > limit:  # a model/enum mismatch, not input
            raise ValueError
        return enum(value)

    # The column is a plain String: the database hands back a str already.
    return Codec(expected, None, check)


def check_uuid_text(table: str, field: str, value: object) -> str:
    """A referenced row's uuid, in lower-case hex; whether the row exists is checked
    later, for all of a change's references at once."""
    if not isinstance(value, str) or not UUID.fullmatch(value):
        raise refuse(table, field, "a uuid")
    return value
