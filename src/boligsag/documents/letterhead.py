"""The page every letter is printed on: A4, organisation letterhead, footer, page numbers.

Layout follows the conventions of Danish municipal letters (and DIN 5008, which
window envelopes are made for): the recipient's address sits 45–90 mm from the top
edge and 25 mm from the left, so it shows in a C5/C65 window; the contact person and
our reference are in a right-hand column, the date right-aligned below it, and the
subject bold above the text. Every page carries the organisation's address and contact
in the footer, and "Side 1 af 2".

Everything is drawn into a ``BytesIO``: a letter holds personal data and must never
pass through a file, temporary or not (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from boligsag.i18n import tr_in

from . import fonts
from .logo import fit, read_logo
from .page_count import page_count_canvas

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 25 * mm
RIGHT = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
FIRST_TOP = 40 * mm  # below the letterhead rule
LATER_TOP = 24 * mm
BOTTOM = 24 * mm  # above the footer
RULE_GREY = colors.Color(0.55, 0.55, 0.55)
TEXT_GREY = colors.Color(0.3, 0.3, 0.3)
LOGO_BOX = (50 * mm, 20 * mm)
FOOTER_SIZE = 7.5


@dataclass(frozen=True)
class Organisation:
    """The sender, from the organisation settings."""

    name: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""
    logo: bytes | None = None

    @property
    def postal_line(self) -> str:
        return f"{self.postal_code} {self.city}".strip()


@cache
def styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    body = ParagraphStyle(
        "body", fontName=fonts.REGULAR, fontSize=10, leading=14, spaceAfter=5.5, alignment=TA_LEFT
    )
    return {
        "body": body,
        "address": ParagraphStyle("address", parent=body, leading=13.5, spaceAfter=0),
        "signature": ParagraphStyle("signature", parent=body, spaceAfter=0),
        "sender": ParagraphStyle(
            "sender", parent=body, fontSize=8.5, leading=11.5, spaceAfter=0, textColor=TEXT_GREY
        ),
        "date": ParagraphStyle("date", parent=body, alignment=TA_RIGHT, spaceAfter=0),
        "marking": ParagraphStyle(
            "marking", parent=body, fontName=fonts.BOLD, fontSize=9, leading=12, spaceAfter=2
        ),
        "subject": ParagraphStyle(
            "subject", parent=body, fontName=fonts.BOLD, fontSize=12.5, leading=16,
            spaceBefore=0, spaceAfter=8,
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=fonts.BOLD, fontSize=16, leading=20, spaceAfter=6
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName=fonts.BOLD, fontSize=10.5, leading=14,
            spaceBefore=7, spaceAfter=3, keepWithNext=True,
        ),
        "label": ParagraphStyle(
            "label", parent=body, fontSize=9, leading=13.5, spaceAfter=0, textColor=TEXT_GREY
        ),
        "cell": ParagraphStyle("cell", parent=body, spaceAfter=0, leading=13.5),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=8.5, leading=11.5, spaceAfter=0, textColor=TEXT_GREY
        ),
    }


def para(text: str, style: str = "body", *, bold: bool = False) -> Paragraph:
    """A paragraph of *plain* text: what the fonts lack made visible (``printable``),
    escaped (a reason may contain "<" or "&"), with line breaks kept. Only our own code
    adds markup, never data or templates."""
    markup = escape(fonts.printable(text.replace("\r\n", "\n"))).replace("\n", "<br/>")
    if bold:
        markup = f"<b>{markup}</b>"
    return Paragraph(markup, styles()[style])


def paragraphs(texts: Sequence[str], style: str = "body") -> list[Flowable]:
    return [para(t, style) for t in texts]


def heading(text: str) -> Paragraph:
    return para(text, "heading")


def inline_list(labels: Sequence[str]) -> str:
    """"navn og fødselsdato, adresse og telefon": labels as they read mid-sentence in
    Danish (lower case), except acronyms such as "CPR-nummer"."""
    def lower_first(label: str) -> str:
        return label[:1].lower() + label[1:] if label[1:2].islower() else label

    return ", ".join(lower_first(label) for label in labels)


def details_table(rows: Sequence[tuple[str, str]], label_width: float = 38 * mm) -> Table:
    """Label/value pairs ("Navn  Nguyễn Thị Hằng"), values wrapping in their column."""
    data = [[para(label, "label"), para(value, "cell")] for label, value in rows]
    table = Table(data, colWidths=[label_width, TEXT_WIDTH - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                # The labels are a point smaller: a point lower puts both on one baseline.
                ("TOPPADDING", (0, 0), (0, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def address_block(
    recipient: Sequence[str], sender: Sequence[str], date_text: str, *, window_offset: bool = True
) -> list[Flowable]:
    """Recipient (left, in the envelope window), sender column (right), then the date
    right-aligned. The first sender line is bold: it heads the column."""
    left = [para(line, "address") for line in recipient if line]
    # An empty sender line is a small gap between groups (contact person, reference).
    right: list[Flowable] = [
        para(line, "sender", bold=index == 0) if line else Spacer(1, 2.5 * mm)
        for index, line in enumerate(sender)
    ]
    table = Table([[left, right]], colWidths=[100 * mm, TEXT_WIDTH - 100 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    # From the frame top (40 mm) to the window's first line (~50 mm from the edge).
    top: list[Flowable] = [Spacer(1, 7 * mm)] if window_offset else []
    return [*top, table, Spacer(1, 3 * mm), para(date_text, "date"), Spacer(1, 6 * mm)]


def signature_lines(labels: Sequence[str], width: float = 78 * mm) -> Table:
    """Lines to sign on, two per row, each with its caption underneath."""
    pairs = [list(labels[i : i + 2]) for i in range(0, len(labels), 2)]
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    heights: list[float | None] = []
    for pair in pairs:
        caption_row = len(data) + 1
        data.append(["", "", ""])  # the room to write in
        data.append([para(pair[0], "small"), "", para(pair[1], "small") if len(pair) > 1 else ""])
        heights += [16 * mm, None]
        commands.append(("LINEABOVE", (0, caption_row), (0, caption_row), 0.6, colors.black))
        if len(pair) > 1:
            commands.append(("LINEABOVE", (2, caption_row), (2, caption_row), 0.6, colors.black))
    table = Table(data, colWidths=[width, TEXT_WIDTH - 2 * width, width], rowHeights=heights,
                  hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def build_pdf(
    story: list[Flowable], org: Organisation, *, language: str, title: str,
    running_title: str = "",
) -> bytes:
    """Lay out ``story`` on letterhead pages and return the PDF bytes.

    ``running_title`` ("Henvisning: <name>") heads every page after the first, so a
    page that comes loose from a signed form or letter can still be matched to it."""
    fonts.register_fonts()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=LATER_TOP,
        bottomMargin=BOTTOM,
        # Generic metadata on purpose: viewers show the title in window lists and
        # desktop indexers read it; the resident's name belongs inside the letter only.
        title=title,
        author=org.name,
        creator="Boligsag",
        subject=title,
    )
    first = Frame(LEFT, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - FIRST_TOP - BOTTOM, id="first",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(LEFT, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - LATER_TOP - BOTTOM, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    logo = read_logo(org.logo)
    doc.addPageTemplates(
        [
            PageTemplate("first", [first], onPage=lambda c, d: _first_page(c, org, logo)),
            PageTemplate("later", [later],
                         onPage=lambda c, d: _later_page(c, org, running_title)),
        ]
    )
    doc.build([NextPageTemplate("later"), *story], canvasmaker=_numbered_canvas(org, language))
    return buffer.getvalue()


def _first_page(canvas: Canvas, org: Organisation, logo: ImageReader | None) -> None:
    canvas.saveState()
    rule_y = PAGE_HEIGHT - 32 * mm
    if logo is not None:
        w, h = fit(logo, *LOGO_BOX)
        canvas.drawImage(logo, PAGE_WIDTH - RIGHT - w, rule_y + 4 * mm, w, h, mask="auto")
    canvas.setFont(fonts.BOLD, 15)
    canvas.drawString(LEFT, rule_y + 5 * mm, fonts.printable(org.name))
    _rule(canvas, rule_y)
    canvas.restoreState()


def _later_page(canvas: Canvas, org: Organisation, running_title: str) -> None:
    canvas.saveState()
    canvas.setFont(fonts.BOLD, 8.5)
    canvas.setFillColor(TEXT_GREY)
    canvas.drawString(LEFT, PAGE_HEIGHT - 15 * mm, fonts.printable(org.name))
    if running_title:
        canvas.setFont(fonts.REGULAR, 8.5)
        canvas.drawRightString(PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 15 * mm,
                               fonts.printable(running_title))
    _rule(canvas, PAGE_HEIGHT - 17 * mm)
    canvas.restoreState()


def _rule(canvas: Canvas, y: float) -> None:
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT, y, PAGE_WIDTH - RIGHT, y)


def footer_lines(org: Organisation, language: str, max_width: float = TEXT_WIDTH) -> list[str]:
    """The organisation's address and contact, on two lines under a thin rule: this is
    where the recipient looks for how to answer. A part that would run into the page
    number is dropped rather than overprinted (web first, then e-mail)."""
    phone = tr_in(language, "Phone {phone}", phone=org.phone) if org.phone else ""
    lines = []
    for parts in ([org.name, org.street, org.postal_line], [phone, org.email, org.web]):
        parts = [p for p in parts if p]
        parts = [fonts.printable(p) for p in parts]
        text = "  ·  ".join(parts)
        while len(parts) > 1 and stringWidth(text, fonts.REGULAR, FOOTER_SIZE) > max_width:
            parts.pop()
            text = "  ·  ".join(parts)
        if text:
            lines.append(text)
    return lines


def _numbered_canvas(org: Organisation, language: str) -> Callable[..., Canvas]:
    """A canvas that draws the footer with "Side 1 af 2" on every page."""
    footer = footer_lines(org, language, TEXT_WIDTH - 30 * mm)  # room for "Side 10 af 12"

    def draw_footer(canvas: Canvas, total: int) -> None:
        canvas.saveState()
        top = 19 * mm
        canvas.setStrokeColor(RULE_GREY)
        canvas.setLineWidth(0.4)
        canvas.line(LEFT, top, PAGE_WIDTH - RIGHT, top)
        canvas.setFont(fonts.REGULAR, FOOTER_SIZE)
        canvas.setFillColor(TEXT_GREY)
        for index, line in enumerate(footer):
            canvas.drawString(LEFT, top - 4 * mm - index * 3.6 * mm, line)
        page = tr_in(language, "Page {page} of {pages}", page=canvas.getPageNumber(),
                     pages=total)
        canvas.drawRightString(PAGE_WIDTH - RIGHT, top - 4 * mm, page)
        canvas.restoreState()

    return page_count_canvas(draw_footer)
