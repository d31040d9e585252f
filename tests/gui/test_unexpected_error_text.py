"""An unexpected error (a bug, or a database failing in a way no service foresaw) is
shown as a Danish sentence: never the error's own text, which for a database error
quotes the SQL and its parameters (a CPR number, a name), and the log names only its
type and where it was raised."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from boligsag.ui.background import run_in_background
from boligsag.ui.people import person_dialog
from boligsag.ui.shell.main_window import MainWindow

from .test_people_support import open_people, top_dialog

CPR = "010203-1234"
SQL = "SELECT people.id FROM people WHERE people.cpr = %(cpr)s"


def database_error() -> OperationalError:
    return OperationalError(SQL, {"cpr": CPR, "name": "Ayşe Yılmaz"},
                            Exception("server closed the connection unexpectedly"))


def test_a_database_error_is_said_in_danish_without_its_sql(
        qtbot: QtBot, main_window: MainWindow, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def failing(_ctx: object) -> object:
        raise database_error()

    monkeypatch.setattr(person_dialog, "person_form_choices", failing)
    open_people(qtbot, main_window)
    with caplog.at_level(logging.DEBUG):
        qtbot.keyClick(main_window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        box = top_dialog(qtbot, QMessageBox, "errorMessageBox")
    assert box.text() == ("Der skete en uventet fejl. Prøv igen. Sker det igen, så kontakt "
                          "jeres IT-support.")
    shown = box.text() + box.informativeText() + box.detailedText()
    logged = "\n".join(record.getMessage() + str(record.exc_info or "")
                       for record in caplog.records)
    for secret in (CPR, "Ayşe", "SELECT", "people.cpr", "server closed"):
        assert secret not in shown and secret not in logged
    assert "unexpected error (OperationalError)" in logged
    box.done(0)


def test_a_background_failure_nobody_handles_is_logged_without_its_text(
        qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    host = QWidget()
    qtbot.addWidget(host)

    def work(_task: object) -> None:
        raise database_error()

    run_in_background(host, work, on_success=lambda _result: None)
    qtbot.waitUntil(lambda: "background task failed" in caplog.text, timeout=10_000)
    assert "(OperationalError)" in caplog.text
    for secret in (CPR, "Ayşe", "SELECT", "server closed"):
        assert secret not in caplog.text
