"""Shared set-up for the referral, consent and letter GUI tests (no tests of its own):
a service with an address, a staff member with a phone, residents with æøå and Ş/ễ
in their names."""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.domain.enums import AuditAction, Role
from boligsag.services.consents import ConsentInput, ConsentRow, record_consent
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.referrals import ReferralInput, ReferralRow, create_referral
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.services.users import create_user
from boligsag.storage.models import AuditEntry

STAFF_PASSWORD = "et-langt-kodeord-1"
PURPOSE = "Hjælp til at finde fritidsjob og vejledning om uddannelse."


def service_id(ctx: AppContext, code: str = "jobcentre") -> int:
    return next(s.id for s in list_services(ctx) if s.code == code)


def give_address(ctx: AppContext, code: str = "jobcentre") -> int:
    """The starter catalogue has no addresses; a letter needs one."""
    service = next(s for s in list_services(ctx) if s.code == code)
    update_service(ctx, service.id, ServiceInput(
        name=service.name, unit=service.unit, street="Buen 1", postal_code="5000",
        city="Odense C", contact_person="Modtagelsen", phone="65 51 10 00",
        secure_email="jobcenter@odense.example"), version=service.version)
    return service.id


def add_staff(ctx: AppContext, username: str = "kamal", name: str = "Kamal Østergård") -> int:
    return create_user(ctx, username, name, Role.STAFF, STAFF_PASSWORD,
                       title="Brobygger", phone="21 61 95 01",
                       email=f"{username}@boligsocialthus.example").id


def adult(ctx: AppContext, first: str = "Şükrü", last: str = "Yılmaz") -> int:
    return create_person(ctx, PersonDraft(
        first, last, birth_date=date(1980, 5, 17), street="Ærtebjerg Allé 12, 2. th.",
        postal_code="5220", city="Odense SØ", phone="20 30 40 50")).person.id


def consent(ctx: AppContext, person_id: int, service: int, **changes: object) -> ConsentRow:
    values: dict[str, object] = {"person_id": person_id, "service_id": service,
                                 "scope": ["identity", "contact"], "purpose": PURPOSE}
    values.update(changes)
    return record_consent(ctx, ConsentInput(**values))  # type: ignore[arg-type]


def referral(ctx: AppContext, person_id: int, service: int, consent_id: int | None,
             staff_id: int | None = None, **changes: object) -> ReferralRow:
    values: dict[str, object] = {
        "person_id": person_id, "service_id": service, "consent_id": consent_id,
        "reason": "Ønsker hjælp til at finde et fritidsjob ved siden af skolen.",
        "contact_user_id": staff_id}
    values.update(changes)
    return create_referral(ctx, ReferralInput(**values))  # type: ignore[arg-type]


def audit_entries(ctx: AppContext, action: AuditAction) -> list[AuditEntry]:
    with ctx.read() as unit:
        rows = list(unit.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        unit.session.expunge_all()
        return rows


def closed(widget: QObject) -> bool:
    """A dialog that closed (and, with WA_DeleteOnClose, may already be deleted)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()  # type: ignore[attr-defined]


def wait_loaded(qtbot: QtBot, model: object, timeout: int = 10_000) -> None:
    qtbot.waitUntil(lambda: not model.loading, timeout=timeout)  # type: ignore[attr-defined]
