"""The organisation settings a team server shares with its laptops (issue 12): the
letterhead (name, address, phone, e-mail, web, logo) and the organisation's limits
(referral reminder days, retention months, idle lock minutes).

The team server's values are the organisation's; a laptop replica keeps a copy that
each sync refreshes (``GET /v1/sync/settings``, services/sync_client/settings_client.py)
and never edits itself: :func:`refuse_on_replica` is what the services that save these
settings call first, so a volunteer calling a service directly is refused as the
read-only form is.

Only the keys in :data:`SHARED_KEYS` leave the server: never a ``sync_*`` setting (one
installation's sync state), ``database_id`` (each database's own) or
``current_plan_uuid`` (each replica chooses its plan among those it holds).

The answer carries an ``etag``: the SHA-256 of the canonical JSON of the values and of
the logo's own SHA-256. A laptop sends the etag it stored; when nothing changed the
answer is only ``{"etag": …, "unchanged": true}``, without the logo.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.errors import UserError
from boligsag.storage.models import Setting

from . import org_settings

__all__ = ["LOGO_KEY", "SHARED_KEYS", "SettingsFromServer", "answer", "etag_of",
           "is_replica", "refuse_on_replica", "snapshot"]

SHARED_KEYS: tuple[str, ...] = (
    "organisation_name", "organisation_street", "organisation_postal_code",
    "organisation_city", "organisation_phone", "organisation_email", "organisation_web",
    "referral_reminder_days", "retention_months", "idle_lock_minutes",
)
LOGO_KEY = "logo"  # org_settings.get_logo/set_logo's row


class SettingsFromServer(UserError):
    """A save of a shared setting on a laptop replica: the team server's values win at
    the next sync, so a local edit would be silently lost."""

    def __init__(self) -> None:
        super().__init__("These settings are managed by the team server and cannot be "
                         "changed on this computer.")


def is_replica(session: Session) -> bool:
    """Whether this database is a laptop replica (it has a team server link). Read from
    the setting itself: services/sync_client depends on the services, not the reverse."""
    return bool(org_settings.get_setting(session, "sync_server_url"))


def refuse_on_replica(session: Session) -> None:
    """SettingsFromServer on a laptop replica; the services that save shared settings
    call it first."""
    if is_replica(session):
        raise SettingsFromServer()


def etag_of(settings: dict[str, Any], logo: bytes | None) -> str:
    canonical = json.dumps(
        {"settings": settings,
         "logo": hashlib.sha256(logo).hexdigest() if logo is not None else None},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _read(session: Session) -> tuple[dict[str, Any], bytes | None]:
    # One query for all of them (a request on the server): org_settings' defaults for
    # a key without a row, as get_setting gives them.
    rows = {row.key: row for row in session.scalars(
        select(Setting).where(Setting.key.in_((*SHARED_KEYS, LOGO_KEY))))}
    settings: dict[str, Any] = {}
    for key in SHARED_KEYS:
        row = rows.get(key)
        settings[key] = (org_settings.DEFAULTS[key] if row is None or row.value == ""
                         else json.loads(row.value))
    logo_row = rows.get(LOGO_KEY)
    return settings, logo_row.blob if logo_row is not None else None


def snapshot(session: Session) -> dict[str, Any]:
    """``{"settings": {key: value}, "logo": base64 text or None, "etag": …}``."""
    return answer(session, None)


def answer(session: Session, known_etag: str | None) -> dict[str, Any]:
    """The server's answer to a laptop that holds ``known_etag``: the whole snapshot,
    or only the etag when it is the same."""
    settings, logo = _read(session)
    etag = etag_of(settings, logo)
    if known_etag is not None and known_etag == etag:
        return {"etag": etag, "unchanged": True}
    return {"settings": settings,
            "logo": base64.b64encode(logo).decode("ascii") if logo is not None else None,
            "etag": etag}
