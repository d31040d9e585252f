"""A chart on a card: title, the chart, its legend, and a line saying what it does not
show.

The legend is ours, not QtCharts': a QLabel that wraps onto more lines, so the long
names of focus areas ("Sammenhængskraft og medborgerskab") are never cut off, as they
are in a one-row QLegend once a ten-year chart lists eight of them.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCharts import QAbstractBarSeries, QChart, QChartView
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QFrame, QLabel, QStackedWidget, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.ui.theme import SURFACE
from boligsag.ui.widgets import named

CHART_HEIGHT = 280
MIN_WIDTH = 400
PREFERRED_WIDTH = 480


def legend_entries(chart: QChart) -> list[tuple[str, str]]:
    """(name, colour) of every bar set, in drawing order."""
    entries = []
    for series in chart.series():
        if isinstance(series, QAbstractBarSeries):
            entries += [(bar_set.label(), bar_set.color().name()) for bar_set in series.barSets()]
    return entries


def legend_html(entries: list[tuple[str, str]]) -> str:
    """Swatch and name kept together (non-breaking spaces); lines break between them."""
    items = [f'<span style="color:{colour}; font-size:13pt;">&#9632;</span>&nbsp;'
             f'{escape(name).replace(" ", "&nbsp;")}' for name, colour in entries]
    return "&nbsp;&nbsp;&nbsp;&nbsp; ".join(items)


class ChartCard(QFrame):
    def __init__(self, object_name: str, title: str, parent: QWidget | None = None,
                 *, height: int = CHART_HEIGHT) -> None:
        super().__init__(parent)
        named(self, object_name, title)
        self.setProperty("role", "card")
        self.setMinimumWidth(MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(6)
        self.title = QLabel(title)
        self.title.setProperty("role", "cardTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.view = named(QChartView(), f"{object_name}View", title)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setBackgroundBrush(QColor(SURFACE))
        self.empty = QLabel(tr("Nothing to draw for this period and selection."))
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.stack.setFixedHeight(height)
        layout.addWidget(self.stack)
        self.legend = named(QLabel(), f"{object_name}Legend", tr("Legend"))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.legend.hide()
        layout.addWidget(self.legend)
        self.caption = QLabel()
        self.caption.setProperty("role", "small")
        self.caption.setWordWrap(True)
        self.caption.hide()
        layout.addWidget(self.caption)
        layout.addStretch(1)

    def preferred_width(self) -> int:
        return PREFERRED_WIDTH

    def set_title(self, title: str) -> None:
        self.title.setText(title)
        self.setAccessibleName(title)
        self.view.setAccessibleName(title)

    def set_chart(self, built: tuple[QChart, bool] | None, caption: str = "") -> None:
        """Show a chart from ``charts`` (chart, something withheld) or the empty text."""
        old = self.view.chart()
        if built is None:
            self.stack.setCurrentWidget(self.empty)
            self.legend.hide()
            self.caption.hide()
            return
        chart, withheld = built
        entries = legend_entries(chart) if chart.legend().isVisible() else []
        chart.legend().hide()
        self.view.setChart(chart)
        if old is not None and old is not chart:
            old.deleteLater()  # QChartView does not delete the chart it replaces
        self.stack.setCurrentWidget(self.view)
        self.legend.setText(legend_html(entries))
        self.legend.setAccessibleDescription(", ".join(name for name, _ in entries))
        self.legend.setVisible(bool(entries))
        text = caption or (tr("Figures withheld in the tables (..) are not drawn.")
                           if withheld else "")
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def chart(self) -> QChart | None:
        return self.view.chart() if self.stack.currentWidget() is self.view else None
