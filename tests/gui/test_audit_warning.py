"""After log-in, the background check verifies the audit log too, and tells an
administrator in Danish where it was changed."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from boligsag.app_settings import AppSettings
from boligsag.storage import keys
from boligsag.storage.engine import open_engine
from boligsag.ui.shell.controller import AppController

from ..conftest import CreatedDb
from .helpers import child, type_into
from .test_controller import log_in


def _edit_first_entry(created_db: CreatedDb) -> None:
    store = keys.KeyStore.load(keys.keys_path_for(created_db.path))
    _, db_key = store.unwrap_for_user("admin", created_db.password)
    engine = open_engine(created_db.path, db_key, integrity_check=False)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET detail = 'changed' WHERE id = 1"))
    engine.dispose()


def test_a_changed_audit_log_is_reported_to_the_administrator_after_login(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings) -> None:
    _edit_first_entry(created_db)
    controller = AppController(settings, created_db.path)
    controller.start()
    type_into(qtbot, controller.unlock_dialog, "usernameEdit", "admin")
    window = log_in(qtbot, controller, created_db.password)
    qtbot.waitUntil(lambda: window.findChild(QLabel, "integrityWarning") is not None,
                    timeout=10_000)
    warning = child(window, QLabel, "integrityWarning").text()
    assert warning.startswith("Loggen er blevet ændret eller beskadiget")
    assert "Logpost 1 (" in warning and "er ændret, efter den blev skrevet" in warning
    assert "Nørgaard" not in warning
    controller.shutdown()


def test_an_intact_audit_log_shows_no_warning(
        qtbot: QtBot, created_db: CreatedDb, settings: AppSettings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    checked: list[object] = []
    original = AppController._audit_checked

    def record(self: AppController, ctx: object, report: object) -> None:
        checked.append(report)
        original(self, ctx, report)  # type: ignore[arg-type]

    monkeypatch.setattr(AppController, "_audit_checked", record)
    controller = AppController(settings, created_db.path)
    controller.start()
    type_into(qtbot, controller.unlock_dialog, "usernameEdit", "admin")
    window = log_in(qtbot, controller, created_db.password)
    qtbot.waitUntil(lambda: len(checked) == 1, timeout=10_000)
    assert checked[0].ok  # type: ignore[attr-defined]
    assert window.findChild(QLabel, "integrityWarning") is None
    controller.shutdown()
