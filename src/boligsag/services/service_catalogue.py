"""The catalogue of municipal services residents are referred to (kommunale tjenester).

Starts from ``resources/reference/services.json`` at database creation; an
administrator then fills in the municipality's real addresses and contacts here.
Services are never deleted: referrals point at them for years, so a service that
closes is deactivated and disappears from the pick lists only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction
from boligsag.domain.permissions import Permission
from boligsag.storage import dialect
from boligsag.storage.models import Service

from .changes import Entity, writes
from .context import AppContext
from .errors import ValidationFailed
from .person_fields import address_and_phone_problems
from .units import WriteUnit

# Deliberately loose: a secure e-mail address is checked by the mail system, not us;
# this only catches a name typed into the wrong field.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MAX = {"name": 160, "unit": 160, "street": 160, "city": 80, "contact_person": 120,
        "secure_email": 160}


@dataclass(frozen=True)
class ServiceInput:
    name: str
    unit: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    contact_person: str = ""
    phone: str = ""
    secure_email: str = ""

    def cleaned(self) -> ServiceInput:
        return ServiceInput(**{k: " ".join(str(v).split()) for k, v in self.__dict__.items()})


@dataclass(frozen=True)
class ServiceRow:
    id: int
    uuid: str
    code: str
    name: str
    unit: str
    street: str
    postal_code: str
    city: str
    contact_person: str
    phone: str
    secure_email: str
    active: bool
    version: int

    @property
    def has_address(self) -> bool:
        """What a letter needs; the list shows services without it so they get fixed."""
        return bool(self.street and self.postal_code and self.city)

    @property
    def display_name(self) -> str:
        return f"{self.name} – {self.unit}" if self.unit and self.unit != self.name else self.name


def service_row(service: Service) -> ServiceRow:
    return ServiceRow(
        service.id, service.uuid, service.code, service.name, service.unit, service.street,
        service.postal_code, service.city, service.contact_person, service.phone,
        service.secure_email, service.active, service.version,
    )


def list_services(ctx: AppContext, *, include_inactive: bool = False) -> list[ServiceRow]:
    query = select(Service).where(Service.deleted_at.is_(None))
    if not include_inactive:
        query = query.where(Service.active.is_(True))
    query = query.order_by(Service.active.desc(), Service.sort_order,
                           dialect.danish(Service.name), Service.id)
    with ctx.read() as r:
        return [service_row(s) for s in r.session.scalars(query)]


def validate_service(data: ServiceInput) -> dict[str, tuple[str, dict[str, object]]]:
    problems: dict[str, tuple[str, dict[str, object]]] = {}
    if not data.name:
        problems["name"] = ("Enter the service's name.", {})
    for field, limit in _MAX.items():
        if len(getattr(data, field)) > limit and field not in problems:
            problems[field] = ("At most {limit} characters.", {"limit": limit})
    problems.update(address_and_phone_problems(
        postal_code=data.postal_code, city=data.city, phone=data.phone))
    if data.secure_email and not _EMAIL.fullmatch(data.secure_email):
        problems["secure_email"] = ("Enter an e-mail address such as name@kommune.dk.", {})
    return problems


def _check_unique_name(
    session: Session, data: ServiceInput, problems: dict[str, tuple[str, dict[str, object]]],
    exclude_id: int | None = None,
) -> None:
    """Two active services with the same name and unit would be indistinguishable in the
    pick list, and a referral could go to the wrong one. Compared in Python: SQLite's
    lower() folds only ASCII, and "Åben rådgivning" must equal "åben rådgivning". The
    catalogue has dozens of rows, not thousands."""
    wanted = (data.name.casefold(), data.unit.casefold())
    rows = session.execute(select(Service.id, Service.name, Service.unit).where(
        Service.deleted_at.is_(None), Service.active.is_(True)))
    taken = any((name.casefold(), unit.casefold()) == wanted and sid != exclude_id
                for sid, name, unit in rows)
    if taken and "name" not in problems:
        problems["name"] = ("A service with this name and unit already exists.", {})


@writes(Entity.SERVICES)
def create_service(ctx: AppContext, data: ServiceInput) -> ServiceRow:
    with ctx.write(Permission.MANAGE_SERVICES) as w:
        data = data.cleaned()
        problems = validate_service(data)
        _check_unique_name(w.session, data, problems)
        if problems:
            raise ValidationFailed(problems)
        last = w.session.scalar(select(func.max(Service.sort_order))) or 0
        service = Service(**data.__dict__, sort_order=last + 1, active=True)
        w.session.add(service)
        w.session.flush()
        w.audit(AuditAction.CREATE, entity="services", entity_uuid=service.uuid)
        return service_row(service)


@writes(Entity.SERVICES)
def update_service(
    ctx: AppContext, service_id: int, data: ServiceInput, *, version: int
) -> ServiceRow:
    """Save an edit made on the row as it was at ``version``; refuse if it changed since."""
    with ctx.write(Permission.MANAGE_SERVICES) as w:
        data = data.cleaned()
        problems = validate_service(data)
        service = w.load_for_edit(Service, service_id, version, "service")
        _check_unique_name(w.session, data, problems, exclude_id=service.id)
        if problems:
            raise ValidationFailed(problems)
        for field, value in data.__dict__.items():
            setattr(service, field, value)
        _audit_update(w, service, "edited")
        return service_row(service)


@writes(Entity.SERVICES)
def set_service_active(
    ctx: AppContext, service_id: int, active: bool, *, version: int
) -> ServiceRow:
    """Deactivate (or reactivate) a service. Existing referrals keep pointing at it."""
    with ctx.write(Permission.MANAGE_SERVICES) as w:
        service = w.load_for_edit(Service, service_id, version, "service")
        service.active = active
        _audit_update(w, service, "activated" if active else "deactivated")
        return service_row(service)


def _audit_update(w: WriteUnit, service: Service, detail: str) -> None:
    w.audit(AuditAction.UPDATE, entity="services", entity_uuid=service.uuid, detail=detail)
