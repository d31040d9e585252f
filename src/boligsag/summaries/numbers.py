"""How a published figure is shown: ONE rounding for the screen, the PDF, CSV and XLSX.

A figure is rounded half up (``formatting.round_half_up``) to the places its kind shows,
and every export shows that same number: 44.25 hours is "44,3" on the screen, in the
PDF and the CSV, and the XLSX cell holds 44.3 with a format of one decimal (Excel would
round 44.25 up itself, Python's format() down: rounding first makes them agree).

- a count: whole;
- hours: one decimal;
- a share: a whole percent (70 %); the XLSX cell holds the rounded fraction (0.70)
  formatted as a percentage, so Excel can still calculate with it;
- a median of days: whole, or one decimal when it lies between two (12,5).
"""

from __future__ import annotations

from decimal import Decimal

from boligsag.formatting import number_text, round_half_up

from .model import ValueKind


def decimals(kind: ValueKind, value: float) -> int:
    """How many decimals a figure of ``kind`` shows (a share: of its percentage)."""
    if kind is ValueKind.HOURS:
        return 1
    if kind is ValueKind.DAYS:
        return 0 if float(value).is_integer() else 1
    return 0


def shown_number(value: float, kind: ValueKind) -> Decimal:
    """The number every export shows for ``value``: a share as its percentage."""
    if kind is ValueKind.SHARE:
        return round_half_up(Decimal(repr(float(value))) * 100, 0)
    return round_half_up(value, decimals(kind, value))


def shown_text(value: float, kind: ValueKind, language: str, *,
               thousands: bool = True) -> str:
    """``shown_number`` as text in ``language`` (a share without its % sign)."""
    return number_text(shown_number(value, kind), decimals(kind, value), language,
                       thousands=thousands)


def excel_value(value: float, kind: ValueKind) -> int | float:
    """The XLSX cell value: the shown number (a share as a fraction again)."""
    number = shown_number(value, kind)
    if kind is ValueKind.SHARE:
        return float(number / 100)
    return int(number) if kind is ValueKind.COUNT else float(number)


def excel_format(value: float, kind: ValueKind) -> str:
    """The XLSX number format that shows ``excel_value`` as the other exports do."""
    if kind is ValueKind.SHARE:
        return "0%"
    places = decimals(kind, value)
    return "#,##0." + "0" * places if places else "#,##0"
