"""The contacts page's filters: period, channel, only mine, anonymous. Each change
emits ``changed`` with a fresh ``ContactFilters``; the query runs in SQL."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QWidget

from boligsag.i18n import tr
from boligsag.services.casework_common import Choice
from boligsag.services.contacts import ContactFilters
from boligsag.services.context import AppContext
from boligsag.ui.flow_layout import FlowLayout
from boligsag.ui.widgets import named

PERIODS = ("7", "30", "year", "last_year", "all")
ANONYMOUS = ("all", "people", "anonymous")


def period_label(code: str) -> str:
    return {
        "7": tr("Last 7 days"),
        "30": tr("Last 30 days"),
        "year": tr("This year"),
        "last_year": tr("Last year"),
        "all": tr("All periods"),
    }[code]


def period_range(code: str, today: date) -> tuple[date | None, date | None]:
    if code == "7":
        return today - timedelta(days=6), None
    if code == "30":
        return today - timedelta(days=29), None
    if code == "year":
        return date(today.year, 1, 1), None
    if code == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return None, None


class ContactFilterBar(QWidget):
    changed = Signal(object)  # ContactFilters

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        named(self, "contactFilterBar", tr("Filters"))
        # Wraps to a second line when a large font or display scaling leaves too little
        # width, instead of pushing the window past the screen.
        row = FlowLayout(self, spacing=10)
        row.setContentsMargins(0, 0, 0, 0)
        self.period = named(QComboBox(), "contactPeriodCombo", tr("Period"))
        for code in PERIODS:
            self.period.addItem(period_label(code), code)
        self.period.setCurrentIndex(PERIODS.index("30"))
        self.channel = named(QComboBox(), "contactChannelCombo", tr("Channel"))
        self.channel.addItem(tr("All channels"), None)
        self.anonymous = named(QComboBox(), "contactAnonymousCombo", tr("Anonymous contacts"))
        for code, text in zip(ANONYMOUS, (tr("With and without people"), tr("With people"),
                                          tr("Anonymous only")), strict=True):
            self.anonymous.addItem(text, code)
        self.only_mine = named(QCheckBox(tr("Only mine")), "contactOnlyMineCheck",
                               tr("Only contacts I logged"))
        self.only_mine.setToolTip(tr("Only contacts you logged"))
        shown = QLabel(tr("Show"))
        shown.setProperty("role", "muted")
        row.addWidget(shown)
        for widget in (self.period, self.channel, self.anonymous):
            # Room for its longest choice when the window has it; never so wide that
            # the English bar pushes the window past a 1366-pixel screen.
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            widget.setMinimumWidth(150)
            row.addWidget(widget)
            widget.currentIndexChanged.connect(lambda _i: self.changed.emit(self.filters()))
        row.addWidget(self.only_mine)
        self.only_mine.toggled.connect(lambda _on: self.changed.emit(self.filters()))

    def set_channels(self, channels: tuple[Choice, ...]) -> None:
        if self.channel.count() > 1:
            return
        self.channel.blockSignals(True)
        for choice in channels:
            self.channel.addItem(choice.label, choice.code)
        self.channel.blockSignals(False)

    def filters(self) -> ContactFilters:
        start, end = period_range(self.period.currentData(), self.ctx.today())
        anonymous = {"all": None, "people": False, "anonymous": True}[
            self.anonymous.currentData()]
        return ContactFilters(
            staff_user_id=self.ctx.actor.user_id if self.only_mine.isChecked() else None,
            channel=self.channel.currentData(), anonymous=anonymous,
            date_from=start, date_to=end)
