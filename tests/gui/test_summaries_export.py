"""Exports from the Opgørelser screen: the file dialog's default name, the export in
the background, the file's contents, the audit entry, cancel, a wrong folder."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.services.summaries import export as summary_export
from boligsag.services.summaries.export import ExportFormat
from boligsag.storage.models import AuditEntry
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.numbers import excel_value
from boligsag.summaries.published import publish
from boligsag.ui import file_dialogs
from boligsag.ui.pages.summaries import SummariesPage
from boligsag.ui.summaries.export import default_file_name

from . import test_summaries_support as support
from .helpers import child, click
from .test_summaries_support import COMPUTE_TIMEOUT, LAST_YEAR, compute_last_year

# The shared fixtures, bound here so pytest finds them in this module.
lead_ctx = support.lead_ctx
lead_page = support.lead_page
summary_demo = support.summary_demo


class FakeDialog:
    """Stands in for the native save dialog: records what it was offered."""

    def __init__(self, answer: Path | None) -> None:
        self.answer = answer
        self.offered: list[str] = []

    def __call__(self, _parent: object, _caption: str, suggested: str,
                 _filter: str) -> tuple[str, str]:
        self.offered.append(suggested)
        return (str(self.answer) if self.answer else "", "")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of its own (tmp_path also holds the test's settings folder)."""
    path = tmp_path / "udtræk"
    path.mkdir()
    return path


def exports_in_audit(ctx: AppContext) -> list[AuditEntry]:
    with ctx.read() as unit:
        return list(unit.session.scalars(select(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT.value)))


def test_export_xlsx_from_the_screen(qtbot: QtBot, lead_page: SummariesPage,
                                     lead_ctx: AppContext, folder: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    target = folder / "bestyrelsen.xlsx"
    dialog = FakeDialog(target)
    monkeypatch.setattr(file_dialogs, "run_save_dialog", dialog)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    before = len(exports_in_audit(lead_ctx))
    with qtbot.waitSignal(lead_page.exporter.finished, timeout=COMPUTE_TIMEOUT) as done:
        click(qtbot, lead_page, "exportXlsxButton")
        assert not child(lead_page, QPushButton, "exportCsvButton").isEnabled()  # one at a time
    assert done.args[0] is not None and target.is_file()
    assert Path(dialog.offered[0]).name == "aktivitetsopgørelse 2025.xlsx"
    assert sorted(p.name for p in folder.iterdir()) == ["bestyrelsen.xlsx"]  # no temp files

    published = publish(compute_summary(lead_ctx, LAST_YEAR))
    workbook = load_workbook(target)
    overview = workbook.worksheets[0]
    values = {overview.cell(r, 1).value: overview.cell(r, 2).value
              for r in range(1, overview.max_row + 1)}
    for figure in published.key_figures:
        cell = figure.cell
        # The cell holds the number the other exports show (rounded half up).
        expected = cell.mark or (excel_value(cell.value, cell.kind)
                                 if cell.value is not None else None)
        assert values[figure.label.text("da")] == pytest.approx(expected), figure.key
    channels = workbook["Kontakter pr. kanal"]
    last = channels.max_row
    assert channels.cell(last, 1).value == "I alt"
    channel_total = published.table("contacts_by_channel").total
    assert channel_total is not None
    assert channels.cell(last, 2).value == channel_total.cells[0].value

    entries = exports_in_audit(lead_ctx)
    assert len(entries) == before + 1
    assert "xlsx 2025-01-01..2025-12-31" in entries[-1].detail
    assert "bestyrelsen" not in entries[-1].detail  # what was exported, never where

    box = lead_page.exporter.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "bestyrelsen.xlsx" in box.text()
    click(qtbot, box, "openFolderButton")
    assert opened == [QUrl.fromLocalFile(str(folder))]
    assert child(lead_page, QPushButton, "exportXlsxButton").isEnabled()


def test_cancel_a_running_export_leaves_no_file(
        qtbot: QtBot, lead_page: SummariesPage, lead_ctx: AppContext, folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    target = folder / "aflyst.pdf"
    monkeypatch.setattr(file_dialogs, "run_save_dialog", FakeDialog(target))
    running = threading.Event()
    real = summary_export.compute_summary

    def slow(ctx: AppContext, f: SummaryFilter, **kwargs: object) -> object:
        """The export's computation, held until the user has pressed Cancel."""
        running.set()
        cancelled = kwargs["cancelled"]
        for _ in range(500):
            if cancelled():  # type: ignore[operator]
                break
            threading.Event().wait(0.01)
        return real(ctx, f, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(summary_export, "compute_summary", slow)
    before = len(exports_in_audit(lead_ctx))
    click(qtbot, lead_page, "exportPdfButton")
    strip = child(lead_page, QWidget, "exportProgress")
    assert strip.isVisible()
    qtbot.waitUntil(running.is_set, timeout=5_000)
    with qtbot.waitSignal(lead_page.exporter.finished, timeout=COMPUTE_TIMEOUT) as done:
        click(qtbot, lead_page, "exportProgressCancel")
    assert done.args[0] is None
    assert list(folder.iterdir()) == []  # neither the file nor a temp file
    assert len(exports_in_audit(lead_ctx)) == before
    assert not strip.isVisible()
    assert "annulleret" in lead_page.window().statusBar().currentMessage()
    assert child(lead_page, QPushButton, "exportPdfButton").isEnabled()


def test_a_missing_folder_is_said_at_once(qtbot: QtBot, lead_page: SummariesPage,
                                          folder: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    monkeypatch.setattr(file_dialogs, "run_save_dialog",
                        FakeDialog(folder / "findes-ikke" / "rapport.csv"))
    with qtbot.waitSignal(lead_page.exporter.finished, timeout=5_000) as done:
        click(qtbot, lead_page, "exportCsvButton")
    assert done.args[0] is None and lead_page.exporter.task is None
    box = lead_page.window().findChild(QMessageBox, "errorMessageBox")
    assert box is not None and "findes ikke" in box.text()
    assert not (folder / "findes-ikke").exists()


def test_a_dismissed_dialog_exports_nothing(qtbot: QtBot, lead_page: SummariesPage,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    monkeypatch.setattr(file_dialogs, "run_save_dialog", FakeDialog(None))
    click(qtbot, lead_page, "exportCsvButton")
    assert lead_page.exporter.task is None
    assert not child(lead_page, QWidget, "exportProgress").isVisible()


def test_default_file_names_hold_the_period_and_nothing_personal() -> None:
    chosen = SummaryFilter(date(2025, 3, 1), date(2025, 8, 31), staff_ids=(3,), area_ids=(1,))
    name = default_file_name(chosen, ExportFormat.CSV)
    assert name == "aktivitetsopgørelse 2025-03-01 – 2025-08-31.csv"
    assert default_file_name(LAST_YEAR, ExportFormat.PDF) == "aktivitetsopgørelse 2025.pdf"


def test_a_name_without_its_extension_gets_one(qtbot: QtBot, lead_page: SummariesPage,
                                               folder: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_dialogs, "run_save_dialog", FakeDialog(folder / "rapport"))
    assert lead_page.exporter.ask_path(LAST_YEAR, ExportFormat.CSV) == folder / "rapport.csv"
