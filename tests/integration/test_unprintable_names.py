"""A name with characters the bundled fonts cannot draw (an emoji, CJK) is printed
with a visible replacement mark instead of an empty box, in every letter's heading,
body and consent line; saving such a person warns (issue 8, item 5.3)."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from sqlalchemy import update

from boligsag.documents import fonts
from boligsag.services.context import AppContext
from boligsag.services.letters import (
    render_concern_letter,
    render_consent_form,
    render_referral_letter,
)
from boligsag.storage.models import Person

from . import test_letters
from .test_letters import World, text_of

world = test_letters.world  # the letters' people, services, consents and referrals

ODD_FIRST = "Nguyễn Thị 😀"  # an emoji: no glyph in DejaVu Sans
ODD_LAST = "Hằng 李"  # a CJK character: none either


def covered() -> set[int]:
    fonts.register_fonts()
    faces = [pdfmetrics.getFont(name).face for name in (fonts.REGULAR, fonts.BOLD,
                                                        fonts.ITALIC)]
    return set.intersection(*(set(face.charToGlyph) for face in faces))


def rename(ctx: AppContext, person_id: int, first: str, last: str) -> None:
    with ctx.write(None) as unit:
        session = unit.session
        session.execute(update(Person).where(Person.id == person_id)
                        .values(first_name=first, last_name=last))


def assert_printable(text: str) -> None:
    cmap = covered()
    missing = {c for c in text if not c.isspace() and ord(c) not in cmap}
    assert not missing, missing


@pytest.fixture
def odd_world(ctx: AppContext, world: World) -> World:
    rename(ctx, world.people["hang"], ODD_FIRST, ODD_LAST)
    rename(ctx, world.people["umit"], "Ümit 🙂", "Çelik")
    return world


def test_letters_print_a_visible_mark_for_what_the_fonts_lack(
        ctx: AppContext, odd_world: World) -> None:
    letter = render_referral_letter(ctx, odd_world.referrals["hang"]).data
    shots = os.environ.get("BOLIGSAG_SCREENSHOTS")
    if shots:  # for a person to look at (pdftoppm); not needed by the assertions
        (Path(shots) / "odd-name-letter.pdf").write_bytes(letter)
    text = text_of(letter)
    assert_printable(text)
    # Heading, body and consent line: the name's other letters, and the mark.
    assert "Henvisning: Nguyễn Thị \ufffd Hằng \ufffd" in text
    assert "af Nguyễn Thị \ufffd Hằng \ufffd" in text
    consent = text_of(render_consent_form(ctx, odd_world.consents["hang"]).data)
    assert_printable(consent)
    assert "Nguyễn Thị \ufffd Hằng \ufffd" in consent
    concern = text_of(render_concern_letter(ctx, odd_world.referrals["concern"]).data)
    assert_printable(concern)
    assert "Underretning om Ümit \ufffd Çelik" in concern


def test_pdftotext_finds_no_missing_glyph(ctx: AppContext, odd_world: World) -> None:
    letter = render_referral_letter(ctx, odd_world.referrals["hang"]).data
    text = unicodedata.normalize("NFC", subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=letter, capture_output=True,
        check=True).stdout.decode())
    assert_printable(text)
    assert "Nguyễn Thị" in text and "Hằng" in text and "\ufffd" in text
