"""Aggregated exports: small counts hidden so that no hidden count can be worked out, the
files readable by Excel and the csv module, the PDF holding the headline figures, no
personal data in any of them, atomic writes and clear messages."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from boligsag.cli import main
from boligsag.domain.enums import AuditAction, Gender
from boligsag.exports.csv_export import to_csv
from boligsag.exports.report_pdf import ReportHeader, to_pdf
from boligsag.exports.xlsx import to_xlsx
from boligsag.i18n import current_language, set_language
from boligsag.services.context import AppContext
from boligsag.services.errors import ValidationFailed
from boligsag.services.summaries import export as summary_export
from boligsag.services.summaries import validate_filter
from boligsag.services.summaries.export import (
    ExportFailed,
    FolderMissing,
    FolderNotWritable,
    NothingToExport,
    export_summary,
)
from boligsag.services.summaries.tables import Category, grid_table, measures_table
from boligsag.storage.models import AuditEntry, Channel, Contact, Person, contact_people
from boligsag.summaries.filter import FilterNames, SummaryFilter
from boligsag.summaries.model import (
    TOTAL,
    CellRef,
    Column,
    KeyFigure,
    Label,
    Share,
    Summary,
    ValueKind,
)
from boligsag.summaries.published import PublishedSummary, publish

from ..conftest import ADMIN_PASSWORD, CreatedDb
from .disclosure_attacker import attack

PERIOD = SummaryFilter(date(2025, 1, 1), date(2025, 12, 31))


def _cats(*keys: str) -> list[Category]:
    return [Category(k, Label(k.title(), k.title())) for k in keys]


def synthetic(grid: list[list[int]], series: list[int], hours: list[float],
              shares: list[tuple[int, int]]) -> Summary:
    """A summary shaped like the engine's: a two-way count table, a table of measures
    whose total is the same figure as the grid's (a link), and key figures."""
    rows = _cats(*(f"r{i}" for i in range(len(grid))))
    cols = [Column(f"c{j}", Label(f"C{j}", f"C{j}")) for j in range(len(grid[0]))]
    counts = {(r.key, c.key): grid[i][j] for i, r in enumerate(rows) for j, c in enumerate(cols)}
    two_way = grid_table("grid", Label("Grid", "Gitter"), Label("Row", "Række"), rows, cols,
                         counts)
    months = _cats(*(f"m{i}" for i in range(len(series))))
    measures = measures_table(
        "series", Label("Series", "Serie"), Label("Month", "Måned"), months,
        (Column("n", Label("Count", "Antal")),
         Column("hours", Label("Hours", "Timer"), ValueKind.HOURS, base="n"),
         Column("share", Label("Share", "Andel"), ValueKind.SHARE, base="n")),
        {m.key: (series[i], hours[i], Share(*shares[i])) for i, m in enumerate(months)})
    grand = CellRef("grid", TOTAL, TOTAL)
    links = ((grand, CellRef("series", TOTAL, "n")),) if sum(series) == sum(map(sum, grid)) \
        else ()
    return Summary(
        filter=PERIOD, names=FilterNames(), generated_at=datetime(2026, 1, 5, 9, 30),
        tables=(two_way, measures),
        key_figures=(KeyFigure("total", Label("Total", "I alt"), ValueKind.COUNT, grand),
                     KeyFigure("hours", Label("Hours", "Timer"), ValueKind.HOURS,
                               CellRef("series", TOTAL, "hours"))),
        links=links,
    )


def test_small_counts_are_withheld_and_cannot_be_worked_out() -> None:
    summary = synthetic([[3, 10, 12], [20, 1, 30], [40, 50, 60]], [3, 9, 12, 7],
                        [1.5, 4.0, 8.25, 3.0], [(2, 3), (7, 9), (6, 12), (5, 7)])
    published = publish(summary)
    grid = published.table("grid")
    # One mark for every withheld figure: "<5" would itself say "1 to 4".
    assert grid.cell("r0", "c0").mark == ".." and grid.cell("r1", "c1").mark == ".."
    assert not grid.cell("r2", "c2").hidden and grid.cell("r2", "c2").value == 60
    found = attack(summary, published)
    assert found.withheld and not found.leaks, found
    series = published.table("series")
    assert series.cell("m0", "n").mark == ".."
    # Derived figures go with their counts: no hours and no share beside a hidden count.
    assert series.cell("m0", "hours").mark == ".." and series.cell("m0", "share").mark == ".."
    # A share whose complement is small would give the complement away (7 of 9: 2 not).
    assert series.cell("m1", "share").hidden
    assert series.cell("m2", "share").value == pytest.approx(0.5)


def test_random_tables_never_leak_a_hidden_count() -> None:
    """The linear-programming attacker (tests/unit/disclosure_attacker.py) on random
    grids whose total is also a month series' total: no withheld count known exactly,
    narrowed to fewer than 3 values, or shown to be 1-4."""
    rng = random.Random(20261125)
    for _ in range(40):
        rows, cols = rng.randint(2, 6), rng.randint(1, 4)
        grid = [[rng.choice([0, 1, 2, 3, 4, 5, 7, 9, 20, 60]) for _ in range(cols)]
                for _ in range(rows)]
        total = sum(map(sum, grid))
        # The month series adds up to the grid's total: the two tables share a figure.
        series = [total // 3, total // 3, total - 2 * (total // 3)]
        summary = synthetic(grid, series, [1.0] * 3, [(0, 0)] * 3)
        found = attack(summary, publish(summary))
        assert not found.leaks, (grid, found)


def test_a_figure_in_two_tables_is_hidden_in_both() -> None:
    summary = synthetic([[1, 2], [0, 1]], [2, 1, 1], [1.0] * 3, [(0, 0)] * 3)
    published = publish(summary)
    assert published.table("grid").cell(TOTAL, TOTAL).mark == ".."
    assert published.table("series").cell(TOTAL, "n").hidden
    assert published.figure("total").cell.hidden and published.figure("hours").cell.hidden


# -- the files ---------------------------------------------------------------------------


@pytest.fixture
def sample() -> tuple[Summary, PublishedSummary]:
    summary = synthetic([[3, 10, 12], [20, 1, 30], [40, 50, 1600]], [1400, 300, 66, 0],
                        [1234.5, 300.25, 40.0, 0.0], [(700, 1400), (150, 300), (30, 66), (0, 0)])
    return summary, publish(summary)


def test_xlsx_reopens_and_its_values_match_the_engine(sample: tuple[Summary, PublishedSummary]
                                                       ) -> None:
    summary, published = sample
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(published, organisation="Hus Øst",
                                                     language="da")))
    overview = book.worksheets[0]
    assert overview["A1"].value == "Aktivitetsopgørelse" and overview["A2"].value == "Hus Øst"
    grid = book["Gitter"]
    assert grid["A1"].value == "Gitter" and grid.freeze_panes == "B3"
    assert grid.cell(2, 2).font.bold and grid.cell(2, 2).value == "C0"
    assert grid.cell(3, 2).value == ".."  # r0/c0 = 3, withheld
    assert grid.cell(5, 4).value == summary.table("grid").value("r2", "c2") == 1600
    assert grid.cell(5, 4).number_format == "#,##0"
    series = book["Serie"]
    assert series.cell(3, 3).value == pytest.approx(1234.5)
    assert series.cell(3, 3).number_format == "#,##0.0"
    assert series.cell(3, 4).value == pytest.approx(0.5) and series.cell(3, 4).number_format == "0%"


def test_csv_round_trips_with_semicolons_bom_and_decimal_comma(
        sample: tuple[Summary, PublishedSummary]) -> None:
    _, published = sample
    data = to_csv(published, organisation="Hus Øst", language="da")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Aktivitetsopgørelse", "Hus Øst"]
    start = rows.index(["Serie"])
    assert rows[start + 1] == ["Måned", "Antal", "Timer", "Andel (%)"]
    assert rows[start + 2] == ["M0", "1400", "1234,5", "50"]  # a whole percent, as everywhere
    grid = rows[rows.index(["Gitter"]) + 2]
    assert grid[:2] == ["R0", ".."]


def test_pdf_holds_the_headline_figures(sample: tuple[Summary, PublishedSummary]) -> None:
    _, published = sample
    pdf = to_pdf(published, header=ReportHeader("Boligsocialt Hus Østerbro"), language="da")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Aktivitetsopgørelse" in text and "Boligsocialt Hus Østerbro" in text
    assert "1. januar 2025 – 31. december 2025" in text
    assert "1.766" in text  # the grand total, a key figure, with a Danish thousands dot
    assert "Side 1 af" in text


# -- the service: messages, atomic writes, audit, no personal data -----------------------

SECRETS = ("Zenobia", "Quartermaine", "0101901234", "hemmelig note om familien")


@pytest.fixture
def with_data(ctx: AppContext) -> AppContext:
    with ctx.write(None) as unit:
        session = unit.session
        channel = session.scalars(select(Channel.id)).first()
        for i in range(7):
            person = Person(first_name=SECRETS[0], last_name=f"{SECRETS[1]}{i}",
                            cpr=SECRETS[2], birth_date=date(1990, 1, 1), gender=Gender.FEMALE,
                            note=SECRETS[3])
            contact = Contact(occurred_at=datetime(2025, 3, 1 + i, 10), staff_user_id=1,
                              channel_id=channel, duration_minutes=30, note=SECRETS[3])
            session.add_all([person, contact])
            session.flush()
            session.execute(contact_people.insert().values(contact_id=contact.id,
                                                           person_id=person.id))
    return ctx


def test_exports_hold_no_names_cpr_or_notes_and_are_audited(with_data: AppContext,
                                                            tmp_path: Path) -> None:
    with with_data.read() as unit:
        before = unit.session.scalar(select(func.count()).select_from(AuditEntry))
    for fmt in ("xlsx", "csv", "pdf"):
        result = export_summary(with_data, PERIOD, fmt, tmp_path / f"report.{fmt}",
                                language="da")
        data = result.path.read_bytes()
        if fmt == "xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                               if n.endswith(".xml"))
        elif fmt == "pdf":
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        else:
            text = data.decode("utf-8-sig")
        assert "Kontakter" in text
        for secret in SECRETS:
            assert secret not in text, (fmt, secret)
    with with_data.read() as unit:
        entries = list(unit.session.scalars(select(AuditEntry).where(AuditEntry.id > before)))
    assert [e.action for e in entries] == [AuditAction.EXPORT] * 3
    # What was exported, never where: the path is free text that may name a person.
    assert "report" not in entries[-1].detail and "2025-01-01..2025-12-31" in entries[-1].detail


def test_period_ending_before_it_starts_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationFailed) as raised:
        validate_filter(SummaryFilter(date(2025, 5, 1), date(2025, 4, 30)))
    message = raised.value.field_messages_en()["date_to"]
    assert "2025-04-30" in message and "before it starts" in message
    # The screen shows the message in the UI language; Danish is the default, set here
    # because a test before this one may have switched it.
    previous = current_language()
    set_language("da")
    try:
        danish = raised.value.field_messages()["date_to"]
    finally:
        set_language(previous)
    assert "slutter" in danish and "før den begynder" in danish and "2025-04-30" in danish


def test_unwritable_or_missing_folder_gives_a_clear_message(
        with_data: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FolderMissing) as missing:
        export_summary(with_data, PERIOD, "csv", tmp_path / "nowhere" / "x.csv")
    assert str(tmp_path / "nowhere") in str(missing.value)
    locked = tmp_path / "locked"
    locked.mkdir()
    # The tests may run as root, who can write anywhere: refuse the way a read-only
    # share or a folder without rights does.
    monkeypatch.setattr(summary_export.os, "access", lambda *_: False)
    with pytest.raises(FolderNotWritable) as refused:
        export_summary(with_data, PERIOD, "csv", locked / "x.csv")
    assert "cannot be written to" in str(refused.value) and str(locked) in str(refused.value)
    assert list(locked.iterdir()) == []


def test_a_failed_export_leaves_an_existing_file_untouched(
        with_data: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "report.xlsx"
    target.write_bytes(b"last month's report")

    def broken_replace(*_: object) -> None:
        raise OSError(13, "The file is open in another program")

    monkeypatch.setattr(summary_export.os, "replace", broken_replace)
    with pytest.raises(ExportFailed) as failed:
        export_summary(with_data, PERIOD, "xlsx", target)
    assert "open in another program" in str(failed.value)
    assert target.read_bytes() == b"last month's report"
    assert [p.name for p in target.parent.iterdir()] == ["report.xlsx"]  # no temp file left


def test_nothing_to_export_is_a_clear_message(with_data: AppContext, tmp_path: Path) -> None:
    with pytest.raises(NothingToExport):
        export_summary(with_data, SummaryFilter(date(2010, 1, 1), date(2010, 12, 31)), "pdf",
                       tmp_path / "empty.pdf")
    assert not (tmp_path / "empty.pdf").exists()


def test_summary_command_writes_the_file(created_db: CreatedDb, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from boligsag.services.unlock import UnlockOptions, lock, unlock

    ctx = unlock(created_db.path, "admin", ADMIN_PASSWORD,
                 options=UnlockOptions(integrity_check=False))
    try:
        with_data_for(ctx)
    finally:
        lock(ctx)
    monkeypatch.setenv("BOLIGSAG_PASSWORD", ADMIN_PASSWORD)
    out = tmp_path / "board.csv"
    base = ["summary", str(created_db.path), "--out", str(out)]
    year = ["--from", "2025-01-01", "--to", "2025-12-31"]
    # The contacts have no area: the selection is empty, and says so.
    assert main([*base, *year, "--area", "Ærtebjerg Øst"]) == 1
    assert "nothing to export" in capsys.readouterr().err
    assert main([*base, *year, "--staff", "admin"]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main([*base, "--from", "2025-12-31", "--to", "2025-01-01"]) == 1
    assert "before it starts" in capsys.readouterr().err
    assert main([*base, *year, "--area", "Atlantis"]) == 1
    assert "Nothing is called Atlantis" in capsys.readouterr().err
    assert main([*base[:2], *year, "--out", str(tmp_path / "x.txt")]) == 2


def with_data_for(ctx: AppContext) -> None:
    with ctx.write(None) as unit:
        channel = unit.session.scalars(select(Channel.id)).first()
        unit.session.add_all([Contact(occurred_at=datetime(2025, 6, d, 10), staff_user_id=1,
                                      channel_id=channel, duration_minutes=15)
                              for d in range(1, 8)])


def test_only_roles_with_the_export_permission_may_export(with_data: AppContext,
                                                          tmp_path: Path) -> None:
    import dataclasses

    from boligsag.domain.enums import Role
    from boligsag.services.errors import PermissionDenied

    staff = dataclasses.replace(with_data,
                                actor=dataclasses.replace(with_data.actor, role=Role.STAFF))
    with pytest.raises(PermissionDenied):
        export_summary(staff, PERIOD, "csv", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
