"""Export from the screen: ask where (a file dialog with a default name that holds the
period and nothing personal), check the folder at once, then compute, suppress and
write in the background with progress and Cancel. ``export_summary`` writes a temp file
beside the target and renames it, so a cancel or a failure leaves no file; the service
records every export in the audit log."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from boligsag.errors import UserError
from boligsag.i18n import current_language, tr
from boligsag.services.context import AppContext
from boligsag.services.summaries import SummaryCancelled
from boligsag.services.summaries.export import (
    ExportFormat,
    ExportResult,
    check_target,
    export_summary,
)
from boligsag.summaries.filter import SummaryFilter
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.errors import show_error
from boligsag.ui.file_dialogs import ask_save_path, documents_folder
from boligsag.ui.widgets import named

from .task_strip import TaskStrip


def format_name(fmt: ExportFormat) -> str:
    return {ExportFormat.XLSX: "XLSX", ExportFormat.CSV: "CSV", ExportFormat.PDF: "PDF"}[fmt]


def file_filter(fmt: ExportFormat) -> str:
    return {
        ExportFormat.XLSX: tr("Excel workbook (*.xlsx)"),
        ExportFormat.CSV: tr("CSV for Danish Excel, semicolon-separated (*.csv)"),
        ExportFormat.PDF: tr("PDF report (*.pdf)"),
    }[fmt]


def default_file_name(summary_filter: SummaryFilter, fmt: ExportFormat) -> str:
    """"aktivitetsopgørelse 2025.xlsx": the period only. Staff names and other filter
    values stay out of file names, which end up in folders, mails and recent lists."""
    start, end = summary_filter.date_from, summary_filter.date_to
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        period = str(start.year)
    else:
        period = f"{start.isoformat()} – {end.isoformat()}"
    return f"{tr('activity report')} {period}.{fmt.value}"


class SummaryExporter(QObject):
    """Runs one export at a time for a page; the strip shows its progress."""

    started = Signal()
    finished = Signal(object)  # ExportResult, or None when cancelled or failed

    def __init__(self, ctx: AppContext, parent: QWidget, strip: TaskStrip) -> None:
        super().__init__(parent)
        self.ctx, self.page, self.strip = ctx, parent, strip
        self.task: BackgroundTask | None = None
        self.message_box: QMessageBox | None = None

    @property
    def running(self) -> bool:
        return self.task is not None

    def ask_path(self, summary_filter: SummaryFilter, fmt: ExportFormat) -> Path | None:
        suggested = documents_folder() / default_file_name(summary_filter, fmt)
        return ask_save_path(
            self.page, tr("Export the summary as {format}", format=format_name(fmt)),
            suggested, file_filter(fmt), suffix=fmt.value)

    def export(self, summary_filter: SummaryFilter, fmt: ExportFormat) -> None:
        if self.task is not None:
            return
        path = self.ask_path(summary_filter, fmt)
        if path is None:
            return
        self.start(summary_filter, fmt, path)

    def start(self, summary_filter: SummaryFilter, fmt: ExportFormat, path: Path) -> None:
        try:
            # A wrong folder, or the database's own file, is said at once, not after the work.
            check_target(self.ctx, path)
        except UserError as error:
            show_error(self.page, error, tr("The summary was not exported"))
            self.finished.emit(None)
            return
        language = current_language()
        ctx = self.ctx

        def work(task: BackgroundTask) -> ExportResult:
            return export_summary(
                ctx, summary_filter, fmt, path, language=language,
                progress=lambda _stage, fraction: task.report(int(fraction * 1000), 1000),
                cancelled=task.is_cancelled)

        self.strip.start(tr("Exporting {format} to {name}…", format=format_name(fmt),
                            name=path.name), self.cancel)
        self.task = run_in_background(self, work, on_success=self._done,
                                      on_failure=self._failed,
                                      on_progress=lambda d, t, _s: self.strip.progress(d, t))
        self.started.emit()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _done(self, result: ExportResult) -> None:
        self.task = None
        self.strip.finish()
        box = QMessageBox(QMessageBox.Icon.Information, tr("Summary exported"), tr(
            "The summary is saved as {name} in {folder}.", name=result.path.name,
            folder=str(result.path.parent)), QMessageBox.StandardButton.Ok, self.page)
        named(box, "exportDoneMessage", tr("Summary exported"))
        open_folder = box.addButton(tr("Open folder"), QMessageBox.ButtonRole.ActionRole)
        named(open_folder, "openFolderButton", tr("Open folder"))
        open_folder.clicked.connect(lambda: open_folder_of(result.path))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.message_box = box
        self.finished.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.task = None
        self.strip.finish()
        if isinstance(error, SummaryCancelled):
            status = getattr(self.page.window(), "statusBar", None)
            if callable(status):
                status().showMessage(tr("The export was cancelled. No file was saved."), 8000)
        else:
            show_error(self.page, error, tr("The summary was not exported"))
        self.finished.emit(None)


def open_folder_of(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def export_button(fmt: ExportFormat) -> QPushButton:
    texts = {
        ExportFormat.XLSX: (tr("Export XLSX…"), "exportXlsxButton"),
        ExportFormat.CSV: (tr("CSV…"), "exportCsvButton"),
        ExportFormat.PDF: (tr("PDF…"), "exportPdfButton"),
    }
    text, object_name = texts[fmt]
    button = named(QPushButton(text), object_name,
                   tr("Export the summary as {format}", format=format_name(fmt)))
    button.setToolTip(tr("Export the summary as {format}: aggregated figures only, "
                         "small counts withheld (..)", format=format_name(fmt)))
    return button
