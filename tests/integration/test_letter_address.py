"""The letter's address block names the service once (issue 9, 9e): no "Jobcenter" line
above "Jobcenter Aarhus", checked in the PDF's own text, and for every service of the
starter catalogue."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from boligsag.documents.model import Recipient
from boligsag.resources import load_json
from boligsag.services.consents import ConsentInput, record_consent
from boligsag.services.context import AppContext
from boligsag.services.letters import render_referral_letter
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.referrals import ReferralInput, create_referral
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.storage.models import User


@pytest.fixture
def ctx(backend: AppContext) -> AppContext:
    """Service behaviour: on an encrypted file and on PostgreSQL alike."""
    return backend



def address_lines(pdf: bytes) -> list[str]:
    """The page's text lines down to the street line of the address block."""
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    return lines[:next(i for i, line in enumerate(lines) if "Værkmestergade" in line) + 1]


def letter_to(ctx: AppContext, name: str, unit: str) -> list[str]:
    with ctx.write(None) as author:  # a letter needs a way to reach its author
        me = author.session.get(User, ctx.actor.user_id)
        assert me is not None
        me.phone = "23 45 67 89"
    service = next(s for s in list_services(ctx) if s.code == "jobcentre")
    update_service(ctx, service.id, ServiceInput(
        name=name, unit=unit, street="Værkmestergade 25", postal_code="8000", city="Aarhus C",
        contact_person="", phone="", secure_email=""), version=service.version)
    person = create_person(ctx, PersonDraft("Amal", "Nasser", birth_date=date(1990, 1, 2))).person
    consent = record_consent(ctx, ConsentInput(person.id, service.id, ["identity"],
                                               "Hjælp til at finde arbejde."))
    referral = create_referral(ctx, ReferralInput(person.id, service.id, "Søger arbejde.",
                                                  consent_id=consent.id))
    return address_lines(render_referral_letter(ctx, referral.id).data)


def test_the_unit_that_names_the_service_stands_alone(ctx: AppContext) -> None:
    lines = letter_to(ctx, "Jobcenter", "Jobcenter Aarhus")
    text = "\n".join(lines)
    assert text.count("Jobcenter") == 1, text
    assert any(line.startswith("Jobcenter Aarhus") for line in lines)


def test_a_name_that_holds_its_unit_is_printed_once(ctx: AppContext) -> None:
    text = "\n".join(letter_to(ctx, "JOBCENTER AARHUS", "jobcenter"))
    assert text.casefold().count("jobcenter") == 1, text


@pytest.mark.parametrize("service", load_json("reference", "services.json")["services"],
                         ids=lambda s: s["code"])
def test_no_starter_service_repeats_its_name(service: dict[str, str]) -> None:
    lines = Recipient(service["name"], service["unit"]).lines("da")
    for number, line in enumerate(lines):
        for other in lines[number + 1:]:
            assert line.casefold() not in other.casefold(), lines
            assert other.casefold() not in line.casefold(), lines


def test_the_demo_streets_do_not_repeat_the_service() -> None:
    from boligsag.services.demo.org import SERVICE_ADDRESSES

    services = {s["code"]: s for s in load_json("reference", "services.json")["services"]}
    for code, (street, *_rest) in SERVICE_ADDRESSES.items():
        for heading in Recipient(services[code]["name"], services[code]["unit"]).heading():
            assert heading.casefold() not in street.casefold(), (code, street)
