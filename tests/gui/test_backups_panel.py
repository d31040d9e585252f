"""Administration → Sikkerhedskopier (ui/admin_panels/backups.py) on a real encrypted
database: the administrator chooses the folder (the folder dialog answered by the
test), backs up now, and sees the checked backup listed; a folder that has gone away
is said in Danish; the Administration page has the tab."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from boligsag.services import backups
from boligsag.services.context import AppContext
from boligsag.ui.admin_panels.backups import BackupsPanel
from boligsag.ui.events import AppEvents
from boligsag.ui.pages.admin import AdminPage

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
