"""The data subject's access report (indsigt, GDPR art. 15; issue 13 §3): everything
Boligsag holds about one person, on the organisation's letterhead, built in memory.

It is a plain document of sections: the registry details as label/value pairs, then
each kind of record as a table (contacts, enrollments, jobs, consents, referrals,
letters, and the access log: who viewed or changed the person's data, when, and why
where a purpose was given). A section with nothing in it says so, so the reader knows
it was looked at. What the document may not show (an SSP note's text) arrives here
already replaced by the service (services/indsigt.py); this module only lays out text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from boligsag.formatting import long_date
from boligsag.i18n import tr_in

from . import fonts
from .letterhead import (
    TEXT_WIDTH,
    Organisation,
    build_pdf,
    details_table,
    heading,
    para,
    styles,
)

HEADER_FILL = "#eef1f4"
RULE = "#d5dbe1"


@dataclass(frozen=True)
class IndsigtSection:
    title: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]  # shares of the text width, one per column
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # under the table (e.g. why a text is not shown)


@dataclass(frozen=True)
class IndsigtData:
    organisation: Organisation
    made_on: date
    made_by: str
    person_name: str
    registry: tuple[tuple[str, str], ...]
    sections: tuple[IndsigtSection, ...]
    language: str = "da"


def _cell(text: str, *, header: bool = False) -> Paragraph:
    """A table cell a size smaller than the letter's text, so a date and time fit on one
    line; plain text made printable and escaped as in ``letterhead.para``."""
    base = styles()["label" if header else "cell"]
    style = base.clone(f"indsigt_{base.name}", fontSize=8.5, leading=11)
    markup = escape(fonts.printable(text.replace("\r\n", "\n"))).replace("\n", "<br/>")
    return Paragraph(markup, style)


def _table(section: IndsigtSection) -> Table:
    widths = [TEXT_WIDTH * share / sum(section.widths) for share in section.widths]
    data = [[_cell(title, header=True) for title in section.columns]]
    data += [[_cell(cell) for cell in row] for row in section.rows]
    table = Table(data, colWidths=widths, hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def render_indsigt(data: IndsigtData) -> bytes:
    lang = data.language

    def t(msgid: str, **params: object) -> str:
        return tr_in(lang, msgid, **params)

    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        para(t("Access report: the data we hold about you"), "title"),
        para(t("This report lists everything {organisation} holds about {name} in its case "
               "system Boligsag on {date} (the right of access, Article 15 of the General "
               "Data Protection Regulation). It was made by {staff}.",
               organisation=data.organisation.name, name=data.person_name,
               date=long_date(data.made_on, lang), staff=data.made_by)),
        heading(t("Registered details")),
        details_table(list(data.registry), label_width=42 * mm),
    ]
    for section in data.sections:
        story.append(heading(section.title))
        if section.rows:
            story.append(_table(section))
        else:
            story.append(para(t("Nothing registered."), "small"))
        if section.note:
            story += [Spacer(1, 1.5 * mm), para(section.note, "small")]
    story += [Spacer(1, 6 * mm), para(t(
        "If something is wrong, you may ask us to correct it. You may complain to "
        "Datatilsynet (www.datatilsynet.dk) about how we process your data."), "small")]
    return build_pdf(story, data.organisation, language=lang, title=t("Access report"),
                     running_title=f"{t('Access report')}: {data.person_name}")
