"""Which way a letter goes to the printer. On Linux with ``lp`` on the PATH it goes to
CUPS on ``lp``'s stdin (Qt's CUPS engine would spool it through a plaintext temp file);
on Windows — or anywhere ``lp`` is missing — Qt paints it on the chosen QPrinter.

The platform is faked for the printing module only, the PATH holds a fake ``lp`` (a
script that keeps what it was sent) or none, and the "native printer" is a QPrinter
that says it is one while Qt writes its pages to a PDF file we can count."""

from __future__ import annotations

import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import AuditAction
from boligsag.services.context import AppContext
from boligsag.ui.letters import printing

from .test_letters_preview import open_preview
from .test_referrals_support import add_staff, adult, audit_entries, consent, give_address
from .test_referrals_support import referral as make_referral


class NativeLookingPrinter(QPrinter):
    """What the print dialog hands back on Windows: a native printer with a name. To
    Python it is one; to Qt's painter it is a PDF file, so the pages can be checked."""

    def __init__(self, target: Path) -> None:
        super().__init__(QPrinter.PrinterMode.HighResolution)
        self.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.setOutputFileName(str(target))

    def outputFormat(self) -> QPrinter.OutputFormat:  # type: ignore[override]
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self) -> str:  # type: ignore[override]
        return "Kontorprinter 2. sal"


@pytest.fixture
def fake_lp(tmp_path: Path) -> Path:
    """A folder holding an ``lp`` that writes its stdin and arguments beside itself."""
    folder = tmp_path / "bin med æøå"
    folder.mkdir()
    lp = folder / "lp"
    # Shell built-ins and an absolute cat: the PATH the test sets holds only this folder.
    lp.write_text('#!/bin/sh\nhere="${0%/*}"\nprintf "%s\\n" "$@" > "$here/args"\n'
                  'exec /bin/cat > "$here/received.pdf"\n', "utf-8")
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    return folder


def on(monkeypatch: pytest.MonkeyPatch, platform: str, path: Path) -> None:
    monkeypatch.setattr(printing, "sys", SimpleNamespace(platform=platform))
    monkeypatch.setenv("PATH", str(path))


@pytest.fixture
def letter_preview(qtbot: QtBot, ctx: AppContext):  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    jobcentre = give_address(ctx)
    person_id = adult(ctx)
    given = consent(ctx, person_id, jobcentre)
    referral_id = make_referral(ctx, person_id, jobcentre, given.id, add_staff(ctx)).id
    dialog = open_preview(qtbot, ctx, referral_id, host)
    yield dialog
    dialog.reject()


def pages_in(pdf: Path) -> int:
    document = QPdfDocument()
    document.load(str(pdf))
    try:
        return document.pageCount()
    finally:
        document.close()


@pytest.mark.parametrize("platform, with_lp", [
    pytest.param("win32", True, id="windows, even with an lp on the PATH"),
    pytest.param("linux", False, id="linux without lp"),
])
def test_windows_or_no_lp_prints_through_qt(
        qtbot: QtBot, ctx: AppContext, letter_preview, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch, fake_lp: Path, platform: str, with_lp: bool) -> None:
    empty = tmp_path / "empty bin"
    empty.mkdir()
    on(monkeypatch, platform, fake_lp if with_lp else empty)
    target = tmp_path / "Mine Dokumenter" / "udskrift æøå.pdf"
    target.parent.mkdir()
    printer = NativeLookingPrinter(target)
    assert printing.direct_cups_command(printer) is None
    with qtbot.waitSignal(letter_preview.printed, timeout=20_000) as printed:
        letter_preview.print_to(printer)
    pages = letter_preview.page_count()
    assert printed.args == [pages] and pages_in(target) == pages
    assert not (fake_lp / "received.pdf").exists()  # lp was never run
    [entry] = audit_entries(ctx, AuditAction.PRINT)
    assert entry.entity_uuid == letter_preview.letter.entity_uuid


def test_linux_with_lp_sends_the_pdf_on_stdin(
        qtbot: QtBot, ctx: AppContext, letter_preview, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch, fake_lp: Path) -> None:
    on(monkeypatch, "linux", fake_lp)
    target = tmp_path / "never.pdf"
    printer = NativeLookingPrinter(target)
    command = printing.direct_cups_command(printer)
    assert command is not None and command[0] == str(fake_lp / "lp")
    with qtbot.waitSignal(letter_preview.printed, timeout=20_000):
        letter_preview.print_to(printer)
    assert (fake_lp / "received.pdf").read_bytes() == letter_preview.letter.data
    args = (fake_lp / "args").read_text("utf-8").split("\n")
    assert args[:2] == ["-d", "Kontorprinter 2. sal"] and args[-2] == "-"
    assert not target.exists()  # Qt painted nothing
    assert len(audit_entries(ctx, AuditAction.PRINT)) == 1
