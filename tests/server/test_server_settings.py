"""The organisation's settings reach the laptops (issue 12), against the real HTTPS
server on PostgreSQL: ``GET /v1/sync/settings`` answers the shared settings only (never
a sync_* setting, the database id or the current plan) with the logo and an etag, and
only the etag when the laptop's is current; a joined replica has the organisation's
name, letterhead and logo at once; a sync brings a changed letterhead and logo, and a
letter printed on the laptop carries them; an administrator's replica refuses to save
them."""

from __future__ import annotations

import base64
import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from boligsag.domain.enums import ReferralKind
from boligsag.services import org_settings, shared_settings
from boligsag.services.context import AppContext
from boligsag.services.letter_settings import (
    LetterSettingsInput,
    get_letter_settings,
    save_letter_settings,
)
from boligsag.services.letters import render_concern_letter
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.referrals import ReferralInput, create_referral
from boligsag.services.server import accounts as server_accounts
from boligsag.services.server.accounts import ServerDb
from boligsag.services.sync_client import engine, join, settings_client, team
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import Area, Service, User

from .conftest import ADMIN, ADMIN_PASSWORD, STAFF, STAFF_PASSWORD, Running, Setup, logged_in


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 90), colour).save(buffer, format="PNG")
    return buffer.getvalue()


BLUE, GREEN = _png((20, 90, 160)), _png((20, 160, 90))
LETTERHEAD = {"organisation_street": "Vollsmose Allé 16", "organisation_postal_code": "5240",
              "organisation_city": "Odense NØ", "organisation_phone": "63 11 22 33",
              "organisation_email": "kontakt@boligsocialthus.dk"}


def _set_on_server(server_db: ServerDb, values: dict[str, object],
                   logo: bytes | None = None) -> None:
    """What ``server import`` of a stand-alone database brings (its settings)."""
    with server_db.write() as session:
        for key, value in values.items():
            org_settings.set_setting(session, key, value)
        if logo is not None:
            org_settings.set_logo(session, logo)


def _open(path: Path, username: str = STAFF, password: str = STAFF_PASSWORD) -> AppContext:
    return unlock(path, username, password, options=UnlockOptions(integrity_check=False))


def _sync(ctx: AppContext, password: str = STAFF_PASSWORD) -> engine.SyncOutcome:
    with team.connect(ctx) as connection:
        team.log_in(ctx, connection, password)
        return engine.sync_once(ctx, connection)


def test_the_route_answers_the_shared_settings_with_an_etag_and_only_the_etag_when_current(
        http: httpx.Client, server_db: ServerDb) -> None:
    _set_on_server(server_db, {**LETTERHEAD, "current_plan_uuid": "plan-uuid-of-the-server",
                               "sync_pruned_through": 42}, BLUE)
    assert http.get("/v1/sync/settings").status_code == 401
    me = logged_in(http)
    response = http.get("/v1/sync/settings", headers=me.headers)
    assert response.status_code == 200, response.text
    doc = response.json()
    assert set(doc) == {"settings", "logo", "etag"}
    assert set(doc["settings"]) == set(shared_settings.SHARED_KEYS)
    assert doc["settings"]["organisation_name"] == "Boligsocialt Hus"  # server init's
    assert doc["settings"]["organisation_street"] == "Vollsmose Allé 16"
    assert base64.b64decode(doc["logo"]) == BLUE
    with server_db.read() as session:
        database_id = str(org_settings.get_setting(session, "database_id"))
    assert database_id not in response.text and "plan-uuid-of-the-server" not in response.text
    assert "sync_" not in response.text

    same = http.get("/v1/sync/settings", headers=me.headers, params={"etag": doc["etag"]})
    assert same.json() == {"etag": doc["etag"], "unchanged": True}
    assert len(same.content) < 120  # the logo is not sent again

    _set_on_server(server_db, {"organisation_city": "Odense"})
    changed = http.get("/v1/sync/settings", headers=me.headers,
                       params={"etag": doc["etag"]}).json()
    assert changed["etag"] != doc["etag"]
    assert changed["settings"]["organisation_city"] == "Odense"
    assert base64.b64decode(changed["logo"]) == BLUE

    assert http.get("/v1/sync/settings", headers=me.headers,
                    params={"etag": "x" * 200}).status_code == 400
    server_accounts.revoke_device(server_db, me.device)
    refused = http.get("/v1/sync/settings", headers=me.headers)
    assert refused.status_code == 401 and refused.json()["error"] == "device_revoked"


def test_a_replica_has_the_letterhead_at_once_and_a_sync_brings_a_change_to_its_letters(
        running: Running, setup: Setup, server_db: ServerDb, tmp_path: Path) -> None:
    _set_on_server(server_db, {**LETTERHEAD, "referral_reminder_days": {"sent": 9},
                               "idle_lock_minutes": 5}, BLUE)
    path = tmp_path / "laptop.db"
    # A first pull stopped at once: the settings came with the file, before any page.
    result = join.join_team(path, running.base_url, setup.fingerprint, STAFF,
                            STAFF_PASSWORD, cancelled=lambda: True)
    assert not result.complete
    ctx = _open(path)
    try:
        shown = get_letter_settings(ctx)
        assert (shown.name, shown.street, shown.city) == (
            "Boligsocialt Hus", "Vollsmose Allé 16", "Odense NØ")
        assert shown.logo == BLUE and shown.server_managed
        assert shown.reminder_days["sent"] == 9
        with ctx.db.reading() as session:
            assert org_settings.get_setting(session, "idle_lock_minutes") == 5
    finally:
        lock(ctx)
    join.finish_join(path, STAFF, STAFF_PASSWORD)

    ctx = _open(path)
    try:
        assert _sync(ctx).settings_changed is False  # nothing new on the server
        _set_on_server(server_db, {"organisation_name": "Boligsocialt Hus Vollsmose",
                                   "organisation_street": "Fyrreparken 2"}, GREEN)
        outcome = _sync(ctx)
        assert outcome.settings_changed is True
        shown = get_letter_settings(ctx)
        assert (shown.name, shown.street, shown.logo) == (
            "Boligsocialt Hus Vollsmose", "Fyrreparken 2", GREEN)
        with ctx.db.reading() as session:
            etag = org_settings.get_setting(session, settings_client.ETAG_SETTING)
        with server_db.read() as session:
            assert etag == shared_settings.snapshot(session)["etag"]
        assert _sync(ctx).settings_changed is False

        text, images = _concern_letter(ctx)
        assert "Boligsocialt Hus Vollsmose" in text and "Fyrreparken 2" in text
        assert "Vollsmose Allé 16" not in text
        assert images == 1  # the logo the sync brought
    finally:
        lock(ctx)


def _concern_letter(ctx: AppContext) -> tuple[str, int]:
    """A notification of concern printed on the replica: its text and image count."""
    with ctx.db.writing(None) as session:
        # The letter's other parts: the service's address and the staff member's phone
        # (edited here directly; this test is about the letterhead).
        service = session.scalars(select(Service).where(Service.deleted_at.is_(None))
                                  .order_by(Service.id)).first()
        assert service is not None
        service.street, service.postal_code, service.city = "Ørbækvej 100", "5220", "Odense"
        me = session.get(User, ctx.actor.user_id)
        assert me is not None
        me.phone = "23 45 67 89"
        service_id = service.id
        area_id = session.scalar(select(Area.id).where(Area.deleted_at.is_(None)))
    child = create_person(ctx, PersonDraft(first_name="Ümit", last_name="Çelik",
                                           birth_date=date(2014, 2, 3), area_id=area_id))
    referral = create_referral(ctx, ReferralInput(
        child.person.id, service_id, "Ümit kommer ofte sulten i skole.", kind=ReferralKind.CONCERN))
    pdf = render_concern_letter(ctx, referral.id).data
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "\n".join(p.extract_text() for p in pages), sum(len(p.images) for p in pages)


def test_an_administrators_replica_refuses_to_save_the_letterhead(
        running: Running, setup: Setup, server_db: ServerDb, tmp_path: Path) -> None:
    _set_on_server(server_db, LETTERHEAD, BLUE)
    path = tmp_path / "admin-laptop.db"
    join.join_team(path, running.base_url, setup.fingerprint, ADMIN, ADMIN_PASSWORD)
    ctx = _open(path, ADMIN, ADMIN_PASSWORD)
    try:
        shown = get_letter_settings(ctx)
        with pytest.raises(shared_settings.SettingsFromServer):
            save_letter_settings(ctx, LetterSettingsInput(name="Et andet navn"),
                                 version=shown.version)
        assert get_letter_settings(ctx).name == "Boligsocialt Hus"
    finally:
        lock(ctx)
