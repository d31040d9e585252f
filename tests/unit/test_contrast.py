"""Both looks can be read: every text colour against its background has at least the
WCAG contrast ratio (4.5:1 for the standard look, 7:1 for high contrast), so that
statuses, "<5" markers and links stay readable on either."""

from __future__ import annotations

import pytest

from boligsag.ui.theme import HIGH_CONTRAST, STANDARD, Scheme


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# (text colour, background) pairs the screens draw.
PAIRS = [("text", "window"), ("text", "surface"), ("muted", "window"), ("muted", "surface"),
         ("primary", "surface"), ("on_primary", "primary"), ("on_error", "error"),
         ("error", "surface"), ("error", "error_soft"), ("warning", "surface"),
         ("warning", "warning_soft"), ("success", "surface"), ("success", "success_soft"),
         ("muted", "grey_soft"), ("primary", "primary_soft"), ("text", "primary_soft"),
         ("sidebar_text", "sidebar"), ("sidebar_text", "sidebar_selected"),
         ("disabled_text", "disabled_field"), ("text", "header"), ("muted", "header"),
         ("text", "tooltip")]


@pytest.mark.parametrize(("look", "minimum"), [(STANDARD, 4.5), (HIGH_CONTRAST, 7.0)])
def test_every_text_colour_is_readable_on_its_background(look: Scheme, minimum: float) -> None:
    low = {f"{fg} on {bg}": round(ratio(getattr(look, fg), getattr(look, bg)), 2)
           for fg, bg in PAIRS if ratio(getattr(look, fg), getattr(look, bg)) < minimum}
    assert low == {}


def test_the_ratio_is_the_wcag_one() -> None:
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
