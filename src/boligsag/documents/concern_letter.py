"""Notification of concern about a child (underretning, barnets lov § 135).

The duty to notify overrides confidentiality, so this letter needs no consent and,
unlike a referral letter, carries everything the municipality needs to identify the
child and act: name, date of birth, CPR number if known, address, and the parents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.platypus import Flowable

from boligsag.formatting import long_date
from boligsag.i18n import tr_in

from .errors import MissingLetterData
from .letter_parts import (
    missing_sender_data,
    opening_block,
    sender_and_recipient_values,
    signature_block,
)
from .letterhead import (
    Organisation,
    build_pdf,
    details_table,
    heading,
    para,
    paragraphs,
)
from .model import Guardian, PersonDetails, Recipient, StaffContact
from .templates import load_template

TEMPLATE = "concern_letter"
SECTIONS = frozenset(
    {"subject", "intro", "child_heading", "parents_heading", "concern_heading", "closing",
     "greeting"}
)
PLACEHOLDERS = frozenset(
    {"child_name", "service_name", "service_unit", "organisation_name", "staff_name",
     "staff_title", "staff_phone", "staff_email", "letter_date", "reference"}
)


@dataclass(frozen=True)
class ConcernLetterData:
    organisation: Organisation
    letter_date: date
    recipient: Recipient
    child: PersonDetails
    parents: tuple[Guardian, ...]
    concern: str
    staff: StaffContact
    reference: str = ""
    language: str = "da"


def _check(data: ConcernLetterData) -> None:
    missing = data.recipient.missing()
    if not data.child.name.strip():
        missing.append("person.name")
    if data.child.birth_date is None and not data.child.cpr:
        missing.append("person.identification")
    if not data.concern.strip():
        missing.append("reason")
    missing += missing_sender_data(data.organisation, data.staff)
    if missing:
        raise MissingLetterData(missing)


def _child_rows(child: PersonDetails, lang: str) -> list[tuple[str, str]]:
    rows = [(tr_in(lang, "Name"), child.name)]
    if child.birth_date is not None:
        rows.append((tr_in(lang, "Date of birth"), long_date(child.birth_date, lang)))
    if child.cpr:
        rows.append((tr_in(lang, "CPR number"), child.cpr))
    rows.append((tr_in(lang, "Address"), child.address or tr_in(lang, "Not known")))
    return rows


def _parent_rows(parents: tuple[Guardian, ...], lang: str) -> list[tuple[str, str]]:
    rows = []
    for parent in parents:
        label = tr_in(lang, "Holds parental custody") if parent.custody else tr_in(lang, "Parent")
        details = [parent.details.name, parent.details.address]
        if parent.details.phone:
            details.append(tr_in(lang, "Phone {phone}", phone=parent.details.phone))
        rows.append((label, "\n".join(d for d in details if d)))
    return rows


def render_concern_letter(data: ConcernLetterData, *, template_dir: Path | None = None) -> bytes:
    lang = data.language
    template = load_template(
        TEMPLATE, sections=SECTIONS, placeholders=PLACEHOLDERS, language=lang,
        directory=template_dir, optional_sections=frozenset({"marking"}),
    )
    _check(data)
    values = {
        "child_name": data.child.name,
        **sender_and_recipient_values(
            organisation=data.organisation, recipient=data.recipient, staff=data.staff,
            letter_date=data.letter_date, reference=data.reference, language=lang),
    }
    story: list[Flowable] = opening_block(
        data.recipient, data.staff, data.letter_date, data.reference, lang)
    # "Fortroligt" above the subject: the letter is opened by a municipal mail room.
    story += [para(m, "marking") for m in template.paragraphs("marking", values)]
    story.append(para(template.text("subject", values), "subject"))
    story += paragraphs(template.paragraphs("intro", values))
    story.append(heading(template.text("child_heading", values)))
    story.append(details_table(_child_rows(data.child, lang)))
    if data.parents:
        story.append(heading(template.text("parents_heading", values)))
        story.append(details_table(_parent_rows(data.parents, lang)))
    story.append(heading(template.text("concern_heading", values)))
    story += paragraphs(data.concern.strip().split("\n\n"))
    story.append(signature_block(data.staff, data.organisation,
                                 template.paragraphs("closing", values),
                                 template.paragraphs("greeting", values)))
    title = tr_in(lang, "Notification of concern")
    return build_pdf(story, data.organisation, language=lang, title=title,
                     running_title=template.text("subject", values))
