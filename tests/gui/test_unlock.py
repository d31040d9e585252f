"""Logging in, the throttle countdown and the forgotten-password dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from boligsag.services import unlock as unlock_service
from boligsag.services.context import AppContext
from boligsag.services.unlock import lock, unlock
from boligsag.storage.throttle import UnlockThrottle
from boligsag.ui.recovery_dialog import RecoveryDialog
from boligsag.ui.unlock_dialog import UnlockDialog

from ..conftest import CreatedDb
from .helpers import child, click, type_into, type_text


def open_dialog(qtbot: QtBot, created_db: CreatedDb, username: str = "") -> UnlockDialog:
    dialog = UnlockDialog(created_db.path, username)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def banner(dialog: UnlockDialog) -> str:
    label = child(dialog, QLabel, "unlockError")
    return label.text() if label.isVisible() else ""


def test_wrong_password_shows_the_danish_message_and_right_one_unlocks(
        qtbot: QtBot, created_db: CreatedDb) -> None:
    dialog = open_dialog(qtbot, created_db, "admin")
    assert child(dialog, QLineEdit, "usernameEdit").text() == "admin"
    # The name is known, so the cursor waits in the password field.
    assert dialog.focusWidget() is child(dialog, QLineEdit, "passwordEdit")
    assert str(created_db.path) in child(dialog, QLabel, "databasePathLabel").text()
    before = created_db.path.read_bytes()

    type_into(qtbot, dialog, "passwordEdit", "forkert-men-langt")
    click(qtbot, dialog, "unlockButton")
    qtbot.waitUntil(lambda: banner(dialog) != "", timeout=10_000)
    assert banner(dialog) == "Forkert brugernavn eller adgangskode."
    # The wrong text stays selected, so the next keystroke types over it.
    edit = child(dialog, QLineEdit, "passwordEdit")
    assert edit.selectedText() == edit.text() == "forkert-men-langt"
    assert created_db.path.read_bytes() == before  # a failed attempt changes no file

    type_into(qtbot, dialog, "passwordEdit", created_db.password)
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000) as unlocked:
        qtbot.keyClick(child(dialog, QLineEdit, "passwordEdit"), Qt.Key.Key_Return)
    ctx: AppContext = unlocked.args[0]
    try:
        assert ctx.actor.full_name == "Åse Nørgaard"
        assert not dialog.isVisible()
    finally:
        lock(ctx)


def test_empty_fields_are_named_without_trying(qtbot: QtBot, created_db: CreatedDb) -> None:
    dialog = open_dialog(qtbot, created_db)
    click(qtbot, dialog, "unlockButton")
    assert banner(dialog) == "Skriv dit brugernavn og din adgangskode."


def test_a_missing_key_file_is_explained(qtbot: QtBot, created_db: CreatedDb) -> None:
    created_db.result.keys_path.unlink()
    dialog = open_dialog(qtbot, created_db, "admin")
    type_into(qtbot, dialog, "passwordEdit", created_db.password)
    click(qtbot, dialog, "unlockButton")
    qtbot.waitUntil(lambda: banner(dialog) != "", timeout=10_000)
    assert banner(dialog).startswith("Nøglefilen ")
    assert "mangler" in banner(dialog)


def test_throttle_shows_a_countdown_and_blocks_the_button(
        qtbot: QtBot, created_db: CreatedDb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    now = [1000.0]
    throttle = UnlockThrottle(clock=lambda: now[0], sleep=lambda _s: None)
    for _ in range(4):
        throttle.record_failure()  # 2 free failures, then 1 s, 2 s: 2 s to wait now
    monkeypatch.setattr(unlock_service, "THROTTLE", throttle)
    dialog = open_dialog(qtbot, created_db, "admin")
    button = child(dialog, QPushButton, "unlockButton")
    assert not button.isEnabled()
    assert banner(dialog) == "For mange mislykkede forsøg. Du kan prøve igen om 2 sekunder."
    now[0] += 1.2
    qtbot.waitUntil(lambda: "om 1 sekunder" in banner(dialog), timeout=2_000)
    now[0] += 1.0
    qtbot.waitUntil(button.isEnabled, timeout=2_000)


def test_forgotten_password_with_the_recovery_key(qtbot: QtBot, created_db: CreatedDb) -> None:
    dialog = open_dialog(qtbot, created_db, "admin")
    click(qtbot, dialog, "forgotPasswordLink")
    recovery = child(dialog, RecoveryDialog, "recoveryDialog")
    qtbot.waitExposed(recovery)
    assert child(recovery, QLineEdit, "recoveryUsernameEdit").text() == "admin"

    type_into(qtbot, recovery, "recoveryKeyEdit", "ikke en nøgle")
    click(qtbot, recovery, "recoveryOkButton")
    assert child(recovery, QLabel, "recoveryKeyError").text() == \
        "En gendannelsesnøgle har 32 bogstaver og tal i grupper på fire."

    # Typed in lower case and without dashes, as people do from paper.
    key = created_db.result.recovery_key.replace("-", " ").lower()
    type_into(qtbot, recovery, "recoveryKeyEdit", key)
    new_password = "ny adgangskode på Ærø"
    edit = child(recovery, QLineEdit, "recoveryPasswordEdit")
    edit.setFocus()
    type_text(qtbot, edit, new_password)
    type_into(qtbot, recovery, "recoveryRepeatEdit", new_password)
    with qtbot.waitSignal(dialog.unlocked, timeout=10_000) as unlocked:
        click(qtbot, recovery, "recoveryOkButton")
    lock(unlocked.args[0])
    lock(unlock(created_db.path, "admin", new_password))  # the new password works
