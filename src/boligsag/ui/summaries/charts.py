"""The screen's charts (QtCharts), drawn from the figures the screen shows.

For staff that is the published view: a withheld figure ("..") is drawn as no
bar, value labels are left off (a "0" would be wrong), and the card says so. The look
follows ``ui/theme.py``: white card, DejaVu Sans, muted axes, the PDF report's palette,
so the screen and the printed report read as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QAbstractAxis,
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QHorizontalBarSeries,
    QLegend,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPen

from boligsag.i18n import current_language, tr
from boligsag.services.summaries.tables import MONTH_NAMES_DA, MONTH_NAMES_EN
from boligsag.summaries.model import TOTAL, ValueKind
from boligsag.summaries.numbers import shown_number
from boligsag.summaries.published import Published, PublishedTable
from boligsag.ui.labels import ui_locale
from boligsag.ui.theme import (
    BORDER,
    GRIDLINE,
    MUTED,
    PRIMARY,
    SURFACE,
    TEXT,
    UI_FAMILY,
    scheme,
)

# The PDF report's palette; on the high-contrast look, light colours that stand out on
# black. Every bar also carries its number and the legend its name: colour is never the
# only way to tell two series apart.
if scheme().high_contrast:
    PALETTE: tuple[str, ...] = ("#ffff00", "#00ffff", "#8dff8d", "#ff9a9a", "#d9b3ff",
                                "#ffd27a", "#ffffff", "#80c0ff", "#ffa0e0", "#c8c8c8")
    GENDER_COLOURS: tuple[str, ...] = ("#00ffff", "#ffff00", "#c8c8c8")
else:
    PALETTE = ("#1f6e8c", "#e0a030", "#76a85a", "#b5574f", "#6d5ba8", "#4aa3c9", "#c4864f",
               "#8a9aa6", "#2f4858", "#d7c27a")
    GENDER_COLOURS = ("#1f6e8c", "#e0a030", "#aab4bb")
WITHHELD = "#c8ced3"
GRID = GRIDLINE
MAX_MONTH_BARS = 24  # beyond two years a bar per month is unreadable: a bar per year


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont(UI_FAMILY)
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _value(cell: Published) -> float:
    return float(cell.value) if cell.value is not None and not cell.mark else 0.0


def any_hidden(cells: Sequence[Published]) -> bool:
    return any(c.mark for c in cells)


def new_chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundBrush(QColor(SURFACE))
    chart.setBackgroundPen(QPen(Qt.PenStyle.NoPen))
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(2, 2, 2, 2))
    chart.setPlotAreaBackgroundVisible(False)
    chart.setLocale(ui_locale())
    chart.setLocalizeNumbers(True)
    legend = chart.legend()
    legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
    legend.setFont(_font(9))
    legend.setLabelColor(QColor(TEXT))
    legend.setMarkerShape(QLegend.MarkerShape.MarkerShapeRectangle)
    return chart


def _style_axis(axis: QAbstractAxis, title: str = "") -> None:
    axis.setLabelsFont(_font(8.5))
    axis.setLabelsColor(QColor(MUTED))
    axis.setLinePenColor(QColor(BORDER))
    axis.setGridLineColor(QColor(GRID))
    axis.setShadesVisible(False)
    if title:
        axis.setTitleText(title)
        axis.setTitleFont(_font(8.5))
        axis.setTitleBrush(QColor(MUTED))


def _bar_set(name: str, values: Sequence[float], colour: str) -> QBarSet:
    bar_set = QBarSet(name)
    bar_set.append([float(v) for v in values])
    bar_set.setColor(QColor(colour))
    bar_set.setBorderColor(QColor(colour))
    bar_set.setLabelColor(QColor(TEXT))
    bar_set.setLabelFont(_font(8.5, bold=True))
    return bar_set


def _value_axis(top: float, *, percent: bool = False) -> QValueAxis:
    axis = QValueAxis()
    _style_axis(axis)
    axis.setLabelFormat("%.0f %" if percent else "%.0f")  # localised: "1.234", "50 %"
    if percent:
        # Room above 100 % for a bar's label; ticks stay on the quarters.
        axis.setRange(0, 112)
        axis.setTickType(QValueAxis.TickType.TicksDynamic)
        axis.setTickAnchor(0)
        axis.setTickInterval(25)
    else:
        axis.setRange(0, max(top, 4.0) * 1.08)
        axis.applyNiceNumbers()
    return axis


def _attach(chart: QChart, series: QAbstractBarSeries, categories: Sequence[str],
            values: QValueAxis, *, horizontal: bool = False, category_title: str = "") -> None:
    chart.addSeries(series)
    axis = QBarCategoryAxis()
    axis.append(list(categories))
    _style_axis(axis, category_title)
    axis.setGridLineVisible(False)
    axis.setTruncateLabels(False)
    category_side, value_side = ((Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignBottom)
                                 if horizontal else
                                 (Qt.AlignmentFlag.AlignBottom, Qt.AlignmentFlag.AlignLeft))
    chart.addAxis(axis, category_side)
    chart.addAxis(values, value_side)
    series.attachAxis(axis)
    series.attachAxis(values)


# -- contacts per month by focus area ----------------------------------------------------


def _month_label(key: str, one_year: bool) -> str:
    year, month = int(key[:4]), int(key[5:7])
    names = MONTH_NAMES_DA if current_language() == "da" else MONTH_NAMES_EN
    return names[month - 1] if one_year else f"{names[month - 1]} {year % 100:02d}"


def stacked_months(table: PublishedTable) -> tuple[QChart, bool] | None:
    """Contacts per month (per year, for long periods), stacked by focus area; the
    withheld parts of a period in grey up to its published total. Returns the chart and
    whether anything was withheld, or None when there is nothing to draw."""
    columns = [(i, c) for i, c in enumerate(table.columns) if c.key != TOTAL]
    total_at = next((i for i, c in enumerate(table.columns) if c.key == TOTAL), None)
    if not table.rows:
        return None
    by_year = len(table.rows) > MAX_MONTH_BARS
    one_year = len({row.key[:4] for row in table.rows}) == 1
    periods: list[str] = []
    series_values = [[] for _ in columns] + [[]]  # the last: withheld
    for row in table.rows:
        period = row.key[:4] if by_year else _month_label(row.key, one_year)
        if not periods or periods[-1] != period:
            periods.append(period)
            for values in series_values:
                values.append(0.0)
        shown = 0.0
        for n, (index, _column) in enumerate(columns):
            value = _value(row.cells[index])
            series_values[n][-1] += value
            shown += value
        total = _value(row.cells[total_at]) if total_at is not None else shown
        series_values[-1][-1] += max(0.0, total - shown)
    if not any(any(values) for values in series_values):
        return None
    chart = new_chart()
    series = QStackedBarSeries()
    series.setBarWidth(0.72)
    for n, (_index, column) in enumerate(columns):
        if any(series_values[n]):
            series.append(_bar_set(column.label.text(), series_values[n],
                                   PALETTE[n % len(PALETTE)]))
    withheld = any(series_values[-1])
    if withheld:
        series.append(_bar_set(tr("Withheld (..)"), series_values[-1], WITHHELD))
    totals = [sum(values[i] for values in series_values) for i in range(len(periods))]
    title = tr("Year") if by_year else (table.rows[0].key[:4] if one_year else "")
    _attach(chart, series, periods, _value_axis(max(totals)), category_title=title)
    return chart, withheld


# -- participants by age group and gender ------------------------------------------------


def short_age(label: str) -> str:
    """"14–17 år" → "14–17": the axis title says it is age in years."""
    if not label[:1].isdigit():
        return tr("Unknown")  # "Alder ukendt" is too long for a bar
    for suffix in (" år", " years"):
        if label.endswith(suffix):
            return label[: -len(suffix)]
    return label.replace("65 år og derover", "65+").replace("65 years and over", "65+")


def age_gender(table: PublishedTable) -> tuple[QChart, bool] | None:
    columns = [(i, c) for i, c in enumerate(table.columns) if c.key != TOTAL]
    cells = [row.cells[i] for row in table.rows for i, _ in columns]
    if not table.rows or not any(_value(c) for c in cells):
        return None
    chart = new_chart()
    series = QBarSeries()
    series.setBarWidth(0.8)
    top = 0.0
    for n, (index, column) in enumerate(columns):
        values = [_value(row.cells[index]) for row in table.rows]
        column_cells = [row.cells[index] for row in table.rows]
        if not any(values) and not any_hidden(column_cells):
            continue  # e.g. no one registered as "other": no empty legend entry
        series.append(_bar_set(column.label.text(), values, GENDER_COLOURS[n % 3]))
        top = max(top, *values)
    hidden = any_hidden(cells)
    series.setLabelsVisible(not hidden and len(table.rows) <= 8)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value")
    _attach(chart, series, [short_age(row.label.text()) for row in table.rows],
            _value_axis(top), category_title=tr("Age (years)"))
    return chart, hidden


# -- one bar per row: the referral funnel and job retention ------------------------------


def funnel(table: PublishedTable) -> tuple[QChart, bool] | None:
    """Created → sent → received → first meeting → loop closed, top to bottom."""
    cells = [row.cells[0] for row in table.rows]
    if not cells or not any(_value(c) for c in cells):
        return None
    chart = new_chart()
    chart.legend().hide()
    series = QHorizontalBarSeries()
    series.setBarWidth(0.62)
    labels = [row.label.text() for row in table.rows]
    series.append(_bar_set(table.columns[0].label.text(),
                           list(reversed([_value(c) for c in cells])), PRIMARY))
    hidden = any_hidden(cells)
    series.setLabelsVisible(not hidden)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value")
    values = _value_axis(max(_value(c) for c in cells) * 1.12)
    _attach(chart, series, list(reversed(labels)), values, horizontal=True)
    return chart, hidden


def retention(table: PublishedTable) -> tuple[QChart, bool] | None:
    """The share still employed at the 3, 6 and 12-month follow-ups."""
    share_at = next((i for i, c in enumerate(table.columns) if c.key == "share"), None)
    if share_at is None or not table.rows:
        return None
    cells = [row.cells[share_at] for row in table.rows]
    if all(c.value is None and not c.mark for c in cells):
        return None  # nothing was answered in the period
    chart = new_chart()
    chart.legend().hide()
    series = QBarSeries()
    series.setBarWidth(0.5)
    # The percentages the table beside it shows (rounded half up, as every export).
    percents = [int(shown_number(_value(c), ValueKind.SHARE)) for c in cells]
    series.append(_bar_set(table.columns[share_at].label.text(), percents, PRIMARY))
    hidden = any_hidden(cells)
    series.setLabelsVisible(not hidden)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    series.setLabelsFormat("@value %")
    months = [tr("{months} months", months=row.key) if row.key.isdigit()
              else row.label.text() for row in table.rows]
    _attach(chart, series, months, _value_axis(100, percent=True),
            category_title=tr("Follow-up after"))
    return chart, hidden
