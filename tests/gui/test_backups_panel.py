"""Backups in the app on a real encrypted database: Administration → Sikkerhedskopier
(ui/admin_panels/backups.py), where the administrator chooses the folder (the folder
dialog answered by the test), backs up now and sees the checked backup listed, and a
folder that has gone away is said in Danish; and the automatic backups of the real main
window (ui/shell/auto_backup.py): at lock when something changed, none when nothing
did, a warning in the status bar without the disk, and the backup at close."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from boligsag.services import backups
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDraft, create_person
from boligsag.ui.admin_panels.backups import BackupsPanel
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.admin import AdminPage
from boligsag.ui.shell.main_window import MainWindow

from .helpers import click


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
    assert titles[-1] == "Sikkerhedskopier"
    assert page.tabs.widget(page.tabs.count() - 1) is page.backups


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
