"""On a laptop replica the letterhead and reminder settings are the team server's (issue
12): the real main window's Administration → "Breve og påmindelser" shows them
read-only with the note "Indstillingerne styres af teamserveren …", no save or logo
buttons, and a sync that brings new settings (announced as Entity.SETTINGS, as the sync
controller does) shows them at once. A stand-alone database keeps the editable form
(tests/gui/test_referrals_admin.py). Screenshots: /tmp/shots/A/."""

from __future__ import annotations

import base64
import io
from pathlib import Path

from PIL import Image
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.services import org_settings, shared_settings
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.sync_client import settings_client
from boligsag.ui.admin_panels.letter_settings import LetterSettingsPanel
from boligsag.ui.events import AppEvents
from boligsag.ui.shell.main_window import MainWindow

SHOTS = Path("/tmp/shots/A")


def _png(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 90), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _from_server(ctx: AppContext, values: dict[str, object], logo: bytes) -> None:
    """What a sync stores (settings_client.store), for the server's letterhead."""
    settings = {key: org_settings.DEFAULTS[key] for key in shared_settings.SHARED_KEYS}
    settings.update(values)
    with ctx.db.writing(None) as session:
        settings_client.store(session, {
            "settings": settings, "logo": base64.b64encode(logo).decode(),
            "etag": shared_settings.etag_of(settings, logo)})


def _shot(widget: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]


def test_a_replica_shows_the_servers_letterhead_read_only_and_a_sync_updates_it(
        qtbot: QtBot, ctx: AppContext, settings: AppSettings) -> None:
    with ctx.db.writing(None) as session:  # a replica: it has a team server link
        org_settings.set_setting(session, "sync_server_url", "https://boligsag.example.dk")
    _from_server(ctx, {"organisation_name": "Boligsocialt Hus Vollsmose",
                       "organisation_street": "Vollsmose Allé 16",
                       "organisation_postal_code": "5240", "organisation_city": "Odense NØ",
                       "organisation_phone": "63 11 22 33",
                       "organisation_email": "kontakt@boligsocialthus.dk"},
                 _png((31, 110, 140)))
    events = AppEvents()
    window = MainWindow(ctx, events, settings)
    qtbot.addWidget(window)
    window.resize(1280, 820)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("admin")
    admin = window.page("admin")
    panel = admin.findChild(LetterSettingsPanel, "letterSettingsPanel")
    assert panel is not None
    admin.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.settings is not None, timeout=5_000)

    assert panel.server_note.isVisibleTo(panel)
    assert panel.server_note.text().startswith("Indstillingerne styres af teamserveren.")
    assert panel.server_note.accessibleName() == "Styres af teamserveren"
    assert panel.edits["name"].text() == "Boligsocialt Hus Vollsmose"
    assert panel.edits["city"].text() == "Odense NØ"
    assert not any(edit.isEnabled() for edit in panel.edits.values())
    assert not any(edit.isEnabled() for edit in panel.days.values())
    for button in (panel.save_button, panel.logo_button, panel.remove_logo_button):
        assert not button.isVisibleTo(panel)
    assert not panel.logo.pixmap().isNull()  # the server's logo
    assert panel.status.text() == ""  # not "only an administrator …": this one is one
    qtbot.wait(50)
    _shot(window, "letter_settings_replica.png")

    # Save and the logo are not reachable from the form either (the service refuses
    # them too: tests/integration/test_shared_settings.py).
    panel.save()
    panel._store_logo(None)
    assert panel.status.text() == ""

    _from_server(ctx, {"organisation_name": "Boligsocialt Hus Vollsmose",
                       "organisation_street": "Fyrreparken 2",
                       "organisation_postal_code": "5240", "organisation_city": "Odense NØ"},
                 _png((160, 60, 40)))
    events.announce(frozenset({Entity.SETTINGS}))  # what the sync controller announces
    qtbot.waitUntil(lambda: panel.edits["street"].text() == "Fyrreparken 2", timeout=5_000)
    assert panel.edits["phone"].text() == ""
    assert panel.server_note.isVisibleTo(panel)
    _shot(panel, "letter_settings_replica_after_sync.png")
