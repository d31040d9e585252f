"""On Linux a letter goes to a real printer through ``lp``'s stdin, never through the
temp file that Qt's CUPS engine would write."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from PySide6.QtPrintSupport import QPrinter

from boligsag.ui.letters import printing


def test_a_native_printer_on_linux_gets_the_pdf_on_lp_stdin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(printing.shutil, "which", lambda name: "/usr/bin/lp")
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.NativeFormat)
    printer.setPrinterName("Kontorprinter")
    printer.setDocName("henvisning-165E7F32")
    printer.setCopyCount(2)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(1, 2)
    if printer.printerName() != "Kontorprinter":  # Qt keeps only installed printers
        printer = _FakePrinter()
    command = printing.direct_cups_command(printer)
    assert command == ["/usr/bin/lp", "-d", "Kontorprinter", "-n", "2", "-t",
                       "henvisning-165E7F32", "-P", "1-2", "-"]
    sent: dict[str, Any] = {}

    def fake_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        sent.update(args=args, **kwargs)
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(printing.subprocess, "run", fake_run)
    assert printing.print_with_cups(command, b"%PDF-1.4 letter", 2) == 2
    assert sent["input"] == b"%PDF-1.4 letter" and sent["args"][-1] == "-"


def test_pdf_output_and_other_platforms_paint_through_qt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    assert printing.direct_cups_command(printer) is None
    monkeypatch.setattr(sys, "platform", "win32")
    assert printing.direct_cups_command(_FakePrinter()) is None


def test_a_failing_lp_is_reported_not_raised_raw(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise subprocess.CalledProcessError(1, "lp")

    monkeypatch.setattr(printing.subprocess, "run", broken)
    with pytest.raises(printing.PrintFailed):
        printing.print_with_cups(["lp", "-"], b"%PDF", 1)


class _FakePrinter:
    """The parts of QPrinter the command needs, for machines without that printer."""

    def outputFormat(self) -> QPrinter.OutputFormat:
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self) -> str:
        return "Kontorprinter"

    def copyCount(self) -> int:
        return 2

    def docName(self) -> str:
        return "henvisning-165E7F32"

    def printRange(self) -> QPrinter.PrintRange:
        return QPrinter.PrintRange.PageRange

    def fromPage(self) -> int:
        return 1

    def toPage(self) -> int:
        return 2
