"""Folders the way they look on a Danish Windows laptop — spaces, æøå and ÆØÅ in every
part (``Mine Dokumenter\\Bolig æøå ÆØÅ``) — carry the whole life of the files: a real
encrypted database and its key file, a verified backup that opens again, CSV and XLSX
exports and a letter PDF, each read back. And an export Excel keeps open (Windows'
PermissionError on the rename, simulated) ends in a clear message with the old file
untouched, from the service and from the command line."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from boligsag import atomic, cli
from boligsag.domain.enums import AuditAction
from boligsag.services import backups
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.demo import DEMO_PASSWORD, DEMO_USERNAME, create_demo_database
from boligsag.services.letters import render_referral_letter, save_pdf
from boligsag.services.summaries.export import ExportFormat, export_summary
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.storage.models import AuditEntry, Person
from boligsag.summaries.filter import SummaryFilter

from .test_output_files import letter_referral

TODAY = date(2026, 11, 25)
YEAR = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Mine Dokumenter" / "Bolig æøå ÆØÅ"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def database(folder: Path) -> Path:
    path = folder / "Sag Ærø Ålborg.db"
    create_demo_database(path, people=12, contacts=80, seed=3, today=TODAY)
    return path


@pytest.fixture
def ctx(database: Path) -> Iterator[AppContext]:
    context = unlock(database, DEMO_USERNAME, DEMO_PASSWORD,
                     clock=FixedClock(datetime(2026, 11, 25, 9)),
                     options=UnlockOptions(integrity_check=False))
    yield context
    lock(context)


def people(path: Path) -> int:
    ctx = unlock(path, DEMO_USERNAME, DEMO_PASSWORD, options=UnlockOptions())
    try:
        with ctx.read() as unit:
            return unit.session.scalar(select(func.count()).select_from(Person)) or 0
    finally:
        lock(ctx)


def test_database_backup_exports_and_letter_in_a_folder_with_aeoeaa_and_spaces(
        ctx: AppContext, database: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert database.is_file() and database.with_name(database.name + ".keys").is_file()
    expected_people = people(database)
    assert expected_people > 0

    # A backup into a sub-folder with the same kind of name, opened and checked again.
    backup_folder = folder / "Sikkerhedskopier ØÆÅ"
    backup_folder.mkdir()
    made = backups.take_backup(ctx, backup_folder)
    assert made.path.parent == backup_folder
    assert people(made.path) == expected_people
    monkeypatch.setenv("BOLIGSAG_PASSWORD", DEMO_PASSWORD)
    assert cli.main(["check", str(made.path)]) == 0

    # Exports: CSV (UTF-8 with a BOM, for Excel) and XLSX, read back.
    csv_path = folder / "Aktivitetsrapport æøå 2025.csv"
    export_summary(ctx, YEAR, ExportFormat.CSV, csv_path, language="da")
    rows = list(csv.reader(io.StringIO(csv_path.read_bytes().decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][0] == "Aktivitetsopgørelse"  # the Danish "Activity report"
    xlsx_path = folder / "Aktivitetsrapport ÆØÅ 2025.xlsx"
    export_summary(ctx, YEAR, ExportFormat.XLSX, xlsx_path, language="da")
    book = openpyxl.load_workbook(xlsx_path, read_only=True)
    try:
        first = next(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    assert first[0] == rows[0][0]

    # A letter saved as PDF, read back by a PDF reader.
    letter = render_referral_letter(ctx, letter_referral(ctx))
    pdf_path = folder / "Brev til Åse Ærø.pdf"
    save_pdf(ctx, letter, pdf_path)
    assert pdf_path.read_bytes() == letter.data
    assert len(PdfReader(pdf_path).pages) >= 1

    # Nothing else appeared: no temp file left in either folder. (-wal, -shm and the
    # key file's .lock belong to a database that was opened.)
    def names(path: Path) -> list[str]:
        return sorted(p.name for p in path.iterdir()
                      if not p.name.endswith(("-wal", "-shm", ".keys.lock")))

    assert names(folder) == sorted([database.name, database.name + ".keys",
                                    backup_folder.name, csv_path.name, xlsx_path.name,
                                    pdf_path.name])
    assert names(backup_folder) == sorted([made.path.name, made.path.name + ".keys"])


@pytest.fixture
def excel_holds_every_file(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Windows with Excel keeping the target open: every rename onto an existing file
    fails with PermissionError; the waits are recorded, not slept."""
    monkeypatch.setattr(atomic, "IN_USE_PLATFORMS", frozenset({sys.platform}))
    monkeypatch.setattr(atomic, "IN_USE_DELAYS", (0.001, 0.002))
    real = os.replace
    refused: list[str] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).exists():
            refused.append(Path(dst).name)
            raise PermissionError(13, "The process cannot access the file because it is "
                                      "being used by another process")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return refused


def test_an_export_open_in_excel_is_a_clear_message_and_stays_as_it_was(
        ctx: AppContext, folder: Path, excel_holds_every_file: list[str]) -> None:
    target = folder / "Rapport æøå.xlsx"
    target.write_bytes(b"last month's report")
    with pytest.raises(atomic.FileInUse) as raised:
        export_summary(ctx, YEAR, ExportFormat.XLSX, target, language="da")
    assert excel_holds_every_file == [target.name] * 3  # tried, waited, tried again
    assert "Excel" in raised.value.message()  # the UI's Danish text names the cause
    assert raised.value.message().startswith("Filen kunne ikke erstattes")
    assert target.read_bytes() == b"last month's report"
    assert not [p for p in folder.iterdir() if p.name.startswith(atomic.TEMP_PREFIX)]
    with ctx.read() as unit:
        actions = list(unit.session.scalars(select(AuditEntry.action)
                                            .order_by(AuditEntry.id.desc()).limit(2)))
    assert actions == [AuditAction.OUTPUT_FAILED, AuditAction.EXPORT]


def test_the_command_line_says_it_in_english_on_one_line(
        database: Path, folder: Path, excel_holds_every_file: list[str],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    target = folder / "Rapport ÆØÅ.csv"
    target.write_bytes(b"old")
    monkeypatch.setenv("BOLIGSAG_PASSWORD", DEMO_PASSWORD)
    code = cli.main(["summary", str(database), "--from", "2025-01-01", "--to", "2025-12-31",
                     "--out", str(target), "--format", "csv"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("boligsag summary: The file could not be replaced because another "
                          "program is using it")
    assert "being used by another process" in err and err.count("\n") == 1
    assert target.read_bytes() == b"old"
