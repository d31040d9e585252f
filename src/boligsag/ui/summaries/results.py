"""The results: tabs in the order of a board report. Overview (key figures and the
contacts chart), then participants, contacts, activities, referrals and jobs, each with
its chart beside or above its tables. Cards are built once and refilled for every new
summary, so the tab and scroll position stay where the team lead left them."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QGridLayout, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.ui.theme import BORDER, MUTED, PRIMARY, TEXT
from boligsag.ui.widgets import named

from . import charts
from .chart_card import CHART_HEIGHT, ChartCard
from .tables import TableCard
from .tiles import KeyFigureTiles
from .view import Shown

# (tab object name, tables: a tuple of keys is a row of cards side by side)
TABS: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = (
    ("overview", ()),
    ("participants", (("participants_chart", "participants"), ("participants_per_month",))),
    ("contacts", (("contacts_chart",), ("contacts_by_channel", "contacts_by_focus_area"),
                  ("contacts_per_month", "anonymous_contacts"), ("contacts_by_topic",),
                  ("contacts_per_month_by_focus_area",))),
    ("activities", (("activities",), ("enrollments_ended", "drop_in"),
                    ("activities_per_month",))),
    ("referrals", (("funnel_chart", "referral_flow"), ("referrals_by_service",),
                   ("referrals_by_status",), ("referrals_per_month", "concerns"))),
    ("jobs", (("retention_chart", "job_follow_ups"), ("jobs",), ("jobs_per_month",))),
)

STYLE = f"""
QTabWidget#summaryTabs::pane {{ border: none; border-top: 1px solid {BORDER}; top: -1px; }}
QTabWidget#summaryTabs > QTabBar::tab {{ background: transparent; border: none;
    border-bottom: 3px solid transparent; padding: 7px 16px 6px 16px; margin-right: 2px;
    color: {MUTED}; font-weight: bold; }}
QTabWidget#summaryTabs > QTabBar::tab:selected {{ color: {PRIMARY};
    border-bottom-color: {PRIMARY}; }}
QTabWidget#summaryTabs > QTabBar::tab:hover:!selected {{ color: {TEXT}; }}
"""


def tab_title(name: str) -> str:
    return {
        "overview": tr("Overview"),
        "participants": tr("Participants"),
        "contacts": tr("Contacts"),
        "activities": tr("Activities"),
        "referrals": tr("Referrals"),
        "jobs": tr("Jobs"),
    }[name]


def _chart_title(key: str) -> str:
    return {
        "overview_chart": tr("Contacts per month by focus area"),
        "contacts_chart": tr("Contacts per month by focus area"),
        "participants_chart": tr("Participants by age group and gender"),
        "funnel_chart": tr("From referral to closed loop"),
        "retention_chart": tr("Young people still in a job at follow-up"),
    }[key]


class CardRow(QWidget):
    """Cards side by side when the width allows all of them in full, else one under
    the other: a table is never squeezed into scroll bars to keep a layout."""

    SPACING = 14

    def __init__(self, cards: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cards = cards
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(self.SPACING)
        self.side_by_side: bool | None = None
        self._arrange(True)

    def _needed(self) -> int:
        shown = [c for c in self.cards if not c.isHidden()]
        widths = [max(getattr(c, "preferred_width", lambda: 0)(), c.minimumSizeHint().width())
                  for c in shown]
        return sum(widths) + self.SPACING * max(len(shown) - 1, 0)

    def _arrange(self, side_by_side: bool) -> None:
        if side_by_side == self.side_by_side:
            return
        self.side_by_side = side_by_side
        for card in self.cards:
            self.grid.removeWidget(card)
        for column in range(self.grid.columnCount()):
            self.grid.setColumnStretch(column, 0)
        for n, card in enumerate(self.cards):
            row, column = (0, n) if side_by_side else (n, 0)
            self.grid.addWidget(card, row, column, Qt.AlignmentFlag.AlignTop)
            self.grid.setColumnStretch(column, 1)

    def minimumSizeHint(self) -> QSize:
        widest = max((c.minimumSizeHint().width() for c in self.cards), default=0)
        return QSize(widest, super().minimumSizeHint().height())

    def rearrange(self) -> None:
        self._arrange(self.width() >= self._needed())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.rearrange()


class SummaryResults(QTabWidget):
    drill_requested = Signal(object, str)  # CellRef, what it is

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "summaryTabs", tr("Summary sections"))
        self.setDocumentMode(True)
        self.setStyleSheet(STYLE)
        self.tables: dict[str, TableCard] = {}
        self.charts: dict[str, ChartCard] = {}
        self.tiles: KeyFigureTiles  # on the overview tab
        # The tabs are built one per turn of the event loop, from the next one on (the
        # page shows its introduction until a summary is computed): all at once, with
        # the page, kept the GUI thread busy for over 100 ms. Anything that needs them
        # all (a summary to show, a tab to open) builds the rest first (ensure_built).
        self._unbuilt = list(TABS)
        QTimer.singleShot(0, self, self._build_later)

    def _build_tab(self) -> None:
        name, rows = self._unbuilt.pop(0)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(1, 12, 12, 12)
        layout.setSpacing(14)
        if name == "overview":
            self.tiles = KeyFigureTiles()
            self.tiles.drill_requested.connect(self.drill_requested.emit)
            layout.addWidget(self.tiles)
            layout.addWidget(self._chart("overview_chart", height=250))
        for keys in rows:
            layout.addWidget(CardRow([self._card(key) for key in keys]))
        layout.addStretch(1)
        scroll = named(QScrollArea(), f"summaryTab_{name}", tab_title(name))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(page)
        self.addTab(scroll, tab_title(name))

    def _build_later(self) -> None:
        if self._unbuilt:
            self._build_tab()
            QTimer.singleShot(0, self, self._build_later)

    def ensure_built(self) -> None:
        while self._unbuilt:
            self._build_tab()

    def _chart(self, key: str, height: int = CHART_HEIGHT) -> ChartCard:
        card = ChartCard(f"chart_{key}", _chart_title(key), height=height)
        self.charts[key] = card
        return card

    def _card(self, key: str) -> QWidget:
        if key.endswith("_chart"):
            return self._chart(key)
        card = TableCard(key)
        card.view.drill_requested.connect(self.drill_requested.emit)
        self.tables[key] = card
        return card

    def show_tab(self, name: str) -> None:
        self.ensure_built()
        for index, (tab, _rows) in enumerate(TABS):
            if tab == name:
                self.setCurrentIndex(index)

    def show_summary(self, shown: Shown, *, drillable: bool) -> None:
        self.ensure_built()
        drill = drillable and shown.exact
        self.tiles.show_figures(shown, drillable=drill)
        for key, card in self.tables.items():
            card.set_table(shown.table(key), drillable=drill)
        by_month = shown.table("contacts_per_month_by_focus_area")
        grey = tr("Withheld figures are shown together in grey, up to the month's total.")
        by_year = by_month is not None and len(by_month.rows) > charts.MAX_MONTH_BARS
        for key in ("overview_chart", "contacts_chart"):
            built = charts.stacked_months(by_month) if by_month is not None else None
            self.charts[key].set_title(tr("Contacts per year by focus area") if by_year
                                       else _chart_title(key))
            self.charts[key].set_chart(built, grey if built and built[1] else "")
        people = shown.table("participants")
        self.charts["participants_chart"].set_chart(
            charts.age_gender(people) if people is not None else None)
        flow = shown.table("referral_flow")
        self.charts["funnel_chart"].set_chart(charts.funnel(flow) if flow is not None else None)
        follow_ups = shown.table("job_follow_ups")
        self.charts["retention_chart"].set_chart(
            charts.retention(follow_ups) if follow_ups is not None else None)
        for row in self.findChildren(CardRow):
            row.rearrange()  # new figures, new widths
