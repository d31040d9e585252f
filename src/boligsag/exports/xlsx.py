"""A published summary as an Excel workbook (openpyxl), built in memory.

The first sheet says what the figures cover (organisation, period, selection, when
made, the suppression rule) and holds the key figures; then one sheet per table with a
bold, frozen header row, so the team lead can sort, filter and chart in Excel. Counts,
hours and shares are real numbers, rounded as the other exports round them, with number
formats that show what they show (``summaries.numbers``); hidden figures are the text
"..", right-aligned like the numbers around them. Each sheet is named after its
table's title (``sheet_names``).
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from boligsag.i18n import tr_in
from boligsag.summaries.numbers import excel_format, excel_value
from boligsag.summaries.published import (
    SUPPRESSION_NOTE,
    Published,
    PublishedSummary,
    PublishedTable,
    filter_lines,
    generated_text,
)

from .sheet_names import sheet_name

HEADER_FILL = PatternFill("solid", fgColor="DCE6EC")
TOTAL_BORDER = Border(top=Side(style="thin", color="7F8C8D"))
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NOTE = Font(italic=True, color="555555")
RIGHT = Alignment(horizontal="right")
WRAP = Alignment(wrap_text=True, vertical="top")


def to_xlsx(published: PublishedSummary, *, organisation: str, language: str) -> bytes:
    workbook = Workbook()
    overview = workbook.active
    assert overview is not None
    overview.title = sheet_name(tr_in(language, "Overview"), language, set())
    _overview(overview, published, organisation, language)
    used = {overview.title}
    for table in published.tables:
        sheet = workbook.create_sheet(sheet_name(table.title.text(language), language, used))
        used.add(sheet.title)
        _table_sheet(sheet, table, language)
    workbook.properties.title = tr_in(language, "Activity report")
    workbook.properties.creator = "Boligsag"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _overview(sheet: Worksheet, published: PublishedSummary, organisation: str,
              language: str) -> None:
    sheet["A1"] = tr_in(language, "Activity report")
    sheet["A1"].font = TITLE
    sheet["A2"] = organisation
    row = 4
    for label, value in filter_lines(published, language):
        sheet.cell(row, 1, label).font = BOLD
        sheet.cell(row, 2, value)
        row += 1
    sheet.cell(row, 1, tr_in(language, "Generated")).font = BOLD
    sheet.cell(row, 2, generated_text(published, language))
    row += 1
    note = sheet.cell(row, 1, SUPPRESSION_NOTE.text(language))
    note.font = NOTE
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    note.alignment = WRAP
    sheet.row_dimensions[row].height = 30
    row += 2
    for col, text in enumerate((tr_in(language, "Key figure"), tr_in(language, "Value")), 1):
        cell = sheet.cell(row, col, text)
        cell.font, cell.fill = BOLD, HEADER_FILL
    for figure in published.key_figures:
        row += 1
        sheet.cell(row, 1, figure.label.text(language))
        _write(sheet.cell(row, 2), figure.cell)
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 60


HEADER_ROW = 2  # row 1 holds the table's full title


def _table_sheet(sheet: Worksheet, table: PublishedTable, language: str) -> None:
    sheet.cell(1, 1, table.title.text(language)).font = Font(bold=True, size=12)
    headings = [table.row_heading.text(language), *(c.label.text(language)
                                                      for c in table.columns)]
    for col, text in enumerate(headings, 1):
        cell = sheet.cell(HEADER_ROW, col, text)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom",
                                   horizontal="left" if col == 1 else "right")
    # Title, header row and the row labels stay in view while scrolling.
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 2)
    rows = list(table.rows) + ([table.total] if table.total is not None else [])
    for index, row in enumerate(rows, HEADER_ROW + 1):
        label = sheet.cell(index, 1, row.label.text(language))
        is_total = row is table.total
        if is_total:
            label.font, label.border = BOLD, TOTAL_BORDER
        for col, published in enumerate(row.cells, 2):
            cell = sheet.cell(index, col)
            _write(cell, published)
            if is_total:
                cell.font, cell.border = BOLD, TOTAL_BORDER
    if table.note is not None:
        sheet.cell(HEADER_ROW + len(rows) + 2, 1, table.note.text(language)).font = NOTE
    widths = [max([len(headings[0]), *(len(r.label.text(language)) for r in rows)]),
              *(len(h) for h in headings[1:])]
    for col, width in enumerate(widths, 1):
        limit = 48 if col == 1 else 16
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width, 8), limit) + 2
    # Long headings wrap within the capped width: give the header row room for it.
    lines = max([1, *(-(-len(h) // 16) for h in headings[1:])])
    sheet.row_dimensions[HEADER_ROW].height = 15 * min(lines, 4)


def _write(cell: object, published: Published) -> None:
    if published.mark:
        cell.value = published.mark  # type: ignore[attr-defined]
        cell.alignment = RIGHT  # type: ignore[attr-defined]
    elif published.value is not None:
        # The number the other exports show, and a format showing exactly that.
        value, kind = published.value, published.kind
        cell.value = excel_value(value, kind)  # type: ignore[attr-defined]
        cell.number_format = excel_format(value, kind)  # type: ignore[attr-defined]
