"""Print an in-memory PDF (a ``QPdfDocument``) on a ``QPrinter``, page by page.

Each page is rendered by QtPdf into an image in memory and painted onto the printer;
nothing goes through a file of ours. The image is rendered at the printer's resolution
up to ``MAX_DPI``: an A4 page at 1200 dpi would be a 550 MB image, and 300 dpi is what
office printers reproduce of text anyway.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from boligsag.errors import UserError

MAX_DPI = 300
POINTS_PER_INCH = 72.0


class PrintFailed(UserError):
    """The printer could not be opened (e.g. an output file that cannot be written);
    ``detail`` is what failed, for the log."""

    def __init__(self, detail: str) -> None:
        super().__init__("The printer could not be opened. Nothing was printed.")
        self.detail = f"({detail})"


def direct_cups_command(printer: QPrinter) -> list[str] | None:
    """The ``lp`` command that prints on the chosen CUPS printer, or None where the PDF
    must be painted through Qt instead (Windows, macOS, a PDF file, no ``lp``).

    Why: on Linux, Qt's CUPS print engine spools every job through a temporary file
    in $TMPDIR before handing it to CUPS, so a letter would sit in plaintext in the
    temp folder. ``lp`` reads the in-memory PDF from stdin straight into the print
    system's own queue instead."""
    lp = shutil.which("lp")
    if (not sys.platform.startswith("linux") or lp is None
            or printer.outputFormat() != QPrinter.OutputFormat.NativeFormat
            or not printer.printerName()):
        return None
    command = [lp, "-d", printer.printerName(), "-n", str(max(1, printer.copyCount())),
               "-t", printer.docName() or "Boligsag"]
    if (printer.printRange() == QPrinter.PrintRange.PageRange
            and printer.fromPage() > 0 and printer.toPage() > 0):
        command += ["-P", f"{printer.fromPage()}-{printer.toPage()}"]
    return [*command, "-"]  # "-": the document comes on stdin


def print_with_cups(command: list[str], pdf: bytes, page_count: int) -> int:
    """Send ``pdf`` to CUPS through ``lp``'s stdin; returns the number of pages sent."""
    try:
        subprocess.run(command, input=pdf, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        raise PrintFailed(str(error)) from None
    return page_count


def prepare_printer(printer: QPrinter, document: QPdfDocument, doc_name: str) -> None:
    """A4 portrait, the whole sheet, and a job name without personal data (it shows in
    the printer queue)."""
    printer.setDocName(doc_name)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setFromTo(0, 0)
    if document.pageCount() > 0:
        printer.setPrintRange(QPrinter.PrintRange.AllPages)


def pages_to_print(printer: QPrinter, page_count: int) -> range:
    """0-based pages the user chose in the print dialog (all unless a range was set)."""
    if (printer.printRange() == QPrinter.PrintRange.PageRange
            and printer.fromPage() > 0 and printer.toPage() > 0):
        first = max(0, printer.fromPage() - 1)
        last = min(page_count - 1, printer.toPage() - 1)
        return range(first, last + 1)
    return range(page_count)


def print_document(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint the chosen pages of ``document`` on ``printer``; returns how many."""
    pages = pages_to_print(printer, document.pageCount())
    if not pages:
        return 0
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(printer.outputFileName())
    try:
        dpi = min(printer.resolution(), MAX_DPI)
        for number, page in enumerate(pages):
            if number and not printer.newPage():
                raise PrintFailed(printer.outputFileName())
            target = QRectF(painter.viewport())
            points = document.pagePointSize(page)
            scale = min(target.width() / points.width(), target.height() / points.height())
            width, height = points.width() * scale, points.height() * scale
            size = QSize(round(points.width() / POINTS_PER_INCH * dpi),
                         round(points.height() / POINTS_PER_INCH * dpi))
            image = document.render(page, size)
            painter.drawImage(QRectF(target.x() + (target.width() - width) / 2, target.y(),
                                     width, height), image)
            del image  # one page in memory at a time
    finally:
        painter.end()
    return len(pages)
