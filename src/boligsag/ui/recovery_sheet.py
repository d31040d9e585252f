"""The printed recovery key: one clean A4 page, rendered straight to the printer.

Never written to a file: a recovery key in a PDF in the Downloads folder would undo
the encryption. The print dialog therefore does not offer "print to file" either.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QWidget

from boligsag.formatting import long_date
from boligsag.i18n import tr
from boligsag.ui.theme import UI_FAMILY, monospace_font


def key_lines(recovery_key: str) -> list[str]:
    """Eight groups of four on two lines: large enough to read, short enough to copy."""
    groups = recovery_key.split("-")
    half = (len(groups) + 1) // 2
    return ["-".join(groups[:half]), "-".join(groups[half:])]


def sheet_html(recovery_key: str, organisation: str, database_id: str, path: str,
               created: date) -> str:
    mono = monospace_font(20).family()
    key = "<br>".join(escape(line) for line in key_lines(recovery_key))
    rows = [(tr("Organisation"), organisation), (tr("Created"), long_date(created)),
            (tr("Database ID"), database_id), (tr("Database file"), path)]
    facts = "".join(f"<tr><td style='color:#5a6774; padding-right:12px'>{escape(k)}</td>"
                    f"<td>{escape(v)}</td></tr>" for k, v in rows)
    text = {name: escape(value) for name, value in {
        "title": tr("Boligsag recovery key"),
        "keep_apart": tr("Keep this sheet locked away, apart from the computer and from "
                         "the backups."),
        "alphabet": tr("The key uses the digits 0–9 and the letters A–Z except I, L, O and "
                       "U, so 0 and 1 can never be confused with letters."),
        "when": tr("When do I need it?"),
        "when_text": tr("If every administrator has forgotten their password, choose "
                        "“Forgot your password?” in the login window, type this "
                        "key and choose a new password. Without the key and without a "
                        "password, nobody can open the data, not even the supplier."),
        "safe": tr("Keep it safe"),
        "safe_text": tr("Anyone with this key and a copy of the database can read "
                        "everything in it: treat it like the key to the filing cabinet. "
                        "Store it in a safe or a locked drawer, never with the laptop, "
                        "never as a photo or a file."),
        "kept_by": tr("Kept by"), "date": tr("Date"), "where": tr("Where"),
        "signature": tr("Signature"),
    }.items()}
    line = "_" * 24
    return f"""
<h1 style="font-size:20pt; margin-bottom:4px">{text["title"]}</h1>
<p style="color:#5a6774; margin-top:0">{text["keep_apart"]}</p>
<table cellspacing="0" cellpadding="2" style="margin-top:8px">{facts}</table>
<p>&nbsp;</p>
<table width="100%" border="1" cellspacing="0" cellpadding="18"
       style="border-color:#1f6e8c; border-style:solid; border-collapse:collapse">
<tr><td align="center" style="font-family:'{mono}'; font-size:24pt; font-weight:bold">
{key}</td></tr></table>
<p style="color:#5a6774; font-size:9pt">{text["alphabet"]}</p>
<h2 style="font-size:13pt">{text["when"]}</h2>
<p>{text["when_text"]}</p>
<h2 style="font-size:13pt">{text["safe"]}</h2>
<p>{text["safe_text"]}</p>
<p>&nbsp;</p>
<table width="100%" cellspacing="0" cellpadding="6">
<tr><td width="55%">{text["kept_by"]}: {line}</td><td>{text["date"]}: {line[:18]}</td></tr>
<tr><td>{text["where"]}: {line}</td><td>{text["signature"]}: {line[:18]}</td></tr></table>
"""


def render(printer: QPrinter, html: str) -> None:
    document = QTextDocument()
    document.setDefaultFont(QFont(UI_FAMILY, 11))
    document.setHtml(html)
    # No page size of our own: print_() lays the text out on the printer's page in
    # points, at whatever resolution the printer has.
    document.print_(printer)


def new_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                      QPageLayout.Orientation.Portrait,
                                      # QTextDocument.print_() adds 2 cm of its own.
                                      QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))
    printer.setDocName(tr("Boligsag recovery key"))
    return printer


def print_with_dialog(parent: QWidget, html: str,
                      on_printed: Callable[[], None] | None = None) -> QPrintDialog:
    """Open the system print dialog (non-blocking); print when the user accepts."""
    printer = new_printer()
    dialog = QPrintDialog(printer, parent)
    dialog.setObjectName("recoveryPrintDialog")
    dialog.setAccessibleName(tr("Print the recovery key"))
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, False)
    dialog.setWindowTitle(tr("Print the recovery key"))

    def accepted() -> None:
        render(printer, html)
        if on_printed is not None:
            on_printed()

    # The connected closure keeps the printer (not a QObject) alive with the dialog.
    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog
