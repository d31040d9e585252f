"""The summary as a PDF report for the board, the municipality and LBF (reportlab).

Built in memory (DESIGN.md §5) from the *published* summary, so the report shows
exactly what the XLSX and CSV show. A4 portrait: the first page carries the
organisation, the period and selection, and the key figures; then a section per theme
with its chart and tables; the monthly series last. Every page has the organisation and
"Side 2 af 7" in its footer.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from boligsag.documents import fonts
from boligsag.i18n import tr_in
from boligsag.summaries.model import TOTAL
from boligsag.summaries.published import (
    SUPPRESSION_NOTE,
    PublishedSummary,
    PublishedTable,
    filter_lines,
    format_cell,
    generated_text,
    period_text,
)

from . import report_charts as charts
from .report_page import (
    ACCENT,
    INK,
    MARGIN,
    MUTED,
    RULE,
    WIDTH,
    Masthead,
    ReportHeader,
    SectionRule,
    numbered_canvas,
)

PALE = colors.HexColor("#eef3f6")

# The report's sections: (heading message id, tables in order). Monthly series last.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Participants", ("participants",)),
    ("Contacts", ("contacts_by_channel", "contacts_by_focus_area", "anonymous_contacts",
                  "contacts_by_topic")),
    ("Activities", ("activities", "enrollments_ended", "drop_in")),
    ("Referrals", ("referral_flow", "referrals_by_service", "referrals_by_status", "concerns")),
    ("Jobs", ("jobs", "job_follow_ups")),
    ("Month by month", ("participants_per_month", "contacts_per_month",
                        "contacts_per_month_by_focus_area", "activities_per_month",
                        "referrals_per_month", "jobs_per_month")),
)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    fonts.register_fonts()
    base = ParagraphStyle("base", fontName=fonts.REGULAR, fontSize=9, leading=12,
                          textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=fonts.BOLD, fontSize=22,
                                leading=27, textColor=ACCENT),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16),
        "h1": ParagraphStyle("h1", parent=base, fontName=fonts.BOLD, fontSize=14, leading=18,
                             textColor=ACCENT, spaceBefore=4, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontName=fonts.BOLD, fontSize=10, leading=13,
                             spaceBefore=8, spaceAfter=4),
        "note": ParagraphStyle("note", parent=base, fontName=fonts.ITALIC, fontSize=7.5,
                               leading=9.5, textColor=MUTED, spaceBefore=3),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2),
        "head": ParagraphStyle("head", parent=base, fontName=fonts.BOLD, fontSize=7.5,
                               leading=9.2, alignment=TA_RIGHT),
        "head_left": ParagraphStyle("head_left", parent=base, fontName=fonts.BOLD,
                                    fontSize=7.5, leading=9.2),
        "tile_value": ParagraphStyle("tile_value", parent=base, fontName=fonts.BOLD,
                                     fontSize=17, leading=20, textColor=ACCENT),
        "tile_label": ParagraphStyle("tile_label", parent=base, fontSize=7.5, leading=9.5,
                                     textColor=MUTED),
        "about": ParagraphStyle("about", parent=base, fontSize=8, leading=10, leftIndent=9,
                                bulletIndent=0, spaceAfter=2, textColor=INK),
        "label": ParagraphStyle("label", parent=base, fontName=fonts.BOLD, fontSize=8.5),
        "value": ParagraphStyle("value", parent=base, fontSize=8.5),
    }


def _p(text: str, style: str) -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def to_pdf(published: PublishedSummary, *, header: ReportHeader, language: str) -> bytes:
    fonts.register_fonts()
    buffer = BytesIO()
    title = tr_in(language, "Activity report")
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=22 * mm,
        bottomMargin=20 * mm, title=title, author=header.organisation, creator="Boligsag",
        subject=period_text(published.filter, language),
    )
    story = _first_page(published, header, language)
    by_key = {t.key: t for t in published.tables}
    for heading, keys in SECTIONS:
        # A new section starts on a new page only when little of this one is left, so
        # the report reads as a document rather than a stack of half-empty pages.
        story += [CondPageBreak(95 * mm), Spacer(1, 4 * mm), SectionRule(),
                  _p(tr_in(language, heading), "h1")]
        story += _section_chart(heading, by_key, language)
        for key in keys:
            if key in by_key:
                story += _table(by_key[key], language)
    running = f"{title} · {period_text(published.filter, language)}"
    doc.build(story, canvasmaker=numbered_canvas(header, running, language))
    return buffer.getvalue()


# -- first page --------------------------------------------------------------------------


def _first_page(published: PublishedSummary, header: ReportHeader,
                language: str) -> list[Flowable]:
    story: list[Flowable] = [Masthead(header), Spacer(1, 4 * mm)]
    story.append(_p(tr_in(language, "Activity report"), "title"))
    story.append(_p(period_text(published.filter, language), "subtitle"))
    story.append(Spacer(1, 5 * mm))
    lines = [*filter_lines(published, language)[1:],
             (tr_in(language, "Generated"), generated_text(published, language))]
    box = Table([[_p(k, "label"), _p(v, "value")] for k, v in lines],
                colWidths=[38 * mm, WIDTH - 38 * mm])
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), PALE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2.2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.2),
        ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
    ]))
    story += [box, Spacer(1, 5 * mm), _p(tr_in(language, "Key figures"), "h1")]
    story.append(_tiles(published, language))
    about: list[Flowable] = [Spacer(1, 4 * mm), _p(tr_in(language, "About the figures"), "h2")]
    for text in (
        tr_in(language, "Participants are unique people who took part in the period: named "
                        "contacts, sessions attended, enrollments and jobs that ran, and "
                        "referrals sent. New participants took part for the first time. Age "
                        "is the age on the last day of the period."),
        tr_in(language, "Each contact counts under one focus area: its activity's, otherwise "
                        "that of its first topic. Anonymous contacts and drop-in visits are "
                        "counted without any person registered."),
        tr_in(language, "Referrals are those created in the period, with their status "
                        "today. The loop is closed when the resident got across: the "
                        "referral was closed after a first meeting."),
        # The one rule for deleted records (services/summaries/scope.py).
        tr_in(language, "Deleted records count in no figure, and neither does anything of "
                        "a deleted person, who was registered by mistake: their contacts, "
                        "enrollments, attendance, jobs and referrals are left out everywhere "
                        "(a contact with other residents still counts). Anonymised people "
                        "are real and still count."),
        SUPPRESSION_NOTE.text(language),
    ):
        about.append(Paragraph(escape(text), _styles()["about"], bulletText="•"))
    # Read as one: never a bullet or two alone at the top of the next page.
    story.append(KeepTogether(about))
    return story


def _tiles(published: PublishedSummary, language: str) -> Table:
    per_row = 4
    tiles = [[_p(format_cell(f.cell, language) or "–", "tile_value"),
              _p(f.label.text(language), "tile_label")] for f in published.key_figures]
    rows = [tiles[i:i + per_row] for i in range(0, len(tiles), per_row)]
    rows[-1] += [["", ""]] * (per_row - len(rows[-1]))
    grid = Table([[Table([[t[0]], [t[1]]], colWidths=[WIDTH / per_row - 8]) for t in row]
                  for row in rows], colWidths=[WIDTH / per_row] * per_row)
    grid.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEABOVE", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ]))
    return grid


# -- sections ----------------------------------------------------------------------------


def _section_chart(heading: str, by_key: dict[str, PublishedTable],
                   language: str) -> list[Flowable]:
    hidden = tr_in(language, "Figures withheld in the tables (..) are not drawn.")
    drawing: Flowable | None = None
    title = ""
    if heading == "Participants" and "participants" in by_key:
        title = tr_in(language, "Participants by age group and gender")
        drawing = charts.grouped_age_gender(by_key["participants"], WIDTH, language)
    elif heading == "Contacts" and "contacts_per_month_by_focus_area" in by_key:
        title = tr_in(language, "Contacts per month by focus area")
        drawing = charts.stacked_months(by_key["contacts_per_month_by_focus_area"], WIDTH,
                                        language, tr_in(language, "Withheld (..)"))
        hidden = tr_in(language, "Withheld figures are shown together in grey, up to the "
                                 "month's total.")
    elif heading == "Referrals" and "referral_flow" in by_key:
        table = by_key["referral_flow"]
        title = tr_in(language, "Referral flow")
        drawing = charts.horizontal_bars([r.label.text(language) for r in table.rows],
                                         [r.cells[0] for r in table.rows], WIDTH, language)
    elif heading == "Jobs" and "job_follow_ups" in by_key:
        table = by_key["job_follow_ups"]
        title = tr_in(language, "Share still employed at follow-up")
        share = [c.key for c in table.columns].index("share")
        drawing = charts.horizontal_bars([r.label.text(language) for r in table.rows],
                                         [r.cells[share] for r in table.rows], WIDTH,
                                         language, percent=True, colour=charts.PALETTE[2])
    if drawing is None:
        return []
    return [KeepTogether([_p(title, "h2"), drawing, charts.caption(hidden, WIDTH)]),
            Spacer(1, 3 * mm)]


def _table(table: PublishedTable, language: str) -> list[Flowable]:
    styles = _styles()
    columns = list(table.columns)
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    texts = [[format_cell(cell, language) for cell in row.cells] for row in rows]
    headings = [c.label.text(language) for c in columns]
    widths, head_size = _column_widths(table.row_heading.text(language), headings,
                                       [r.label.text(language) for r in rows], texts)
    head_style = ParagraphStyle("h", parent=styles["head"], fontSize=head_size,
                                leading=head_size + 1.7)
    head = [_p(table.row_heading.text(language), "head_left"),
            *(Paragraph(escape(text), head_style) for text in headings)]
    body: list[list[Any]] = [head]
    for row, cells in zip(rows, texts, strict=True):
        body.append([Paragraph(escape(row.label.text(language)), styles["cell"]), *cells])
    grid = Table(body, colWidths=widths, repeatRows=1)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (1, 1), (-1, -1), fonts.REGULAR, 7.5),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PALE]),
    ]
    if table.total is not None:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                     ("FONT", (1, -1), (-1, -1), fonts.BOLD, 7.5),
                     ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
        body[-1][0] = Paragraph(f"<b>{escape(table.total.label.text(language))}</b>",
                                styles["cell"])
    if any(c.key == TOTAL for c in columns):
        commands.append(("FONT", (-1, 1), (-1, -1), fonts.BOLD, 7.5))
    grid.setStyle(TableStyle(commands))
    flow: list[Flowable] = [_p(table.title.text(language), "h2"), grid]
    if table.note is not None:
        flow.append(_p(table.note.text(language), "note"))
    if len(rows) <= KEEP_WHOLE:
        # A short table is moved whole to the next page rather than split a few rows
        # before its end; a long one (months of ten years) splits, its header repeated.
        return [KeepTogether(flow), Spacer(1, 3 * mm)]
    return [CondPageBreak(40 * mm), *flow, Spacer(1, 3 * mm)]


KEEP_WHOLE = 26


CELL_PAD = 3
LABEL_MIN, LABEL_MAX = 30 * mm, 62 * mm


def _column_widths(row_heading: str, headings: list[str], labels: list[str],
                   texts: list[list[str]]) -> tuple[list[float], float]:
    """Column widths that never break a word of a heading ("Fremmøde-procent" split as
    "Fremmød/eprocent" reads as a typo): each number column is as wide as its longest
    heading word and its widest figure; the row labels get what is left. Headings step
    down a size when a wide table needs it."""
    def width(text: str, font: str, size: float) -> float:
        return stringWidth(text, font, size) + 2 * CELL_PAD + 1

    label_need = max([width(row_heading, fonts.BOLD, 7.5),
                      *(width(label, fonts.REGULAR, 7.5) for label in labels)])
    label = min(max(label_need, LABEL_MIN), LABEL_MAX)
    for size in (7.5, 7.0, 6.5, 6.0):
        needs = []
        for index, heading in enumerate(headings):
            words = heading.replace("/", "/ ").split() or [""]
            figures = [row[index] for row in texts]
            needs.append(max([*(width(w, fonts.BOLD, size) for w in words),
                              *(width(f, fonts.BOLD, 7.5) for f in figures)]))
        spare = WIDTH - label - sum(needs)
        if spare >= 0:
            break
    if spare < 0:  # still too wide: the label column gives way, down to its minimum
        label = max(LABEL_MIN, label + spare)
        spare = WIDTH - label - sum(needs)
    if spare > 0:
        # Extra room: numbers look best in equal, generous columns, labels keep theirs.
        even = max([*needs, 0])
        if label + even * len(needs) <= WIDTH:
            needs = [even] * len(needs)
        spare = WIDTH - label - sum(needs)
        needs = [n + spare / max(1, len(needs)) for n in needs] if len(needs) > 1 else [
            needs[0] + spare / 2] if needs else []
        label = WIDTH - sum(needs)
    return [label, *needs], size
