"""The fonts every letter uses: DejaVu Sans, embedded as TrueType subsets.

reportlab's built-in Helvetica only knows Latin-1, which prints "Şükrü Yılmaz" and
"Nguyễn Thị Hằng" as black boxes; a resident's name printed wrong on a letter to the
municipality is not a cosmetic bug. DejaVu Sans covers Latin Extended-A/B and the
Vietnamese stacked diacritics, and ships in ``resources/fonts`` (Bitstream Vera
licence), so no system font is needed. reportlab embeds only the glyphs used.

What DejaVu lacks (an emoji, Chinese or Japanese characters) would print as an empty box
or vanish, and nobody would notice that a name on a letter is wrong. All letter text
therefore goes through :func:`printable`, which replaces such characters with a visible
"\ufffd" (decided from the fonts' own character maps). Characters outside the Basic
Multilingual Plane count as unprintable even where DejaVu has a glyph (a few emoji):
reportlab writes a broken ToUnicode entry for them, so the letter's text cannot be
searched, copied or read aloud. A fallback font is no answer:
colour-emoji fonts (CBDT) don't work in reportlab, and the CJK fonts are CFF-based
OpenType, which reportlab cannot embed either.
"""

from __future__ import annotations

import threading
import unicodedata

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
_covered: frozenset[int] | None = None

REPLACEMENT = "\ufffd"  # "�": in DejaVu Sans, and plainly not a letter of the name
# Characters that belong to the one before them (an emoji's skin tone, a variation
# selector, a joiner, a combining mark): after a replaced character they are dropped,
# so "👍🏽" prints as one mark, not two.
_CLUSTER_PARTS = frozenset({"Mn", "Me", "Cf", "Sk"})


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


def covered_characters() -> frozenset[int]:
    """Code points every bundled face (regular, bold, oblique) can draw: text is printed
    in all three, so a character counts only if none of them would show a box. Only the
    BMP (see the module docstring); format characters (Cf) are never drawn anyway."""
    global _covered
    if _covered is None:
        register_fonts()
        maps = [set(pdfmetrics.getFont(name).face.charToGlyph)  # type: ignore[attr-defined]
                for name in _FILES]
        _covered = frozenset(
            code for code in set.intersection(*maps)
            if code <= 0xFFFF and unicodedata.category(chr(code)) != "Cf")
    return _covered


def unprintable(text: str) -> str:
    """The characters of ``text`` that :func:`printable` replaces, in order, once each
    (for the warning when a person is saved)."""
    covered = covered_characters()
    found = dict.fromkeys(c for c in unicodedata.normalize("NFC", text)
                          if not c.isspace() and ord(c) not in covered
                          and unicodedata.category(c) != "Cf")
    return "".join(found)


def printable(text: str) -> str:
    """``text`` as the letters print it: composed (NFC, so "e" + a combining accent uses
    the font's "é"), every character no bundled face can draw replaced by a visible
    "\ufffd", and the joiners and modifiers of such a character dropped with it."""
    covered = covered_characters()
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char.isspace() or ord(char) in covered:
            out.append(char)
            continue
        category = unicodedata.category(char)
        if category == "Cf" or (category in _CLUSTER_PARTS and out[-1:] == [REPLACEMENT]):
            continue  # invisible anyway, or part of the character just replaced
        out.append(REPLACEMENT)
    return "".join(out)

