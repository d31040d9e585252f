"""The report's charts (reportlab.graphics), drawn from *published* figures only.

A hidden figure ("..") is drawn as no bar at all, and the chart says so: a chart
must never show what the table beside it hides.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from boligsag.documents import fonts
from boligsag.summaries.model import TOTAL
from boligsag.summaries.published import Published, PublishedTable, format_cell

from .report_page import INK, MUTED

GRID = colors.HexColor("#d9dee2")
PALETTE = [colors.HexColor(c) for c in (
    "#1f6f8b", "#e0a030", "#8cb33e", "#b5483f", "#6d5ba8", "#4aa3c9", "#c4864f", "#9aa5ad")]
WITHHELD = colors.HexColor("#c8ced3")
GENDER_COLOURS = [colors.HexColor("#1f6f8b"), colors.HexColor("#e0a030"),
                  colors.HexColor("#aab4bb")]


def _value(cell: Published) -> float:
    return float(cell.value) if cell.value is not None and not cell.mark else 0.0


def _style_axes(chart: VerticalBarChart | HorizontalBarChart, language: str,
                size: float = 7) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = fonts.REGULAR
        axis.labels.fontSize = size
        axis.labels.fillColor = INK
        axis.strokeColor = GRID
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.valueAxis.forceZero = True
    chart.categoryAxis.visibleTicks = False
    separator = "." if language == "da" else ","
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}".replace(",", separator)


def _legend(drawing: Drawing, x: float, y: float, items: Sequence[tuple[colors.Color, str]],
            columns: int) -> None:
    """Swatches with names in ``columns`` columns, top-left at (x, y)."""
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName, legend.fontSize = fonts.REGULAR, 7
    legend.fillColor = INK
    legend.columnMaximum = max(1, -(-len(items) // columns))
    legend.dx, legend.dy = 7, 7
    legend.deltax, legend.deltay = min((drawing.width - x) / columns, 62 * mm), 9
    legend.strokeWidth = 0
    legend.colorNamePairs = list(items)
    drawing.add(legend)


def stacked_months(table: PublishedTable, width: float, language: str,
                   withheld_label: str) -> Drawing:
    """Contacts per month by focus area: one stacked bar per month."""
    columns = [c for c in table.columns if c.key != TOTAL]
    total_index = next((i for i, c in enumerate(table.columns) if c.key == TOTAL), None)
    series = [[_value(row.cells[i]) for row in table.rows] for i in range(len(columns))]
    # A month's withheld segments are drawn together in grey up to the month's total:
    # the table shows that total and the visible cells, so their difference reveals
    # nothing new, and the bar keeps its true height instead of a misleading gap.
    withheld = []
    for index, row in enumerate(table.rows):
        total = row.cells[total_index] if total_index is not None else None
        shown = sum(values[index] for values in series)
        withheld.append(max(0.0, _value(total) - shown) if total is not None else 0.0)
    names = [c.label.text(language) for c in columns]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(columns))]
    if any(withheld):
        series.append(withheld)
        names.append(withheld_label)
        colours.append(WITHHELD)
    # Room under the axis for the legend: two columns of 9 pt rows (a ten-year period
    # lists the focus areas of both plan periods).
    legend_height = -(-len(names) // 2) * 9 + 4
    height = 62 * mm + legend_height
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, legend_height + 9 * mm
    chart.width, chart.height = width - 12 * mm, height - chart.y - 4 * mm
    chart.data = [values or [0.0] for values in series] or [[0.0]]
    chart.categoryAxis.style = "stacked"
    months = [row.label.text(language) for row in table.rows]
    step = 1 if len(months) <= 14 else 3 if len(months) <= 36 else 12
    chart.categoryAxis.categoryNames = [m if i % step == 0 else "" for i, m in enumerate(months)]
    chart.barSpacing = 0
    chart.groupSpacing = 2 if len(months) <= 36 else 0.5
    for i, colour in enumerate(colours):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    _style_axes(chart, language)
    drawing.add(chart)
    _legend(drawing, 10 * mm, legend_height, list(zip(colours, names, strict=True)), columns=2)
    return drawing


def grouped_age_gender(table: PublishedTable, width: float, language: str) -> Drawing:
    """Participants by age group, one bar per gender."""
    height = 62 * mm
    drawing = Drawing(width, height)
    columns = [c for c in table.columns if c.key != TOTAL]
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 16 * mm
    chart.width, chart.height = width - 12 * mm, height - 20 * mm
    chart.data = [[_value(row.cells[i]) for row in table.rows] or [0.0]
                  for i in range(len(columns))]
    chart.categoryAxis.categoryNames = [_short_age(row.label.text(language))
                                        for row in table.rows]
    chart.barSpacing = 0.5
    chart.groupSpacing = 6
    for i in range(len(columns)):
        chart.bars[i].fillColor = GENDER_COLOURS[i % len(GENDER_COLOURS)]
        chart.bars[i].strokeColor = None
    _style_axes(chart, language)
    drawing.add(chart)
    _legend(drawing, 10 * mm, 5 * mm,
            [(GENDER_COLOURS[i % 3], c.label.text(language)) for i, c in enumerate(columns)],
            columns=3)
    return drawing


def _short_age(label: str) -> str:
    """"14–17 år" → "14–17": the axis says it is age."""
    for suffix in (" år", " years"):
        if label.endswith(suffix):
            return label[: -len(suffix)]
    return label.replace("65 år og derover", "65+").replace("65 years and over", "65+")


def horizontal_bars(labels: Sequence[str], cells: Sequence[Published], width: float,
                    language: str, *, percent: bool = False,
                    colour: colors.Color = PALETTE[0]) -> Drawing:
    """One horizontal bar per row, its published value written beside it; used for
    the referral flow (created → closed) and job retention (share still employed)."""
    bar_height = 7 * mm
    height = len(labels) * bar_height + 10 * mm
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    label_room = 42 * mm
    chart.x, chart.y = label_room, 6 * mm
    chart.width, chart.height = width - label_room - 22 * mm, height - 10 * mm
    values = [_value(c) for c in cells] or [0.0]
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(labels))
    chart.bars[0].fillColor = colour
    chart.bars[0].strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = 3
    _style_axes(chart, language, 7.5)
    chart.valueAxis.valueMin = 0
    if percent:
        chart.valueAxis.valueMax = 1
        chart.valueAxis.valueStep = 0.25
        chart.valueAxis.labelTextFormat = lambda v: f"{v:.0%}".replace("%", " %")
    elif max(values) <= 0:
        chart.valueAxis.valueMax = 5
    drawing.add(chart)
    top = max(values) if not percent else 1.0
    for index, cell in enumerate(reversed(list(cells))):
        value = _value(cell)
        y = chart.y + (index + 0.5) * chart.height / len(cells) - 2.5
        x = chart.x + (value / top if top else 0) * chart.width + 3
        text = format_cell(cell, language) or "–"
        drawing.add(String(x, y, text, fontName=fonts.BOLD, fontSize=7.5, fillColor=INK))
    return drawing


def caption(text: str, width: float) -> Drawing:
    drawing = Drawing(width, 5 * mm)
    drawing.add(String(0, 1.5 * mm, text, fontName=fonts.ITALIC, fontSize=7, fillColor=MUTED))
    return drawing
