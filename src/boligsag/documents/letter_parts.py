"""The parts every letter to a municipal service shares (referral, notification of
concern): the placeholders about sender and recipient, the address block, the checks on
the sender, and the signature.

One place, so the two letters cannot drift apart in how they address the service or
sign off, and a new letter type starts from the same frame.
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from boligsag.formatting import long_date
from boligsag.i18n import tr_in

from .letterhead import Organisation, address_block, para, paragraphs
from .model import Recipient, StaffContact


def sender_lines(staff: StaffContact, reference: str, language: str) -> list[str]:
    """The right-hand column: whom to contact, and our reference. The organisation's
    own address and switchboard are in the letterhead and the footer already."""

    def phone(number: str) -> str:
        return tr_in(language, "Phone {phone}", phone=number) if number else ""

    lines = [tr_in(language, "Contact person"), staff.name, staff.title, phone(staff.phone),
             staff.email]
    lines = [line for line in lines if line.strip()]
    if reference:
        lines += ["", tr_in(language, "Our ref.: {reference}", reference=reference)]
    return lines


def signature_block(
    staff: StaffContact, org: Organisation, closing: list[str], greeting: list[str]
) -> Flowable:
    """The last paragraph, the greeting and the signature, kept on one page: a
    signature alone at the top of page 2 looks like a printing accident."""
    parts: list[Flowable] = [*paragraphs(closing), *paragraphs(greeting), Spacer(1, 8 * mm),
                             para(staff.name, "signature")]
    byline = ", ".join(part for part in (staff.title, org.name) if part)
    if byline:
        parts.append(para(byline, "small"))
    return KeepTogether(parts)


def sender_and_recipient_values(
    *, organisation: Organisation, recipient: Recipient, staff: StaffContact,
    letter_date: date, reference: str, language: str,
) -> dict[str, str]:
    """The template placeholders every service letter offers, whatever it is about."""
    return {
        "service_name": recipient.name,
        # A service without units is addressed by its own name.
        "service_unit": recipient.unit or recipient.name,
        "organisation_name": organisation.name,
        "staff_name": staff.name,
        "staff_title": staff.title,
        "staff_phone": staff.phone,
        "staff_email": staff.email,
        "letter_date": long_date(letter_date, language),
        "reference": reference,
    }


def opening_block(
    recipient: Recipient, staff: StaffContact, letter_date: date, reference: str,
    language: str,
) -> list[Flowable]:
    """Recipient on the left, contact person and reference on the right, then the date."""
    return address_block(
        recipient.lines(language),
        sender_lines(staff, reference, language),
        long_date(letter_date, language),
    )


def missing_sender_data(organisation: Organisation, staff: StaffContact) -> list[str]:
    """What is missing to sign the letter; listed after the letter's own fields so the
    message names the body of the letter first."""
    missing = staff.missing()
    if not organisation.name.strip():
        missing.append("organisation.name")
    return missing
