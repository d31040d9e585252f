"""Smaller dialogs and texts: change password, error messages, translations."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from boligsag.errors import UserError
from boligsag.i18n import check_catalogue, placeholders, tr
from boligsag.services.context import AppContext
from boligsag.services.users import verify_own_password
from boligsag.storage import errors as storage_errors
from boligsag.ui.errors import error_text
from boligsag.ui.password_dialogs import ChangePasswordDialog

from ..conftest import ADMIN_PASSWORD
from .helpers import child, click, type_into

UI_SOURCES = Path(__file__).resolve().parents[2] / "src" / "boligsag"


def test_change_password(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ChangePasswordDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog, "oldPasswordEdit", "forkert-adgangskode")
    type_into(qtbot, dialog, "changePasswordEdit", "nyt og langt kodeord")
    type_into(qtbot, dialog, "changeRepeatEdit", "nyt og langt kodeord")
    click(qtbot, dialog, "changePasswordOkButton")
    error = child(dialog, QLabel, "oldPasswordError")
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert error.text() == "Den nuværende adgangskode er forkert."

    type_into(qtbot, dialog, "oldPasswordEdit", ADMIN_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        click(qtbot, dialog, "changePasswordOkButton")
    assert verify_own_password(ctx, "nyt og langt kodeord")


def test_every_storage_error_has_its_own_danish_text(tmp_path: Path) -> None:
    fallback = tr("Something unexpected went wrong. Try again, and tell your IT support if "
                  "it happens again.")
    samples = [
        storage_errors.WrongPassword(), storage_errors.WrongRecoveryKey(),
        storage_errors.SidecarMissing(tmp_path / "a.keys"),
        storage_errors.SidecarCorrupt(tmp_path / "a.keys", "x"),
        storage_errors.NotABoligsagDatabase(tmp_path / "a.db"),
        storage_errors.DatabaseTooNew(tmp_path / "a.db", "9999"),
        storage_errors.DatabaseLocked(tmp_path / "a.db"),
        storage_errors.IntegrityFailed(tmp_path / "a.db", "x"),
        storage_errors.CipherSettingsMismatch(tmp_path / "a.db", "x"),
        storage_errors.DatabaseMissing(tmp_path / "a.db"),
        storage_errors.DatabaseExists(tmp_path / "a.db"),
        storage_errors.DatabaseWalMismatch(tmp_path / "a.db", "x"),
        storage_errors.DatabaseReadOnly(tmp_path / "a.db", "x"),
        storage_errors.DatabaseLocked(tmp_path / "a.db", waited_s=30),
        storage_errors.DatabaseDamaged(tmp_path / "a.db"),
        storage_errors.WriteFailed(tmp_path / "a.db", "SQLITE_FULL"),
    ]
    classes = {cls for cls in vars(storage_errors).values()
               if isinstance(cls, type) and issubclass(cls, UserError) and cls is not UserError}
    assert classes == {type(error) for error in samples}  # a new error needs a text here
    texts = [error_text(error) for error in samples]
    assert all(not text.startswith(fallback) for text in texts)
    assert len(set(texts)) == len(texts)
    assert error_text(samples[2]).startswith("Nøglefilen ")


def _tr_literals(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and \
                node.args and isinstance(node.args[0], ast.Constant):
            found.append(node.args[0].value)
    return found


# The shell's own modules (ui/ subpackages belong to the features that fill the pages;
# tests/unit/test_translations.py checks every message in the source tree).
SHELL_MODULES = [
    "shell/app", "background", "shell/controller", "countdown", "demo", "errors", "events",
    "shell/first_run", "shell/first_run_pages", "icons", "idle", "labels", "shell/main_window",
    "password_dialogs", "password_fields", "qt_translations", "recovery_dialog",
    "recovery_sheet", "theme", "unlock_dialog", "widgets", "pages/base", "pages/start",
    "pages/admin", "models/users",
]


def test_every_shell_text_has_a_danish_translation() -> None:
    files = [*(UI_SOURCES / "ui" / f"{name}.py" for name in SHELL_MODULES),
             UI_SOURCES / "app_settings.py", UI_SOURCES / "__main__.py"]
    sources = sorted({text for path in files for text in _tr_literals(path)})
    assert len(sources) > 180
    assert check_catalogue("da", sources) == []
    assert all(placeholders(s) == placeholders(tr(s)) for s in sources)


class _Emitter(QObject):
    fired = Signal(object)


def test_many_signals_and_setters_do_not_wear_out_true_or_none() -> None:
    # Regression guard for the pinned PySide6: 6.12.0 on Python 3.11 loses a reference
    # to True per emit and to None per void call, and CPython aborts within seconds.
    emitter = _Emitter()
    emitter.fired.connect(lambda _value: None)
    label = QLabel()
    before_true, before_none = sys.getrefcount(True), sys.getrefcount(None)
    for number in range(20_000):
        emitter.fired.emit(number)
        label.setText(str(number))
    for value, before in ((True, before_true), (None, before_none)):
        assert sys.getrefcount(value) >= before
