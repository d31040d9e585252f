"""The organisation's letterhead (name, address, phone, e-mail, web, logo) and the
referral reminder limits, as the administrator edits them.

Stored through :mod:`org_settings` inside the encrypted database (the logo as bytes,
never as a file). Every save is validated here, once, with a message per field, and
recorded in the audit log. On a laptop replica these are the team server's settings
(services/shared_settings.py): every save is refused with SettingsFromServer.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from boligsag.domain import referral_flow as flow
from boligsag.domain.enums import AuditAction, ReferralStatus
from boligsag.domain.permissions import Permission

from . import org_settings, shared_settings
from .changes import Entity, writes
from .context import AppContext
from .errors import StaleRecord, ValidationFailed
from .person_fields import address_and_phone_problems, clean_text, is_valid_email
from .referral_queries import reminder_limits

Problems = dict[str, tuple[str, dict[str, object]]]

# The statuses a referral can wait in, so the ones that can have a reminder.
REMINDER_STATUSES: tuple[ReferralStatus, ...] = tuple(
    s for s in ReferralStatus if flow.is_open(s))
MIN_REMINDER_DAYS, MAX_REMINDER_DAYS = 1, 365
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = frozenset({"PNG", "JPEG"})  # what every PDF renderer draws faithfully
_WEB = re.compile(r"(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?", re.IGNORECASE)
_TEXT_FIELDS = ("name", "street", "postal_code", "city", "phone", "email", "web")
_MAX_LENGTH = 160


@dataclass(frozen=True)
class LetterSettingsInput:
    name: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    web: str = ""
    # Days per open status before a referral is shown as overdue ("draft", "sent", ...).
    reminder_days: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LetterSettings:
    name: str
    street: str
    postal_code: str
    city: str
    phone: str
    email: str
    web: str
    reminder_days: Mapping[ReferralStatus, int]
    logo: bytes | None = field(default=None, repr=False)
    # The letterhead and limits as read, in short: pass it back to save_letter_settings
    # so a colleague's save in between is refused instead of overwritten.
    version: str = ""
    # A laptop replica: these are the team server's settings, shown read-only.
    server_managed: bool = False


def get_letter_settings(ctx: AppContext) -> LetterSettings:
    """What letters print in their letterhead, and the reminder limits in force."""
    with ctx.read(Permission.VIEW_PEOPLE) as unit:
        values, days = _stored(unit.session)
        logo = org_settings.get_logo(unit.session)
        server_managed = shared_settings.is_replica(unit.session)
    return LetterSettings(**values, reminder_days=days, logo=logo,
                          version=_version(values, days), server_managed=server_managed)


def _stored(session: Session) -> tuple[dict[str, str], Mapping[ReferralStatus, int]]:
    values = {key: str(org_settings.get_setting(session, f"organisation_{key}") or "")
              for key in _TEXT_FIELDS}
    return values, reminder_limits(session)


def _version(values: Mapping[str, str], days: Mapping[ReferralStatus, int]) -> str:
    """A digest of what the form edits. The settings are key/value rows without a
    version column of their own; the logo is saved on its own and is left out."""
    text = json.dumps([values, {str(k): v for k, v in days.items()}], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def validate_letter_settings(data: LetterSettingsInput) -> Problems:
    problems: Problems = {}
    if not data.name:
        problems["name"] = ("Enter the organisation's name; every letter starts with it.", {})
    for key in _TEXT_FIELDS:
        if len(getattr(data, key)) > _MAX_LENGTH and key not in problems:
            problems[key] = ("At most {limit} characters.", {"limit": _MAX_LENGTH})
    problems.update(address_and_phone_problems(
        postal_code=data.postal_code, city=data.city, phone=data.phone))
    if data.email and not is_valid_email(data.email):
        problems["email"] = ("Enter an e-mail address such as name@kommune.dk.", {})
    if data.web and not _WEB.fullmatch(data.web):
        problems["web"] = ("Enter a web address such as www.boligsocialthus.dk.", {})
    for status, days in data.reminder_days.items():
        if status not in REMINDER_STATUSES:
            problems[f"reminder_days.{status}"] = ("Only open statuses have reminders.", {})
        elif not isinstance(days, int) or not MIN_REMINDER_DAYS <= days <= MAX_REMINDER_DAYS:
            problems[f"reminder_days.{status}"] = (
                "Choose between {low} and {high} days.",
                {"low": MIN_REMINDER_DAYS, "high": MAX_REMINDER_DAYS})
    return problems


@writes(Entity.SETTINGS, Entity.FOLLOW_UPS)  # new limits move referrals in and out of "overdue"
def save_letter_settings(ctx: AppContext, data: LetterSettingsInput, *,
                         version: str | None = None) -> LetterSettings:
    """Save the letterhead and the reminder limits together (one form, one action);
    with ``version`` (from the settings the form showed), StaleRecord if someone saved
    them since."""
    with ctx.write(Permission.MANAGE_SETTINGS) as unit:
        session = unit.session
        shared_settings.refuse_on_replica(session)
        data = _cleaned(data)  # checked before the first statement takes the write lock
        problems = validate_letter_settings(data)
        if problems:
            raise ValidationFailed(problems)
        if version is not None and _version(*_stored(session)) != version:
            raise StaleRecord()
        for key in _TEXT_FIELDS:
            org_settings.set_setting(session, f"organisation_{key}", getattr(data, key))
        if data.reminder_days:
            days = {str(k): v for k, v in reminder_limits(session).items()}
            days.update({str(k): int(v) for k, v in data.reminder_days.items()})
            org_settings.set_setting(session, "referral_reminder_days", days)
        unit.audit(AuditAction.UPDATE, entity="settings", detail="letterhead")
    return get_letter_settings(ctx)


@writes(Entity.SETTINGS)
def set_logo(ctx: AppContext, data: bytes | None) -> LetterSettings:
    """Store the letterhead logo (PNG or JPEG, at most 2 MB) or remove it (None)."""
    with ctx.write(Permission.MANAGE_SETTINGS) as unit:
        shared_settings.refuse_on_replica(unit.session)
        if data is not None:
            _check_logo(data)  # before the first statement takes the write lock
        org_settings.set_logo(unit.session, data or None)
        unit.audit(AuditAction.UPDATE, entity="settings",
                   detail="logo set" if data else "logo removed")
    return get_letter_settings(ctx)


def _check_logo(data: bytes) -> None:
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed({"logo": (
            "The logo file is too large: at most {megabytes} MB.",
            {"megabytes": MAX_LOGO_BYTES // (1024 * 1024)})})
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        image_format = ""
    if image_format not in LOGO_FORMATS:
        raise ValidationFailed({"logo": ("Choose a PNG or JPEG image.", {})})


def _cleaned(data: LetterSettingsInput) -> LetterSettingsInput:
    texts = {key: clean_text(str(getattr(data, key))) for key in _TEXT_FIELDS}
    return LetterSettingsInput(**texts, reminder_days=dict(data.reminder_days))
