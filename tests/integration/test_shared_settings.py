"""The team server's shared settings on a laptop replica (issue 12), on a real encrypted
database with the server's answer made by services/shared_settings.answer: a changed
answer is stored whole (values, logo, etag) in one transaction, an unchanged one writes
nothing, a bad one stores nothing; only the allow-listed keys travel; the replica's
plan stays its own; and the services refuse to save these settings on a replica, even
for an administrator calling them directly."""

from __future__ import annotations

import base64
import io
from datetime import date
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import update

from boligsag.services import org_settings, shared_settings
from boligsag.services.context import AppContext
from boligsag.services.letter_settings import (
    LetterSettingsInput,
    get_letter_settings,
    save_letter_settings,
    set_logo,
)
from boligsag.services.letters import organisation
from boligsag.services.sync_client import settings_client
from boligsag.services.sync_client.errors import ServerFailed
from boligsag.storage.models import Plan


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _server_answer(values: dict[str, Any], logo: bytes | None,
                   known: str | None = None) -> dict[str, Any]:
    settings = {key: org_settings.DEFAULTS[key] for key in shared_settings.SHARED_KEYS}
    settings.update(values)
    etag = shared_settings.etag_of(settings, logo)
    if known == etag:
        return {"etag": etag, "unchanged": True}
    return {"settings": settings, "etag": etag,
            "logo": base64.b64encode(logo).decode() if logo else None}


class FakeServer:
    """The settings route's answers for a chosen letterhead; counts the calls."""

    def __init__(self, values: dict[str, Any], logo: bytes | None) -> None:
        self.values, self.logo = values, logo
        self.asked: list[str | None] = []

    def settings(self, etag: str | None) -> dict[str, Any]:
        self.asked.append(etag)
        return _server_answer(self.values, self.logo, etag)


def _make_replica(ctx: AppContext) -> None:
    with ctx.db.writing(None) as session:
        org_settings.set_setting(session, "sync_server_url", "https://team.example.dk")


LETTERHEAD = {"organisation_name": "Boligsocialt Hus Vollsmose",
              "organisation_street": "Vollsmose Allé 16", "organisation_postal_code": "5240",
              "organisation_city": "Odense NØ", "organisation_phone": "63 11 22 33",
              "referral_reminder_days": {"draft": 3, "sent": 10}, "retention_months": 24,
              "idle_lock_minutes": 5}


def test_the_server_answer_holds_only_the_shared_keys_and_an_unchanged_one_is_short(
        ctx: AppContext) -> None:
    with ctx.db.writing(None) as session:
        org_settings.set_setting(session, "sync_pruned_through", 7)
        org_settings.set_logo(session, _png((10, 20, 30)))
    with ctx.db.reading() as session:
        whole = shared_settings.snapshot(session)
        database_id = org_settings.get_setting(session, "database_id")
        plan = org_settings.get_setting(session, "current_plan_uuid")
    assert set(whole["settings"]) == set(shared_settings.SHARED_KEYS)
    text = str(whole)
    assert database_id not in text and plan not in text and "sync_" not in text
    assert base64.b64decode(whole["logo"]) == _png((10, 20, 30))
    with ctx.db.reading() as session:
        again = shared_settings.answer(session, whole["etag"])
    assert again == {"etag": whole["etag"], "unchanged": True}


def test_a_changed_answer_is_stored_whole_and_an_unchanged_one_writes_nothing(
        ctx: AppContext) -> None:
    _make_replica(ctx)
    server = FakeServer(LETTERHEAD, _png((200, 30, 30)))
    assert settings_client.refresh(ctx.db, server) is True
    with ctx.db.reading() as session:
        letterhead = organisation(session)  # what the letters print
        assert org_settings.get_setting(session, "referral_reminder_days") == {
            "draft": 3, "sent": 10}
        assert org_settings.get_setting(session, "idle_lock_minutes") == 5
        stored_etag = org_settings.get_setting(session, settings_client.ETAG_SETTING)
    assert (letterhead.name, letterhead.street, letterhead.city) == (
        "Boligsocialt Hus Vollsmose", "Vollsmose Allé 16", "Odense NØ")
    assert letterhead.logo == _png((200, 30, 30))
    assert server.asked == [None]

    # Nothing new: the etag is sent, the short answer changes nothing.
    assert settings_client.refresh(ctx.db, server) is False
    assert server.asked == [None, stored_etag]

    # A new logo and street, and a logo removed later.
    server.values = {**LETTERHEAD, "organisation_street": "Fyrreparken 2"}
    server.logo = _png((30, 200, 30))
    assert settings_client.refresh(ctx.db, server) is True
    with ctx.db.reading() as session:
        assert organisation(session).street == "Fyrreparken 2"
        assert org_settings.get_logo(session) == _png((30, 200, 30))
    server.logo = None
    assert settings_client.refresh(ctx.db, server) is True
    with ctx.db.reading() as session:
        assert org_settings.get_logo(session) is None


@pytest.mark.parametrize("bad", [
    {"organisation_name": 17},
    {"retention_months": "36"},
    {"idle_lock_minutes": True},
    {"referral_reminder_days": {"sent": "ti"}},
])
def test_a_bad_answer_stores_nothing(ctx: AppContext, bad: dict[str, Any]) -> None:
    _make_replica(ctx)
    with ctx.db.reading() as session:
        before = shared_settings.snapshot(session)
    with pytest.raises(ServerFailed):
        settings_client.refresh(ctx.db, FakeServer({**LETTERHEAD, **bad}, _png((1, 2, 3))))
    with ctx.db.reading() as session:
        assert shared_settings.snapshot(session) == before
        assert org_settings.get_setting(session, settings_client.ETAG_SETTING) == ""


def test_a_bad_logo_or_a_missing_etag_stores_nothing(ctx: AppContext) -> None:
    _make_replica(ctx)
    answer = _server_answer(LETTERHEAD, None)
    for broken in ({**answer, "logo": "ikke base64!"}, {**answer, "etag": ""}):
        with pytest.raises(ServerFailed):
            settings_client.refresh(ctx.db, type("S", (), {
                "settings": lambda self, etag, doc=broken: doc})())
    with ctx.db.reading() as session:
        assert organisation(session).name != LETTERHEAD["organisation_name"]


def test_the_replica_keeps_its_live_plan_and_chooses_again_when_it_is_gone(
        ctx: AppContext) -> None:
    _make_replica(ctx)
    server = FakeServer(LETTERHEAD, None)
    with ctx.db.writing(None) as session:
        first = org_settings.get_setting(session, "current_plan_uuid")
        newer = Plan(name="Helhedsplan 2030-2034", period="2030-2034",
                     start_date=date(2030, 1, 1), end_date=date(2034, 12, 31))
        session.add(newer)
        session.flush()
        newer_uuid = newer.uuid
    settings_client.refresh(ctx.db, server)
    with ctx.db.reading() as session:  # a newer plan arriving does not replace a live one
        assert org_settings.get_setting(session, "current_plan_uuid") == first
    with ctx.db.writing(None) as session:  # the plan was deleted on the server
        session.execute(update(Plan).where(Plan.uuid == first).values(
            deleted_at=ctx.clock.now()))
    assert settings_client.refresh(ctx.db, server) is False  # the settings did not change
    with ctx.db.reading() as session:
        assert org_settings.get_setting(session, "current_plan_uuid") == newer_uuid


def test_a_replica_refuses_to_save_the_shared_settings_even_for_an_administrator(
        ctx: AppContext) -> None:
    before = get_letter_settings(ctx)
    assert not before.server_managed
    _make_replica(ctx)
    shown = get_letter_settings(ctx)
    assert shown.server_managed
    with pytest.raises(shared_settings.SettingsFromServer) as refused:
        save_letter_settings(ctx, LetterSettingsInput(name="Mit eget navn"),
                             version=shown.version)
    assert refused.value.message() == ("Indstillingerne styres af teamserveren og kan ikke "
                                       "ændres på denne computer.")
    with pytest.raises(shared_settings.SettingsFromServer):
        set_logo(ctx, _png((9, 9, 9)))
    with pytest.raises(shared_settings.SettingsFromServer):
        set_logo(ctx, None)
    after = get_letter_settings(ctx)
    assert (after.name, after.logo) == (before.name, before.logo)
