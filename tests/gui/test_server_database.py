"""The main window over a team-server database (PostgreSQL, no file: ``ctx.db.path`` and
``ctx.keys_path`` are None) opens as over a file: the status bar names the server's
database, the checks after log-in find nothing wrong or say why they do not apply (and
never fail for want of a key file), and no "last database" path is remembered."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from boligsag.app_settings import LAST_DATABASE, LAST_USERNAME, AppSettings
from boligsag.services.context import AppContext
from boligsag.services.output_files import OutputRefused, check_output_target
from boligsag.ui.shell import controller as controller_module
from boligsag.ui.shell.controller import AppController

from .helpers import child
from .test_controller import wait_for_window


def test_the_main_window_over_a_team_server_database(
        qtbot: QtBot, postgresql_ctx: AppContext, settings: AppSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    checked: list[BaseException | None] = []
    original = controller_module.verify_integrity

    def recorded(ctx: AppContext) -> None:
        try:
            original(ctx)
        except BaseException as error:
            checked.append(error)
            raise
        checked.append(None)

    monkeypatch.setattr(controller_module, "verify_integrity", recorded)
    caplog.set_level(logging.INFO, logger=controller_module.__name__)
    ctx = postgresql_ctx
    assert ctx.keys_path is None
    controller = AppController(settings, tmp_path / "never-opened.db")
    # What the unlock dialog's "unlocked" signal hands over, with a server context.
    controller._unlocked(ctx)
    window = wait_for_window(qtbot, controller)

    label = child(window, QLabel, "statusDatabase")
    database = ctx.db.engine.url.database
    assert label.text().startswith(f"Teamserver: {database} på ")
    assert "None" not in label.text() and label.accessibleName() == "Teamserverens database"
    qtbot.waitUntil(lambda: len(checked) == 1, timeout=10_000)
    assert checked == [None]  # so no "damaged database" warning can follow
    # The audit log's check says why it does not apply (the server's chain and key are
    # not here); it neither fails for want of a key file nor shows a warning.
    qtbot.waitUntil(lambda: "audit log check does not apply" in caplog.text,
                    timeout=10_000)
    assert "could not run" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert window.findChild(QLabel, "integrityWarning") is None
    # No one-time password to ask for first (that lives in a laptop's key file): the
    # main window opened straight away, as waited for above.
    assert settings.get(LAST_DATABASE) == "" and settings.get(LAST_USERNAME) == "admin"
    # Saving a letter or an export: nothing here is the database, any normal file goes.
    check_output_target(ctx, tmp_path / "brev.pdf")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputRefused):
        check_output_target(ctx, tmp_path / "folder")
    controller.shutdown()
