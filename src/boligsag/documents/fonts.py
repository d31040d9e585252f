"""The fonts every letter uses: DejaVu Sans, embedded as TrueType subsets.

reportlab's built-in Helvetica only knows Latin-1, which prints "Şükrü Yılmaz" and
"Nguyễn Thị Hằng" as black boxes; a resident's name printed wrong on a letter to the
municipality is not a cosmetic bug. DejaVu Sans covers Latin Extended-A/B and the
Vietnamese stacked diacritics, and ships in ``resources/fonts`` (Bitstream Vera
licence), so no system font is needed. reportlab embeds only the glyphs used.
"""

from __future__ import annotations

import threading

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from boligsag.resources import resource_path

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"

_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}
_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the fonts with reportlab once per process.

    Lazy rather than at import: parsing three TTF files costs ~100 ms, which the CLI
    and most tests should not pay. The lock matters because the GUI renders letters on
    a worker thread and two previews may start at once.
    """
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, filename in _FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(resource_path("fonts", filename))))
        # <b> and <i> inside Paragraph markup pick these faces. There is no
        # bold-oblique file: bold is the better fallback for emphasis inside a heading.
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        addMapping(REGULAR, 0, 1, ITALIC)
        addMapping(REGULAR, 1, 1, BOLD)
        _registered = True


def missing_glyphs(text: str, font_name: str = REGULAR) -> set[str]:
    """Characters of ``text`` the font cannot draw (for tests and a pre-print check)."""
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    covered = font.face.charToGlyph  # type: ignore[attr-defined]
    return {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
