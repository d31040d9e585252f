"""Backups in the app on a real encrypted database: Administration → Sikkerhedskopier
(ui/admin_panels/backups.py), where the administrator chooses the folder (the folder
dialog answered by the test), backs up now and sees the checked backup listed, and a
folder that has gone away is said in Danish; and the automatic backups of the real main
window (ui/shell/auto_backup.py): at lock when something changed, none when nothing
did, a warning in the status bar without the disk, and the backup at close."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.app_settings import AppSettings
from boligsag.services import backups
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.storage.models import Person
from boligsag.ui.admin_panels.backups import BackupsPanel
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.admin import AdminPage
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import CreatedDb
from .helpers import click, type_into
from .test_join_dialog import wait_for_window


def _panel(qtbot: QtBot, ctx: AppContext) -> BackupsPanel:
    panel = BackupsPanel(ctx, AppEvents())
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_choose_a_folder_back_up_now_and_see_the_checked_backup(
        qtbot: QtBot, ctx: AppContext, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "usb-disk"
    folder.mkdir()
    panel = _panel(qtbot, ctx)
    assert not panel.backup_button.isEnabled()  # no folder chosen yet
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *_args: str(folder)))
    click(qtbot, panel, "chooseBackupFolderButton")
    qtbot.waitUntil(lambda: panel.folder.text() == str(folder), timeout=10_000)
    assert backups.backup_folder(ctx) == folder
    click(qtbot, panel, "backupNowButton")
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=30_000)
    assert panel.state.text().startswith("Sikkerhedskopi skrevet og kontrolleret ")
    assert panel.state.text().endswith(" poster.")
    (made,) = backups.list_backups(folder, ctx)
    assert panel.list.item(0).text().endswith(made.path.name)
    Path("/tmp/shots/backups").mkdir(parents=True, exist_ok=True)
    panel.grab().save("/tmp/shots/backups/panel.png")

    shutil.rmtree(folder)  # the USB disk is unplugged
    click(qtbot, panel, "backupNowButton")
    qtbot.waitUntil(lambda: "kan ikke nås" in panel.state.text(), timeout=10_000)
    assert panel.backup_button.isEnabled()


def test_the_administration_page_has_the_backups_tab(qtbot: QtBot, ctx: AppContext) -> None:
    page = AdminPage(ctx, AppEvents())
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles[-3:] == ["Sikkerhedskopier", "Sletning", "Adgangslog"]
    assert page.tabs.widget(page.tabs.count() - 3) is page.backups


def test_the_app_backs_up_at_lock_when_something_changed_and_warns_without_the_disk(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "usb-disk"
    folder.mkdir()
    backups.set_backup_folder(ctx, folder)
    create_person(ctx, PersonDraft(first_name="Ida", last_name="Holm"))
    main_window.lock_now()
    qtbot.waitUntil(lambda: len(backups.list_backups(folder, ctx)) == 1, timeout=30_000)
    qtbot.waitUntil(lambda: not main_window.auto_backup.running, timeout=10_000)
    assert not backups.changed_since_last_backup(ctx)
    # Nothing changed since: the next lock makes no second backup.
    main_window.auto_backup.start()
    qtbot.waitUntil(lambda: not main_window.auto_backup.running, timeout=10_000)
    assert len(backups.list_backups(folder, ctx)) == 1

    create_person(ctx, PersonDraft(first_name="Eva", last_name="Holm"))
    shutil.rmtree(folder)  # the USB disk is not plugged in
    main_window.auto_backup.start()
    warning = main_window.auto_backup.warning
    qtbot.waitUntil(lambda: not warning.isHidden(), timeout=10_000)
    assert warning.text() == "Ingen sikkerhedskopi: mappen kan ikke nås"
    assert warning.toolTip().startswith(f"Mappen til sikkerhedskopier, {folder}, kan ikke nås")
    Path("/tmp/shots/backups").mkdir(parents=True, exist_ok=True)
    main_window.grab().save("/tmp/shots/backups/warning.png")

    folder.mkdir()  # plugged in again: the backup at close is made, and waited for
    main_window.close()
    assert len(backups.list_backups(folder, ctx)) == 1
    assert not backups.changed_since_last_backup(ctx)


def _logged_in(qtbot: QtBot, controller: AppController, password: str) -> MainWindow:
    unlock_dialog = controller.unlock_dialog
    assert unlock_dialog is not None
    type_into(qtbot, unlock_dialog, "usernameEdit", "admin")
    type_into(qtbot, unlock_dialog, "passwordEdit", password)
    click(qtbot, unlock_dialog, "unlockButton")
    return wait_for_window(qtbot, controller)


def _people(controller: AppController) -> set[str]:
    assert controller.ctx is not None
    with controller.ctx.db.reading() as session:
        return set(session.scalars(select(Person.first_name)))


def test_restore_from_administration_checks_the_backup_and_asks_for_a_login_again(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings, tmp_path: Path) -> None:
    folder = tmp_path / "usb-disk"
    folder.mkdir()
    controller = AppController(settings, created_db.path)
    controller.start()
    window = _logged_in(qtbot, controller, created_db.password)
    assert controller.ctx is not None
    backups.set_backup_folder(controller.ctx, folder)
    create_person(controller.ctx, PersonDraft(first_name="Før", last_name="Kopien"))
    backups.take_backup(controller.ctx, folder)
    create_person(controller.ctx, PersonDraft(first_name="Efter", last_name="Kopien"))
    window.show_page("admin")
    panel = window.page("admin").backups  # type: ignore[attr-defined]
    panel.refresh()
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=10_000)
    panel.list.setCurrentRow(0)
    click(qtbot, panel, "restoreButton")
    dialog = panel.dialog
    qtbot.waitExposed(dialog)
    assert not dialog.restore_button.isEnabled()  # not before the backup is checked
    type_into(qtbot, dialog, "restorePasswordEdit", "forkert-kodeord")
    click(qtbot, dialog, "checkBackupButton")
    qtbot.waitUntil(lambda: dialog.check_button.isEnabled(), timeout=20_000)
    assert not dialog.restore_button.isEnabled() and dialog.summary.text()
    type_into(qtbot, dialog, "restorePasswordEdit", created_db.password)
    click(qtbot, dialog, "checkBackupButton")
    qtbot.waitUntil(lambda: dialog.restore_button.isEnabled(), timeout=20_000)
    assert dialog.summary.text().startswith("Taget ")
    assert "Personer: " in dialog.summary.text()
    Path("/tmp/shots/backups").mkdir(parents=True, exist_ok=True)
    dialog.grab().save("/tmp/shots/backups/restore_dialog.png")
    click(qtbot, dialog, "restoreBackupButton")

    qtbot.waitUntil(lambda: controller.unlock_dialog is not None, timeout=30_000)
    message = controller.restore_message
    assert message is not None
    assert message.windowTitle() == "Sikkerhedskopien er gendannet", message.text()
    assert "Log ind igen" in message.text()
    controller.restore_message.grab().save("/tmp/shots/backups/restored_message.png")
    _logged_in(qtbot, controller, created_db.password)
    names = _people(controller)
    assert "Før" in names and "Efter" not in names
    # The window's backup at close kept "Efter" too: nothing is lost by the restore.
    assert len(backups.list_backups(folder, controller.ctx)) == 2
    aside = [p for p in created_db.path.parent.iterdir() if ".before-restore-" in p.name]
    assert len(aside) == 2  # the database and its key file as they were
    controller.quit(0)


def test_a_damaged_database_offers_the_newest_checked_backup(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, tmp_path: Path) -> None:
    plain = main_window.show_integrity_problem("Databasen er beskadiget.")
    assert plain.findChild(QPushButton, "restoreNewestButton") is None  # no backup yet
    plain.done(0)
    backups.set_backup_folder(ctx, tmp_path)
    backups.take_backup(ctx, tmp_path)
    time.sleep(1.1)
    newest = backups.take_backup(ctx, tmp_path)
    box = main_window.show_integrity_problem("Databasen er beskadiget.")
    assert box.informativeText().startswith("Gendan den nyeste kontrollerede")
    Path("/tmp/shots/backups").mkdir(parents=True, exist_ok=True)
    box.grab().save("/tmp/shots/backups/damaged_offer.png")
    button = box.findChild(QPushButton, "restoreNewestButton")
    assert button is not None and button.text() == "Gendan nyeste sikkerhedskopi…"
    button.click()
    admin = main_window.current_page()
    assert admin.page_id == "admin"
    qtbot.waitUntil(lambda: getattr(admin.backups, "dialog", None) is not None,  # type: ignore[attr-defined]
                    timeout=10_000)
    dialog = admin.backups.dialog  # type: ignore[attr-defined]
    qtbot.waitExposed(dialog)
    assert dialog.backup == newest.path


def test_the_administrator_chooses_how_many_backups_are_kept(
        qtbot: QtBot, ctx: AppContext) -> None:
    panel = _panel(qtbot, ctx)
    spins = panel.keep_spins
    assert [spins[n].value() for n in ("daily", "weekly", "monthly")] == [7, 4, 12]
    spins["daily"].setValue(14)
    spins["monthly"].setValue(24)
    click(qtbot, panel, "saveBackupKeepButton")
    qtbot.waitUntil(lambda: panel.state.text().startswith("Rotation gemt"), timeout=10_000)
    assert backups.keep_of(ctx) == backups.Keep(daily=14, weekly=4, monthly=24)
    Path("/tmp/shots/backups").mkdir(parents=True, exist_ok=True)
    panel.grab().save("/tmp/shots/backups/panel_rotation.png")
