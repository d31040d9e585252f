"""The figures a team lead exports from the Opgørelser screen say the same everywhere:
CSV and XLSX show the same numbers (one rounding, half up; a share a whole percent),
and each XLSX sheet is named after what its table is by."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pytestqt.qtbot import QtBot

from boligsag.exports.sheet_names import FORBIDDEN, MAX_LENGTH
from boligsag.exports.xlsx import to_xlsx
from boligsag.i18n import tr_in
from boligsag.summaries.model import ValueKind
from boligsag.summaries.published import Published, format_cell
from boligsag.ui import file_dialogs
from boligsag.ui.pages.summaries import SummariesPage

from . import test_summaries_support as support
from .helpers import click
from .test_summaries_export import FakeDialog
from .test_summaries_support import COMPUTE_TIMEOUT, compute_last_year, show_published

lead_ctx = support.lead_ctx
lead_page = support.lead_page
summary_demo = support.summary_demo

# Every table's sheet, in both languages: shortened only where the title is longer than
# Excel's 31 characters, and never losing what the table is by.
SHEETS = {
    "da": {
        "activities": "Aktiviteter",
        "enrollments_ended": "Afsluttede forløb efter årsag",
        "drop_in": "Drop-in-besøg pr. alder og køn",
        "activities_per_month": "Aktiviteter pr. måned",
        "contacts_by_channel": "Kontakter pr. kanal",
        "contacts_by_focus_area": "Kontakter pr. indsatsområde",
        "contacts_by_topic": "Kontakter pr. emne",
        "anonymous_contacts": "Anonyme kontakter (alder, køn)",
        "contacts_per_month": "Kontakter pr. måned",
        "contacts_per_month_by_focus_area": "Kontakter (md., indsatsområde)",
        "jobs": "Lommepengejob og fritidsjob",
        "job_follow_ups": "Stadig i job ved opfølgning",
        "jobs_per_month": "Påbegyndte job pr. måned",
        "participants": "Deltagere pr. alder og køn",
        "participants_per_month": "Deltagere pr. måned",
        "referrals_by_status": "Henvisninger (tjeneste, status)",
        "referrals_by_service": "Brobygningsresultat (tjeneste)",
        "referral_flow": "Brobygningsforløb",
        "referrals_per_month": "Henvisninger pr. måned",
        "concerns": "Underretninger",
    },
    "en": {
        "activities": "Activities",
        "enrollments_ended": "Enrollments ended, by reason",
        "drop_in": "Drop-in visits (age, gender)",
        "activities_per_month": "Activities per month",
        "contacts_by_channel": "Contacts by channel",
        "contacts_by_focus_area": "Contacts by focus area",
        "contacts_by_topic": "Contacts by topic",
        "anonymous_contacts": "Anon. contacts (age, gender)",
        "contacts_per_month": "Contacts per month",
        "contacts_per_month_by_focus_area": "Contacts (month, focus area)",
        "jobs": "Pocket-money and leisure jobs",
        "job_follow_ups": "Still employed at follow-up",
        "jobs_per_month": "Jobs started per month",
        "participants": "Participants by age and gender",
        "participants_per_month": "Participants per month",
        "referrals_by_status": "Referrals by service and status",
        "referrals_by_service": "Referral outcomes by service",
        "referral_flow": "Referral flow",
        "referrals_per_month": "Referrals per month",
        "concerns": "Notifications of concern",
    },
}


def export(qtbot: QtBot, page: SummariesPage, button: str, target: Path,
           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_dialogs, "run_save_dialog", FakeDialog(target))
    with qtbot.waitSignal(page.exporter.finished, timeout=COMPUTE_TIMEOUT) as done:
        click(qtbot, page, button)
    assert done.args[0] is not None and target.is_file()


def excel_text(value: object, number_format: str) -> str:
    """What Danish Excel shows for a cell (without a thousands separator, as the CSV):
    Excel rounds a half up, from the value's 15 significant digits."""
    if value is None or isinstance(value, str):
        return value or ""
    percent = number_format.endswith("%")
    number = Decimal(f"{float(value) * (100 if percent else 1):.15g}")
    if number_format == "General":
        text = f"{number.normalize():f}"
    else:
        places = len(number_format.rstrip("%").partition(".")[2])
        text = f"{number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):f}"
    return text.replace(".", ",")


def csv_tables(data: bytes) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each table of the CSV by its title: (header, rows with the total)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    tables = {}
    for i in range(1, len(rows) - 2):
        if rows[i - 1] == [] and len(rows[i]) == 1:
            body = []
            for row in rows[i + 2:]:
                if len(row) < 2:  # an empty line or the table's note
                    break
                body.append(row)
            tables[rows[i][0]] = (rows[i + 1], body)
    return tables


def sheet_rows(sheet: Worksheet) -> list[list[tuple[object, str]]]:
    """(value, number format) of every cell of the table's rows (title and header off)."""
    out = []
    for row in sheet.iter_rows(min_row=3):
        if row[0].value is None:
            break
        out.append([(cell.value, cell.number_format) for cell in row])
    return out


def test_csv_and_xlsx_show_the_same_numbers(qtbot: QtBot, lead_page: SummariesPage,
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    export(qtbot, lead_page, "exportCsvButton", tmp_path / "tal.csv", monkeypatch)
    export(qtbot, lead_page, "exportXlsxButton", tmp_path / "tal.xlsx", monkeypatch)
    tables = csv_tables((tmp_path / "tal.csv").read_bytes())
    workbook = load_workbook(tmp_path / "tal.xlsx")
    compared = {"numbers": 0, "shares": 0, "decimals": 0}
    for sheet in workbook.worksheets[1:]:
        header, rows = tables[str(sheet["A1"].value)]
        cells = sheet_rows(sheet)
        assert [row[0] for row in rows] == [row[0][0] for row in cells], sheet.title
        for csv_row, xlsx_row in zip(rows, cells, strict=True):
            for heading, text, (value, number_format) in zip(
                    header[1:], csv_row[1:], xlsx_row[1:], strict=True):
                where = (sheet.title, csv_row[0], heading)
                assert excel_text(value, number_format) == text, where
                # A share is a percentage in both: "(%)" in the CSV's heading.
                is_share = number_format.endswith("%")
                assert heading.endswith("(%)") == is_share or not isinstance(
                    value, (int, float)), where
                if isinstance(value, (int, float)):
                    compared["numbers"] += 1
                    compared["shares"] += is_share
                    compared["decimals"] += "," in text
    assert compared["numbers"] > 300 and compared["shares"] >= 3 and compared["decimals"] > 20

    # The key figures: the CSV's block under "Nøgletal" and the XLSX's first sheet.
    rows = list(csv.reader(io.StringIO((tmp_path / "tal.csv").read_bytes().decode(
        "utf-8-sig")), delimiter=";"))
    start = rows.index([tr_in("da", "Key figure"), tr_in("da", "Value")]) + 1
    in_csv = {label.removesuffix(" (%)"): text for label, text in rows[start:rows.index([], start)]}
    overview = workbook.worksheets[0]
    in_xlsx = {row[0].value: excel_text(row[1].value, row[1].number_format)
               for row in overview.iter_rows(min_row=1) if row[0].value in in_csv}
    assert len(in_csv) > 15 and in_xlsx == in_csv


def test_a_half_is_rounded_up_on_the_screen_and_in_every_export() -> None:
    hours, share = Published(44.25, ValueKind.HOURS), Published(0.705, ValueKind.SHARE)
    assert format_cell(hours, "da") == "44,3" and format_cell(hours, "en") == "44.3"
    assert format_cell(share, "da") == "71 %" and format_cell(share, "en") == "71%"
    assert format_cell(Published(12.5, ValueKind.DAYS), "da") == "12,5"
    assert format_cell(Published(12.0, ValueKind.DAYS), "da") == "12"


def test_every_sheet_is_named_after_what_its_table_is_by(
        qtbot: QtBot, lead_page: SummariesPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    compute_last_year(qtbot, lead_page)
    show_published(qtbot, lead_page)  # the publication the workbook holds, in its order
    export(qtbot, lead_page, "exportXlsxButton", tmp_path / "ark.xlsx", monkeypatch)
    published = lead_page.published
    assert published is not None
    keys = [table.key for table in published.tables]
    workbooks = {"da": load_workbook(tmp_path / "ark.xlsx"),
                 "en": load_workbook(io.BytesIO(to_xlsx(published, organisation="Hus Øst",
                                                        language="en")))}
    for language, workbook in workbooks.items():
        names = workbook.sheetnames
        assert names[1:] == [SHEETS[language][key] for key in keys], language
        assert len({n.casefold() for n in names}) == len(names)
        for name in names:
            assert len(name) <= MAX_LENGTH and name.translate(FORBIDDEN) == name, name
