"""A published summary as CSV for Danish Excel: ';' between fields, UTF-8 with a byte
order mark (without it Excel reads æøå as Latin-1), decimal comma, no thousands
separator (Excel would read "1.234" as a decimal number in some locales).

One file holds every table: a heading block saying what the figures cover, then each
table as its title, a header row, its rows and total, and its note, separated by empty
lines. Shares are percentages (the header says "%"), so Excel reads plain numbers.
Every number is rounded as on the screen and in the XLSX (``summaries.numbers``).
"""

from __future__ import annotations

import csv
import io

from boligsag.i18n import tr_in
from boligsag.summaries.model import ValueKind
from boligsag.summaries.numbers import shown_text
from boligsag.summaries.published import (
    SUPPRESSION_NOTE,
    Published,
    PublishedSummary,
    filter_lines,
    format_cell,
    generated_text,
)

BOM = "\ufeff"
DELIMITER = ";"


def to_csv(published: PublishedSummary, *, organisation: str, language: str) -> bytes:
    buffer = io.StringIO(newline="")
    # QUOTE_MINIMAL: a label with ';' or a quote is quoted; numbers never need it.
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([tr_in(language, "Activity report"), organisation])
    for label, value in filter_lines(published, language):
        writer.writerow([label, value])
    writer.writerow([tr_in(language, "Generated"), generated_text(published, language)])
    writer.writerow([SUPPRESSION_NOTE.text(language)])
    writer.writerow([])
    writer.writerow([tr_in(language, "Key figure"), tr_in(language, "Value")])
    for figure in published.key_figures:
        percent = " (%)" if figure.cell.kind is ValueKind.SHARE else ""
        writer.writerow([figure.label.text(language) + percent, _cell(figure.cell, language)])
    for table in published.tables:
        writer.writerow([])
        writer.writerow([table.title.text(language)])
        writer.writerow([table.row_heading.text(language), *(
            column.label.text(language) + (" (%)" if column.kind is ValueKind.SHARE else "")
            for column in table.columns)])
        rows = list(table.rows) + ([table.total] if table.total is not None else [])
        for row in rows:
            writer.writerow([row.label.text(language),
                             *(_cell(cell, language) for cell in row.cells)])
        if table.note is not None:
            writer.writerow([table.note.text(language)])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _cell(cell: Published, language: str) -> str:
    """Decimal comma whatever the report's language: the file is for Danish Excel. A
    share is its percentage as a plain number Excel can calculate with."""
    del language
    if cell.mark or cell.value is None:
        return format_cell(cell, "da")
    return shown_text(cell.value, cell.kind, "da", thousands=False)
