"""A database damaged on purpose and restored from Administration, end to end in the
real application (issue 13 §1, "done when"): a verified backup is made, one page of the
file is broken on disk, the administrator logs in; the background integrity check
finds it, the window says so in red and offers the newest checked backup, saves are
refused meanwhile, and the restore (password checked, date and counts shown) brings
the data back after a new log-in. Screenshots of each step go to /tmp/shots/damaged."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from boligsag.app_settings import AppSettings
from boligsag.services import backups
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.errors import DatabaseDamaged
from boligsag.storage.file_checks import checkpoint
from boligsag.storage.models import Person
from boligsag.ui.shell.controller import AppController

from ..conftest import CreatedDb
from .helpers import child, click, type_into
from .test_backups_panel import _logged_in

SHOTS = Path("/tmp/shots/damaged")
PAGE = 4096


def _backed_up_then_broken(created_db: CreatedDb, folder: Path) -> None:
    ctx = unlock(created_db.path, "admin", created_db.password,
                 options=UnlockOptions(integrity_check=False))
    try:
        backups.set_backup_folder(ctx, folder)
        for first in ("Yasmin", "Bo", "Ayşe"):
            create_person(ctx, PersonDraft(first_name=first, last_name="Østergaard"))
        backups.take_backup(ctx, folder)
        with ctx.db.engine.connect() as conn:
            page = int(conn.execute(text(
                "SELECT rootpage FROM sqlite_master WHERE name = 'people'")).scalar_one())
        checkpoint(ctx.db.engine)
    finally:
        lock(ctx)
    with open(created_db.path, "r+b") as handle:  # one bit of the people table's page
        handle.seek((page - 1) * PAGE + 300)
        byte = handle.read(1)[0]
        handle.seek((page - 1) * PAGE + 300)
        handle.write(bytes([byte ^ 0x04]))


def test_a_damaged_file_is_found_and_restored_from_the_newest_backup(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings, tmp_path: Path) -> None:
    folder = tmp_path / "usb-disk"
    folder.mkdir()
    _backed_up_then_broken(created_db, folder)
    SHOTS.mkdir(parents=True, exist_ok=True)
    controller = AppController(settings, created_db.path)
    controller.start()
    window = _logged_in(qtbot, controller, created_db.password)
    window.resize(1280, 720)

    def damaged_box() -> QMessageBox | None:
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                     and w.objectName() == "integrityMessage" and w.isVisible()), None)

    qtbot.waitUntil(lambda: damaged_box() is not None, timeout=30_000)
    box = damaged_box()
    assert box is not None
    warning = child(window, QLabel, "integrityWarning")
    assert warning.text().startswith("Databasen bestod ikke integritetskontrollen")
    window.grab().save(str(SHOTS / "1_window_damaged.png"))
    box.grab().save(str(SHOTS / "2_message.png"))
    assert controller.ctx is not None
    with pytest.raises(DatabaseDamaged):  # nothing more is written into the damaged file
        create_person(controller.ctx, PersonDraft(first_name="Ny", last_name="Person"))

    restore_newest = box.findChild(QPushButton, "restoreNewestButton")
    assert restore_newest is not None
    restore_newest.click()
    admin = window.page("admin")
    qtbot.waitUntil(lambda: getattr(admin.backups, "dialog", None) is not None,  # type: ignore[attr-defined]
                    timeout=10_000)
    dialog = admin.backups.dialog  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    type_into(qtbot, dialog, "restorePasswordEdit", created_db.password)
    click(qtbot, dialog, "checkBackupButton")
    qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=20_000)
    assert "Personer: 3" in dialog.summary.text()
    dialog.grab().save(str(SHOTS / "3_restore_dialog.png"))
    click(qtbot, dialog, "restoreBackupButton")

    qtbot.waitUntil(lambda: controller.unlock_dialog is not None, timeout=30_000)
    assert controller.restore_message is not None
    controller.restore_message.grab().save(str(SHOTS / "4_restored.png"))
    window = _logged_in(qtbot, controller, created_db.password)
    assert controller.ctx is not None
    with controller.ctx.db.reading() as session:
        names = set(session.scalars(select(Person.first_name)))
    assert {"Yasmin", "Bo", "Ayşe"} <= names
    create_person(controller.ctx, PersonDraft(first_name="Efter", last_name="Gendannelse"))
    qtbot.wait(1500)  # the background integrity check of the restored file
    assert window.findChild(QLabel, "integrityWarning") is None
    window.grab().save(str(SHOTS / "5_window_after.png"))
    controller.quit(0)
