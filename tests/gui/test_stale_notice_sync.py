"""End to end on a team laptop: the sync controller's own sync brings a colleague's change
to the contact open in an edit dialog; the dialog's banner shows at once with the time
of that sync, and the user's note then saves on top of the colleague's change."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QLabel, QPlainTextEdit
from pytestqt.qtbot import QtBot

from boligsag.formatting import time_text
from boligsag.services.contacts import ContactDraft, get_contact, log_contact, update_contact
from boligsag.services.context import AppContext
from boligsag.services.sync_client import engine
from boligsag.ui.contacts.contact_dialog import ContactDialog
from boligsag.ui.shell.controller import AppController
from boligsag.ui.stale_notice import StaleNotice

from .helpers import child, type_text
from .sync_support import (  # noqa: F401  (fixtures)
    FakeServer,
    after_unlock_sync,
    app_fixture,
    server_fixture,
    sync_of,
    wait_idle,
    window_of,
)
from .test_activities_support import person


def test_a_sync_that_changes_the_open_contact_shows_the_banner(
        qtbot: QtBot, app: AppController, server: FakeServer) -> None:
    window, _sync = after_unlock_sync(qtbot, app, server)
    ctx = window.ctx
    row = log_contact(ctx, ContactDraft("phone", person_ids=(person(ctx, "Hanne", "Ærbø"),),
                                        duration_minutes=15,
                                        occurred_at=datetime(2026, 11, 24, 9, 0)))
    dialog = ContactDialog(ctx, window.events, window, contact=get_contact(ctx, row.id))
    dialog.show()
    qtbot.waitExposed(dialog)
    note = child(dialog, QPlainTextEdit, "quickLogNoteEdit")
    note.setFocus()
    type_text(qtbot, note, "Ringede tilbage æøå")

    def colleague(sync_ctx: AppContext) -> set[str]:  # what the pull brings
        update_contact(sync_ctx, row.id, row.version,
                       replace(row.to_draft(), duration_minutes=45))
        return {"contacts"}

    server.on_sync = colleague
    child(window, QAction, "actionSyncNow").trigger()
    notice = child(dialog, StaleNotice, "staleNotice")
    qtbot.waitUntil(notice.isVisible, timeout=10_000)
    server.on_sync = None  # the colleague changed it once
    synced = engine.last_synced_at(ctx)
    assert synced is not None
    text = child(notice, QLabel, "staleNoticeText").text()
    assert text.startswith("En kollega har ændret denne post")
    assert f"(synkroniseret {time_text(synced)})" in text
    assert note.toPlainText() == "Ringede tilbage æøå"

    child(notice, QAbstractButton, "staleKeepButton").click()
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        child(dialog, QAbstractButton, "quickLogSaveButton").click()
    saved = get_contact(ctx, row.id)
    assert (saved.note, saved.duration_minutes) == ("Ringede tilbage æøå", 45)
