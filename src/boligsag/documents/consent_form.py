"""The consent form (samtykkeerklæring) the person, or the holder of parental custody,
signs: who it concerns, who gives it, which information (every category listed, the
consented ones ticked, so the signer sees what is *not* shared too), to whom, for what,
for how long, and how to withdraw it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from boligsag.formatting import long_date
from boligsag.i18n import tr_in

from . import fonts
from .errors import MissingLetterData
from .letterhead import (
    TEXT_WIDTH,
    Organisation,
    build_pdf,
    details_table,
    heading,
    para,
    paragraphs,
    signature_lines,
    styles,
)
from .model import PersonDetails, Recipient, ScopeChoice, StaffContact
from .templates import load_template

TEMPLATE = "consent_form"
SECTIONS = frozenset(
    {"title", "intro", "person_heading", "giver_heading", "scope_heading", "recipient_heading",
     "purpose_heading", "validity_heading", "validity", "withdrawal_heading", "withdrawal",
     "declaration", "signature_giver", "signature_staff"}
)
PLACEHOLDERS = frozenset(
    {"person_name", "giver_name", "organisation_name", "service_name", "service_unit",
     "valid_from", "valid_to", "staff_name", "staff_phone", "staff_email", "form_date"}
)
CHECKED, UNCHECKED = "\u2612", "\u2610"  # ☒ ☐, both in DejaVu Sans


@dataclass(frozen=True)
class ConsentFormData:
    organisation: Organisation
    form_date: date
    person: PersonDetails
    giver_name: str
    giver_is_custody_holder: bool  # False: the person consents on their own behalf
    scopes: tuple[ScopeChoice, ...]
    recipient: Recipient
    purpose: str
    valid_from: date
    valid_to: date
    staff: StaffContact
    language: str = "da"


def _check(data: ConsentFormData) -> None:
    missing = []
    if not data.person.name.strip():
        missing.append("person.name")
    if not data.recipient.name.strip():
        missing.append("service.name")
    if not data.organisation.name.strip():
        missing.append("organisation.name")
    if not data.staff.name.strip():
        missing.append("staff.name")
    if missing:
        raise MissingLetterData(missing)


def _scope_table(scopes: tuple[ScopeChoice, ...]) -> Table:
    box_style = styles()["cell"].clone("box", fontName=fonts.REGULAR, fontSize=13, leading=14)
    rows = []
    for choice in scopes:
        text = f"<b>{escape(fonts.printable(choice.label))}</b>"
        if choice.description:
            text += (f"<br/><font size=8.5 color='#4d4d4d'>"
                     f"{escape(fonts.printable(choice.description))}</font>")
        rows.append(
            [Paragraph(CHECKED if choice.ticked else UNCHECKED, box_style),
             Paragraph(text, styles()["cell"])]
        )
    table = Table(rows, colWidths=[8 * mm, TEXT_WIDTH - 8 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def render_consent_form(data: ConsentFormData, *, template_dir: Path | None = None) -> bytes:
    lang = data.language
    template = load_template(
        TEMPLATE, sections=SECTIONS, placeholders=PLACEHOLDERS, language=lang,
        directory=template_dir,
    )
    _check(data)
    values = {
        "person_name": data.person.name,
        "giver_name": data.giver_name,
        "organisation_name": data.organisation.name,
        "service_name": data.recipient.name,
        "service_unit": data.recipient.unit or data.recipient.name,
        "valid_from": long_date(data.valid_from, lang),
        "valid_to": long_date(data.valid_to, lang),
        "staff_name": data.staff.name,
        "staff_phone": data.staff.phone,
        "staff_email": data.staff.email,
        "form_date": long_date(data.form_date, lang),
    }

    def t(msgid: str) -> str:
        return tr_in(lang, msgid)

    person_rows = [(t("Name"), data.person.name)]
    if data.person.birth_date is not None:
        person_rows.append((t("Date of birth"), long_date(data.person.birth_date, lang)))
    if data.person.address:
        person_rows.append((t("Address"), data.person.address))
    giver_role = t("Holder of parental custody") if data.giver_is_custody_holder else t(
        "The person themself"
    )
    recipient_rows = [(t("Recipient"), ", ".join(data.recipient.lines(lang)[:2]))]
    if data.recipient.street:
        recipient_rows.append((t("Address"), ", ".join(data.recipient.lines(lang)[-2:])))
    recipient_rows.append((t("Passed on by"), data.organisation.name))

    story: list[Flowable] = [
        Spacer(1, 4 * mm),
        para(template.text("title", values), "title"),
        *paragraphs(template.paragraphs("intro", values)),
        heading(template.text("person_heading", values)),
        details_table(person_rows),
        heading(template.text("giver_heading", values)),
        details_table([(t("Name"), data.giver_name), (t("Gives consent as"), giver_role)]),
        heading(template.text("scope_heading", values)),
        _scope_table(data.scopes),
        heading(template.text("recipient_heading", values)),
        details_table(recipient_rows),
        heading(template.text("purpose_heading", values)),
        para(data.purpose),
        heading(template.text("validity_heading", values)),
        *paragraphs(template.paragraphs("validity", values)),
        KeepTogether(
            [heading(template.text("withdrawal_heading", values)),
             *paragraphs(template.paragraphs("withdrawal", values), "body")]
        ),
        KeepTogether(
            [*paragraphs(template.paragraphs("declaration", values)),
             Spacer(1, 2 * mm),
             signature_lines([template.text("signature_giver", values),
                              template.text("signature_staff", values)])]
        ),
    ]
    running = f"{template.text('title', values)}: {data.person.name}"
    return build_pdf(story, data.organisation, language=lang, title=t("Consent form"),
                     running_title=running)
