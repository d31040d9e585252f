"""The referral letter (henvisning) to a municipal service.

What it says about the person is limited to what the consent covers, category by
category (``resources/reference/consent_scopes.json``):

- ``identity``  → name and date of birth (the name is also the subject line, so a
  referral cannot be sent without it; the service checks that before sending);
- ``cpr``       → CPR number;
- ``contact``   → address, phone and e-mail;
- ``household`` → who lives in the household, and who holds parental custody.

The other categories (school, health, employment, social circumstances) have no fields
of their own in the registry: they are what the worker may write in the reason, and the
consent line at the bottom names every category so the recipient can see the limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.platypus import KeepTogether

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
    inline_list,
    para,
    paragraphs,
)
from .model import ConsentInfo, PersonDetails, Recipient, StaffContact
from .templates import load_template

TEMPLATE = "referral_letter"
SECTIONS = frozenset(
    {"subject", "intro", "person_heading", "reason_heading", "consent_heading", "consent",
     "closing", "greeting"}
)
PLACEHOLDERS = frozenset(
    {
        "person_name", "service_name", "service_unit", "organisation_name", "staff_name",
        "staff_title", "staff_phone", "staff_email", "consent_date", "consent_given_by",
        "consent_valid_from", "consent_valid_to", "consent_scope", "consent_purpose",
        "letter_date", "reference",
    }
)


@dataclass(frozen=True)
class ReferralLetterData:
    organisation: Organisation
    letter_date: date
    recipient: Recipient
    person: PersonDetails
    reason: str
    staff: StaffContact
    consent: ConsentInfo | None
    reference: str = ""  # a short id the service can quote in its reply
    language: str = "da"


def person_rows(
    person: PersonDetails, scope: frozenset[str], language: str
) -> list[tuple[str, str]]:
    """The person's details the consent allows, as label/value rows."""

    def t(msgid: str) -> str:
        return tr_in(language, msgid)

    rows: list[tuple[str, str]] = []
    if "identity" in scope:
        rows.append((t("Name"), person.name))
        if person.birth_date is not None:
            rows.append((t("Date of birth"), long_date(person.birth_date, language)))
    if "cpr" in scope and person.cpr:
        rows.append((t("CPR number"), person.cpr))
    if "contact" in scope:
        rows.append((t("Address"), person.address))
        if person.phone:
            rows.append((t("Phone"), person.phone))
        if person.email:
            rows.append((t("E-mail"), person.email))
    if "household" in scope and person.household:
        members = "\n".join(m.describe(language) for m in person.household)
        rows.append((t("Household"), members))
    return rows


def check_referral_letter(data: ReferralLetterData) -> None:
    """Raise MissingLetterData listing everything missing, before anything is drawn."""
    missing = data.recipient.missing()
    if not data.person.name.strip():
        missing.append("person.name")
    scope = data.consent.scope if data.consent else frozenset()
    if data.consent is None:
        missing.append("consent")
    if "identity" in scope and data.person.birth_date is None:
        missing.append("person.birth_date")
    if "contact" in scope and not data.person.has_address:
        missing.append("person.address")
    if not data.reason.strip():
        missing.append("reason")
    missing += missing_sender_data(data.organisation, data.staff)
    if missing:
        raise MissingLetterData(missing)


def render_referral_letter(data: ReferralLetterData, *, template_dir: Path | None = None) -> bytes:
    lang = data.language
    # The template is checked before the data: a broken template is the administrator's
    # to fix, and says so, whatever letter is being printed.
    template = load_template(
        TEMPLATE, sections=SECTIONS, placeholders=PLACEHOLDERS, language=lang,
        directory=template_dir,
    )
    check_referral_letter(data)
    consent = data.consent
    assert consent is not None  # checked above
    values = {
        "person_name": data.person.name,
        **sender_and_recipient_values(
            organisation=data.organisation, recipient=data.recipient, staff=data.staff,
            letter_date=data.letter_date, reference=data.reference, language=lang),
        "consent_date": long_date(consent.given_on, lang),
        "consent_given_by": consent.given_by,
        "consent_valid_from": long_date(consent.valid_from, lang),
        "consent_valid_to": long_date(consent.valid_to, lang),
        "consent_scope": inline_list(consent.scope_labels),
        "consent_purpose": consent.purpose,
    }
    story = opening_block(data.recipient, data.staff, data.letter_date, data.reference, lang)
    story.append(para(template.text("subject", values), "subject"))
    story += paragraphs(template.paragraphs("intro", values))
    story.append(heading(template.text("person_heading", values)))
    story.append(details_table(person_rows(data.person, consent.scope, lang)))
    story.append(heading(template.text("reason_heading", values)))
    story += paragraphs(data.reason.strip().split("\n\n"))
    story.append(
        KeepTogether(
            [heading(template.text("consent_heading", values)),
             *paragraphs(template.paragraphs("consent", values))]
        )
    )
    story.append(signature_block(data.staff, data.organisation,
                                 template.paragraphs("closing", values),
                                 template.paragraphs("greeting", values)))
    subject = template.text("subject", values)
    return build_pdf(story, data.organisation, language=lang, title=tr_in(lang, "Referral"),
                     running_title=subject)
