"""A laptop replica's copy of the team server's shared settings (issue 12): the
letterhead, logo and limits of services/shared_settings.py, so a letter printed on the
laptop has the organisation's letterhead.

:func:`refresh` asks the server with the etag stored here and, only when the answer
differs, stores every value, the logo and the new etag in ONE transaction: a replica
never has half a letterhead. It is called by each sync after the pull
(engine.sync_once) and by a join (join.py), which is how a new replica has its
organisation's name right away.

The store is not audited: it is no one's edit and holds no personal data (the
server's administrator set the values; a local audit entry would be pushed back to the
server by every laptop at every change).

:func:`keep_current_plan`: the plan a replica's overview and casework use is chosen
here, not shared (services/shared_settings.py): the replica keeps the plan it has while
that plan is live, and takes the live plan starting last when it has none or its plan
was deleted on the server (or left the replica). A newer plan arriving does not replace
a live one, as on a stand-alone database, where only setting up chooses the plan.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from boligsag.services import org_settings
from boligsag.services.letter_settings import MAX_LOGO_BYTES
from boligsag.services.shared_settings import SHARED_KEYS
from boligsag.storage.database import Database
from boligsag.storage.models import Plan

from .errors import ServerFailed

__all__ = ["ETAG_SETTING", "SettingsSource", "keep_current_plan", "refresh", "store"]

ETAG_SETTING = "sync_settings_etag"
MAX_TEXT = 2000  # characters of one text setting; the server's own forms allow 160
_TEXT_KEYS = frozenset(k for k in SHARED_KEYS if k.startswith("organisation_"))
_NUMBER_KEYS = frozenset({"retention_months", "idle_lock_minutes"})


class SettingsSource(Protocol):
    """What :func:`refresh` asks: ServerConnection.settings, a sync Remote's."""

    def settings(self, etag: str | None) -> dict[str, Any]: ...


def refresh(db: Database, source: SettingsSource) -> bool:
    """Fetch the server's shared settings and store them when they changed; whether
    they did. Also keeps the current plan (see the module docstring)."""
    with db.reading() as session:
        known = str(org_settings.get_setting(session, ETAG_SETTING)) or None
        plan_ok = _current_plan_live(session)
    doc = source.settings(known)
    changed = _differs(doc, known)
    if not changed and plan_ok:
        return False  # the usual sync: no write transaction at all
    with db.writing(None) as session:
        if changed:
            store(session, doc)
        keep_current_plan(session)
    return changed


def _differs(doc: Any, known: str | None) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("etag"), str) or not doc["etag"]:
        raise ServerFailed("the settings answer has no etag")
    if doc.get("unchanged"):
        if doc["etag"] != known:
            raise ServerFailed("the settings answer says unchanged for another etag")
        return False
    return doc["etag"] != known


def store(session: Session, doc: dict[str, Any]) -> None:
    """Store a whole settings answer (values, logo, etag) in ``session``'s transaction;
    ServerFailed, with nothing stored, when a value is not what the setting holds.
    A key this version does not share is ignored (a newer server may share more)."""
    values = doc.get("settings")
    if not isinstance(values, dict):
        raise ServerFailed("the settings answer has no settings")
    checked = {key: _checked(key, values[key]) for key in SHARED_KEYS if key in values}
    logo = _logo(doc.get("logo"))
    for key, value in checked.items():
        org_settings.set_setting(session, key, value)
    org_settings.set_logo(session, logo)
    org_settings.set_setting(session, ETAG_SETTING, str(doc["etag"]))


def _checked(key: str, value: Any) -> Any:
    if key in _TEXT_KEYS:
        ok = isinstance(value, str) and len(value) <= MAX_TEXT
    elif key in _NUMBER_KEYS:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    else:  # referral_reminder_days: status -> days
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
            for k, v in value.items())
    if not ok:
        raise ServerFailed(f"the settings answer has a bad value for {key}")
    return value


def _logo(text: Any) -> bytes | None:
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > (MAX_LOGO_BYTES * 4) // 3 + 4:
        raise ServerFailed("the settings answer has a bad logo")
    try:
        return base64.b64decode(text, validate=True) or None
    except (binascii.Error, ValueError):
        raise ServerFailed("the settings answer has a bad logo") from None


def _current_plan_live(session: Session) -> bool:
    plan_uuid = str(org_settings.get_setting(session, "current_plan_uuid"))
    if not plan_uuid:
        return session.scalar(select(Plan.id).where(Plan.deleted_at.is_(None))) is None
    return session.scalar(select(Plan.id).where(Plan.uuid == plan_uuid,
                                                Plan.deleted_at.is_(None))) is not None


def keep_current_plan(session: Session) -> None:
    """Keep the current plan while it is live; otherwise choose the live plan starting
    last (none: leave it empty)."""
    if _current_plan_live(session):
        return
    newest = session.scalars(select(Plan.uuid).where(Plan.deleted_at.is_(None))
                             .order_by(Plan.start_date.desc(), Plan.id.desc())).first()
    org_settings.set_setting(session, "current_plan_uuid", newest or "")
