"""The letter preview: QtPdf shows the in-memory PDF; "Udskriv…" prints through the
print dialog and "Gem som PDF…" saves where the user chose — each recorded in the
audit log — and nothing at all is written to the temp folder on the way."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.letters import render_referral_letter
from boligsag.ui import file_dialogs
from boligsag.ui.letters import preview as preview_module
from boligsag.ui.letters.opener import open_letter_preview
from boligsag.ui.letters.preview import LetterPreviewDialog

from .test_referrals_support import (
    add_staff,
    adult,
    audit_entries,
    consent,
    give_address,
    referral,
)


@pytest.fixture
def referral_id(ctx: AppContext) -> int:
    jobcentre = give_address(ctx)
    person_id = adult(ctx)
    given = consent(ctx, person_id, jobcentre)
    return referral(ctx, person_id, jobcentre, given.id, add_staff(ctx)).id


@pytest.fixture
def private_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temp folder Python and Qt use, redirected to an empty folder of this test's
    own, so anything written there — by us, reportlab, QtPdf or the print engine — is
    seen, and nothing another process writes to /tmp can disturb the test."""
    folder = tmp_path / "system-temp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    assert tempfile.gettempdir() == str(folder)
    assert Path(QDir.tempPath()).resolve() == folder.resolve()
    yield folder


def snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    """The window a preview opens from (qtbot only keeps a weak reference)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def open_preview(qtbot: QtBot, ctx: AppContext, referral_id: int,
                 parent: QWidget) -> LetterPreviewDialog:
    opened: list[LetterPreviewDialog] = []
    open_letter_preview(parent, ctx, lambda: render_referral_letter(ctx, referral_id),
                        on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    dialog = opened[0]
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready,
                    timeout=5_000)
    return dialog


class FakePrintDialog:
    """Stands in for the system print dialog: the user picks a PDF printer writing to
    ``target`` (their chosen output) and presses Print — or cancels."""

    target: Path | None = None
    accept = True

    def __init__(self, printer: QPrinter, _parent: QWidget) -> None:
        self.printer = printer

    def setWindowTitle(self, _title: str) -> None: ...

    def setMinMax(self, _low: int, _high: int) -> None: ...

    def exec(self) -> QDialog.DialogCode:
        if not self.accept:
            return QDialog.DialogCode.Rejected
        self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer.setOutputFileName(str(self.target))
        return QDialog.DialogCode.Accepted


def test_rendering_and_printing_write_nothing_to_the_temp_folder(
        qtbot: QtBot, ctx: AppContext, referral_id: int, private_temp: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, host: QWidget) -> None:
    before = snapshot(private_temp)
    dialog = open_preview(qtbot, ctx, referral_id, host)
    assert dialog.page_count() >= 1
    assert dialog.page_label.text() == f"Side 1 af {dialog.page_count()}"

    chosen = tmp_path / "printed" / "brev.pdf"
    chosen.parent.mkdir()
    FakePrintDialog.target, FakePrintDialog.accept = chosen, True
    monkeypatch.setattr(preview_module, "QPrintDialog", FakePrintDialog)
    with qtbot.waitSignal(dialog.printed, timeout=20_000) as printed:
        dialog.print_letter()
    assert printed.args == [dialog.page_count()]
    assert snapshot(private_temp) == before == set()
    assert chosen.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in chosen.parent.iterdir()) == ["brev.pdf"]
    printed_doc = QPdfDocument()
    printed_doc.load(str(chosen))
    assert printed_doc.pageCount() == dialog.page_count()
    printed_doc.close()

    [entry] = audit_entries(ctx, AuditAction.PRINT)
    assert (entry.entity, entry.entity_uuid, entry.detail) == (
        "referrals", dialog.letter.entity_uuid, "referral_letter")
    assert entry.person_uuid == dialog.letter.person_uuid
    assert entry.username == "admin"
    assert "Udskriften er registreret i loggen" in dialog.status.text()
    dialog.reject()


def test_a_cancelled_print_dialog_prints_and_records_nothing(
        qtbot: QtBot, ctx: AppContext, referral_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, host: QWidget) -> None:
    dialog = open_preview(qtbot, ctx, referral_id, host)
    FakePrintDialog.target, FakePrintDialog.accept = tmp_path / "never.pdf", False
    monkeypatch.setattr(preview_module, "QPrintDialog", FakePrintDialog)
    dialog.print_letter()
    qtbot.wait(100)
    assert not (tmp_path / "never.pdf").exists()
    assert audit_entries(ctx, AuditAction.PRINT) == []
    dialog.reject()


def test_save_as_pdf_writes_where_the_user_chose_and_is_audited(
        qtbot: QtBot, ctx: AppContext, referral_id: int, private_temp: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, host: QWidget) -> None:
    dialog = open_preview(qtbot, ctx, referral_id, host)
    target = tmp_path / "Dokumenter" / "henvisning"  # the suffix is added
    target.parent.mkdir()
    offered: list[str] = []

    def choose(_parent: QWidget, _title: str, start: str, _filter: str) -> tuple[str, str]:
        offered.append(start)
        return str(target), "PDF"

    monkeypatch.setattr(file_dialogs, "run_save_dialog", staticmethod(choose))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    saved = target.with_suffix(".pdf")
    assert saved.read_bytes() == dialog.letter.data
    assert os.stat(saved).st_mode & 0o777 == 0o600
    assert Path(offered[0]).name == dialog.letter.suggested_filename
    assert "yılmaz" not in offered[0].casefold()  # no personal data in "recent files"
    assert sorted(p.name for p in saved.parent.iterdir()) == ["henvisning.pdf"]
    assert snapshot(private_temp) == set()
    [entry] = audit_entries(ctx, AuditAction.SAVE_PDF)
    assert (entry.entity_uuid, entry.person_uuid) == (dialog.letter.entity_uuid,
                                                      dialog.letter.person_uuid)
    dialog.reject()


def test_the_preview_navigates_and_zooms(qtbot: QtBot, ctx: AppContext, referral_id: int,
                                         host: QWidget) -> None:
    dialog = open_preview(qtbot, ctx, referral_id, host)
    assert dialog.zoom.currentText() == "Sidebredde"
    dialog.action_zoom_in.trigger()
    assert dialog.zoom.currentData() in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
    dialog.zoom.setCurrentIndex(dialog.zoom.findData(1.0))
    assert dialog.view.zoomFactor() == 1.0
    dialog.action_next.trigger()
    assert dialog.current_page() == min(1, dialog.page_count() - 1)
    for name in ("printLetterButton", "saveLetterButton", "zoomCombo", "letterPdfView"):
        widget = dialog.findChild(QWidget, name)
        assert widget is not None and widget.accessibleName()
    dialog.reject()
    qtbot.waitUntil(lambda: dialog.document.status() != QPdfDocument.Status.Ready,
                    timeout=2_000)
