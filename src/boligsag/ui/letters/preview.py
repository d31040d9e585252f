"""The letter on screen before it goes anywhere: QtPdf shows the in-memory PDF, and
only two buttons let it out — "Udskriv …" (the system print dialog) and "Gem som PDF …"
(a file the user names). Both are recorded in the audit log. The PDF is loaded from a
``QBuffer`` over the bytes: no file is ever written to show or print it."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import QBuffer, QIODevice, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import AuditAction
from boligsag.errors import UserError
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.letters import LetterKind, LetterPdf, record_letter_output, save_pdf
from boligsag.services.output_files import check_output_target
from boligsag.ui import file_dialogs
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text, show_error
from boligsag.ui.forms import no_auto_default
from boligsag.ui.theme import BORDER, SURFACE
from boligsag.ui.widgets import make_action, named

from .printing import (
    PrintFailed,
    direct_cups_command,
    pages_to_print,
    prepare_printer,
    print_document,
    print_with_cups,
)

ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


def letter_title(kind: LetterKind) -> str:
    return {
        LetterKind.REFERRAL: tr("Referral letter"),
        LetterKind.CONSENT_FORM: tr("Consent form"),
        LetterKind.CONCERN: tr("Notification of concern"),
        LetterKind.INDSIGT: tr("Access report"),
    }[LetterKind(kind)]


class LetterPreviewDialog(QDialog):
    """``LetterPreviewDialog(ctx, letter, parent)``: preview, print, save as PDF."""

    printed = Signal(int)  # pages printed (after the audit entry is written)
    saved = Signal(str)  # the path the user chose

    def __init__(self, ctx: AppContext, letter: LetterPdf, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.letter = ctx, letter
        title = letter_title(letter.kind)
        named(self, "letterPreviewDialog", title)
        self.setWindowTitle(tr("{title} – preview", title=title))
        self.buffer = QBuffer(self)
        self.buffer.setData(letter.data)
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self.buffer)
        self.view = named(QPdfView(self), "letterPdfView", tr("The letter"))
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(16)
        self.view.setDocumentMargins(QMargins(28, 24, 28, 24))
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        palette = self.view.palette()
        palette.setColor(QPalette.ColorRole.Dark, QColor("#d9dfe4"))  # around the pages
        self.view.setPalette(palette)
        self._build_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar())
        layout.addWidget(self.view, 1)
        layout.addWidget(self._footer())
        self.view.pageNavigator().currentPageChanged.connect(lambda _p: self._update_page())
        self.document.statusChanged.connect(lambda _s: self._update_page())
        self.finished.connect(self._release)
        self._update_page()
        no_auto_default(self)
        self.resize(900, 980)

    # -- construction -----------------------------------------------------------------

    def _build_actions(self) -> None:
        self.action_print = make_action(self, "actionPrintLetter", tr("&Print…"),
                                        shortcut="Ctrl+P", triggered=self.print_letter,
                                        tip=tr("Print the letter"))
        self.action_save = make_action(self, "actionSaveLetterPdf", tr("Save as P&DF…"),
                                       shortcut="Ctrl+S", triggered=self.save_letter,
                                       tip=tr("Save the letter as a PDF file you choose"))
        self.action_zoom_in = make_action(self, "actionZoomIn", tr("Zoom in"),
                                          shortcut="Ctrl++", triggered=lambda: self.step_zoom(1))
        self.action_zoom_out = make_action(self, "actionZoomOut", tr("Zoom out"),
                                           shortcut="Ctrl+-",
                                           triggered=lambda: self.step_zoom(-1))
        self.action_next = make_action(self, "actionNextPage", tr("Next page"),
                                       shortcut="Ctrl+PgDown", triggered=lambda: self.go(1))
        self.action_previous = make_action(self, "actionPreviousPage", tr("Previous page"),
                                           shortcut="Ctrl+PgUp", triggered=lambda: self.go(-1))
        for action in (self.action_print, self.action_save, self.action_zoom_in,
                       self.action_zoom_out, self.action_next, self.action_previous):
            self.addAction(action)

    def _button(self, text: str, object_name: str, action_tip: str, slot: object) -> QPushButton:
        button = named(QPushButton(text), object_name, text.replace("…", "").strip())
        button.setToolTip(action_tip)
        button.clicked.connect(slot)
        return button

    def _toolbar(self) -> QWidget:
        bar = named(QWidget(), "letterToolbar", tr("Letter tools"))
        bar.setStyleSheet(f"QWidget#letterToolbar {{ background: {SURFACE}; "
                          f"border-bottom: 1px solid {BORDER}; }}")
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(8)
        self.previous_button = self._button("‹", "previousPageButton",
                                            self.action_previous.toolTip(),
                                            self.action_previous.trigger)
        self.next_button = self._button("›", "nextPageButton", self.action_next.toolTip(),
                                        self.action_next.trigger)
        self.page_label = named(QLabel(), "pageLabel", tr("Page"))
        self.page_label.setMinimumWidth(90)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.previous_button)
        row.addWidget(self.page_label)
        row.addWidget(self.next_button)
        row.addSpacing(16)
        row.addWidget(self._button("−", "zoomOutButton", self.action_zoom_out.toolTip(),
                                   self.action_zoom_out.trigger))
        self.zoom = named(QComboBox(), "zoomCombo", tr("Zoom"))
        self.zoom.addItem(tr("Page width"), "width")
        self.zoom.addItem(tr("Whole page"), "page")
        for factor in ZOOMS:
            self.zoom.addItem(f"{round(factor * 100)} %", factor)
        self.zoom.currentIndexChanged.connect(lambda _i: self._apply_zoom())
        row.addWidget(self.zoom)
        row.addWidget(self._button("+", "zoomInButton", self.action_zoom_in.toolTip(),
                                   self.action_zoom_in.trigger))
        row.addSpacing(16)
        title = named(QLabel(letter_title(self.letter.kind)), "letterTitle", tr("Letter"))
        title.setStyleSheet("font-weight: bold;")
        row.addWidget(title)
        row.addStretch(1)
        self.save_button = self._button(tr("Save as PDF…"), "saveLetterButton",
                                        self.action_save.toolTip(), self.save_letter)
        self.print_button = self._button(tr("Print…"), "printLetterButton",
                                         self.action_print.toolTip(), self.print_letter)
        self.print_button.setProperty("role", "primary")
        self.close_button = self._button(tr("Close"), "closeLetterButton", tr("Close"),
                                         self.reject)
        for button in (self.save_button, self.print_button, self.close_button):
            row.addWidget(button)
        return bar

    def _footer(self) -> QWidget:
        footer = named(QWidget(), "letterFooter", tr("Status"))
        footer.setStyleSheet(f"QWidget#letterFooter {{ background: {SURFACE}; "
                             f"border-top: 1px solid {BORDER}; }}")
        row = QHBoxLayout(footer)
        row.setContentsMargins(16, 6, 16, 8)
        self.status = named(QLabel(tr(
            "Preview. The letter exists only in memory until you print it or save it.")),
            "letterStatus", tr("Status"))
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        row.addWidget(self.status, 1)
        return footer

    # -- viewing ----------------------------------------------------------------------

    def page_count(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def _update_page(self) -> None:
        if not shiboken6.isValid(self.document) or not shiboken6.isValid(self.page_label):
            return  # the document announces its closing while the window is destroyed
        count = self.page_count()
        page = min(self.current_page(), max(0, count - 1))
        self.page_label.setText(tr("Page {page} of {pages}", page=page + 1, pages=max(1, count)))
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)
        ready = self.document.status() == QPdfDocument.Status.Ready
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def go(self, step: int) -> None:
        page = max(0, min(self.page_count() - 1, self.current_page() + step))
        self.view.pageNavigator().jump(page, QPointF(), self.view.zoomFactor())

    def _apply_zoom(self) -> None:
        choice = self.zoom.currentData()
        if choice == "width":
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif choice == "page":
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(float(choice))

    def step_zoom(self, step: int) -> None:
        current = self.view.zoomFactor()
        if step > 0:
            target = next((z for z in ZOOMS if z > current + 0.01), ZOOMS[-1])
        else:
            target = next((z for z in reversed(ZOOMS) if z < current - 0.01), ZOOMS[0])
        self.zoom.setCurrentIndex(self.zoom.findData(target))

    # -- output -----------------------------------------------------------------------

    def print_letter(self) -> None:
        """The system print dialog; printed and audited only if the user accepts it."""
        if self.document.status() != QPdfDocument.Status.Ready:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer, self.document, Path(self.letter.suggested_filename).stem)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(tr("Print the letter"))
        dialog.setMinMax(1, self.page_count())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Print on a printer the user chose, then record the print."""
        try:
            command = direct_cups_command(printer)
            if command is not None:
                pages = print_with_cups(command, self.letter.data,
                                        len(pages_to_print(printer, self.page_count())))
            else:
                pages = print_document(self.document, printer)
        except PrintFailed as error:
            self._show_status(error.message(), error=True)
            return
        ctx, letter = self.ctx, self.letter
        run_in_background(
            self, lambda _t: record_letter_output(ctx, letter, AuditAction.PRINT),
            on_success=lambda _r: self._printed(pages),
            on_failure=lambda e: self._show_status(error_text(e), error=True))

    def _printed(self, pages: int) -> None:
        self._show_status(tr("Sent to the printer. The print is recorded in the log."))
        self.printed.emit(pages)

    def save_letter(self) -> None:
        chosen = file_dialogs.ask_save_path(
            self, tr("Save the letter as PDF"),
            file_dialogs.documents_folder() / self.letter.suggested_filename,
            tr("PDF documents (*.pdf)"), suffix="pdf")
        if chosen is None:
            return
        path = str(chosen)
        try:  # the service refuses too; asked here so the answer comes before any work
            check_output_target(self.ctx, path)
        except UserError as error:  # the database's own file, a device: choose again
            show_error(self, error, tr("The letter was not saved"))
            return
        ctx, letter = self.ctx, self.letter
        self.save_button.setEnabled(False)
        run_in_background(self, lambda _t: save_pdf(ctx, letter, path),
                          on_success=lambda saved: self._saved(str(saved)),
                          on_failure=self._save_failed)

    def _saved(self, path: str) -> None:
        self.save_button.setEnabled(True)
        self._show_status(tr("Saved as {file}. The save is recorded in the log.", file=path))
        self.saved.emit(path)

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._show_status(error_text(error), error=True)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("role", "error" if error else "muted")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _release(self) -> None:
        """Let go of the letter's bytes as soon as the window closes."""
        self.document.close()
        self.buffer.close()
        self.buffer.setData(b"")
