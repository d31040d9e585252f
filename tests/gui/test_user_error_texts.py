"""Errors the user can act on are said in their own Danish words, in the window where they
happen: a key file another Boligsag is changing, a key file that is not Boligsag's.

Before one error type, a busy key file borrowed the busy *database*'s text ("close it
there"), and a damaged key file's text did not say it may be another program's file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import filelock
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.storage import keys
from boligsag.ui.password_dialogs import ChangePasswordDialog
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.unlock_dialog import UnlockDialog

from ..conftest import ADMIN_PASSWORD, CreatedDb
from .helpers import child, click, type_into


@pytest.fixture
def key_file_busy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another Boligsag holds the key file's lock; a change here waits 0.2 s, not 60."""
    monkeypatch.setattr(keys, "KEY_FILE_LOCK_TIMEOUT", 0.2)
    yield


def _hold_lock(keys_path: Path) -> filelock.FileLock:
    lock = filelock.FileLock(keys.lock_path_for(keys_path), thread_local=False)
    lock.acquire(timeout=5)
    return lock


def test_changing_the_password_while_another_boligsag_changes_the_key_file(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, key_file_busy: None) -> None:
    main_window.findChild(type(main_window.action_password), "actionChangePassword").trigger()
    dialog = main_window.findChild(ChangePasswordDialog, "changePasswordDialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog, "oldPasswordEdit", ADMIN_PASSWORD)
    type_into(qtbot, dialog, "changePasswordEdit", "nyt og langt kodeord")
    type_into(qtbot, dialog, "changeRepeatEdit", "nyt og langt kodeord")
    lock = _hold_lock(ctx.keys_path)
    try:
        click(qtbot, dialog, "changePasswordOkButton")
        error = child(dialog, QLabel, "oldPasswordError")
        qtbot.waitUntil(error.isVisible, timeout=10_000)
    finally:
        lock.release()
    assert error.text() == (f"Nøglefilen {ctx.keys_path} bliver ændret af et andet "
                            "Boligsag-program. Prøv igen om lidt.")
    assert dialog.isVisible()  # nothing was changed; the user can try again at once


def test_a_key_file_of_another_program_is_named_as_such_at_log_in(
        qtbot: QtBot, created_db: CreatedDb) -> None:
    created_db.result.keys_path.write_text(json.dumps({"format": "keepass"}), encoding="utf-8")
    dialog = UnlockDialog(created_db.path, "admin")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog, "passwordEdit", created_db.password)
    click(qtbot, dialog, "unlockButton")
    banner = child(dialog, QLabel, "unlockError")
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.text() == (
        f"Nøglefilen {created_db.result.keys_path} er beskadiget eller ikke en nøglefil fra "
        "Boligsag. Gendan den fra den sikkerhedskopi, der hører til databasen.")
    assert "keepass" not in banner.text()  # the technical reason is for the command line
