"""The save dialogs refuse the database's own files: "Gem som PDF" in the letter preview
and the summary export. The user sees why in Danish, can choose again, and nothing is
written or recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.summaries.export import ExportFormat
from boligsag.storage import audit_anchor, keys
from boligsag.storage.models import AuditEntry
from boligsag.ui import file_dialogs
from boligsag.ui.pages.summaries import SummariesPage

from . import test_summaries_support as support
from .test_letters_preview import host, open_preview, referral_id
from .test_summaries_support import compute_last_year

lead_ctx = support.lead_ctx
lead_page = support.lead_page
summary_demo = support.summary_demo
__all__ = ["host", "referral_id"]  # fixtures, bound here so pytest finds them

REFUSED_DA = "hører til en database"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs(ctx: AppContext) -> int:
    with ctx.read() as unit:
        return len(list(unit.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            [AuditAction.SAVE_PDF.value, AuditAction.EXPORT.value])))))


def refusal_box(parent: QWidget, qtbot: QtBot) -> QMessageBox:
    def shown() -> QMessageBox | None:
        for box in parent.window().findChildren(QMessageBox, "errorMessageBox"):
            if box.isVisible():
                return box
        return None

    qtbot.waitUntil(lambda: shown() is not None, timeout=5_000)
    box = shown()
    assert box is not None
    return box


def test_save_as_pdf_refuses_the_database_and_lets_the_user_choose_again(
        qtbot: QtBot, ctx: AppContext, referral_id: int, host: QWidget, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = open_preview(qtbot, ctx, referral_id, host)
    database = Path(ctx.db.path)
    answers = [str(database), str(tmp_path / "henvisning.pdf")]
    monkeypatch.setattr(file_dialogs, "run_save_dialog",
                        staticmethod(lambda *_args: (answers.pop(0), "PDF")))
    before, saved_before = digest(database), outputs(ctx)

    dialog.save_button.click()
    box = refusal_box(dialog, qtbot)
    assert REFUSED_DA in box.text() and "Vælg et andet filnavn" in box.text()
    box.grab().save("/tmp/h3-refusal.png")
    box.accept()
    assert digest(database) == before and outputs(ctx) == saved_before
    assert dialog.save_button.isEnabled()  # the user can try again at once

    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert (tmp_path / "henvisning.pdf").read_bytes() == dialog.letter.data
    assert outputs(ctx) == saved_before + 1
    dialog.reject()


def test_the_summary_export_refuses_the_key_file(
        qtbot: QtBot, lead_page: SummariesPage, lead_ctx: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    assert lead_page.summary is not None
    key_file = keys.keys_path_for(Path(lead_ctx.db.path))
    target = key_file.with_name(key_file.name + ".xlsx")
    target.symlink_to(key_file)  # a link to the key file, with the right suffix
    monkeypatch.setattr(file_dialogs, "run_save_dialog",
                        staticmethod(lambda *_args: (str(target), "")))
    audit_anchor.flush(key_file)  # the log-in's anchor, written now rather than mid-check
    before, exported_before = digest(key_file), outputs(lead_ctx)
    try:
        with qtbot.waitSignal(lead_page.exporter.finished, timeout=10_000) as done:
            lead_page.exporter.export(lead_page.summary.filter, ExportFormat.XLSX)
        assert done.args == [None]
        box = refusal_box(lead_page, qtbot)
        assert REFUSED_DA in box.text()
        box.grab().save("/tmp/h3-refusal-summary.png")
        box.accept()
        assert target.is_symlink() and digest(key_file) == before
        assert outputs(lead_ctx) == exported_before
        assert not lead_page.exporter.running
    finally:
        target.unlink()
