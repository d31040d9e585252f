"""The start page's compact "Mine sager": the first few of my cases, most urgent first,
and a link to the whole page. The same table as the page (Enter opens a row)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.my_cases import MyCaseRow, my_cases
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.reloader import Reloader
from boligsag.ui.widgets import named

from .my_cases import RELOAD_ON, MyCasesTable

SHOWN = 5


class MyCasesCard(QFrame):
    person_requested = Signal(int)
    activity_requested = Signal(int)
    show_all = Signal()

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded = False
        named(self, "myCasesCard", tr("My cases"))
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 18)
        layout.setSpacing(8)
        top = QHBoxLayout()
        overline = QLabel(tr("My cases").upper())
        overline.setProperty("role", "overline")
        self.all_button = named(QPushButton(tr("Show all")), "myCasesShowAllButton",
                                tr("Show all my cases"))
        self.all_button.setProperty("role", "link")
        self.all_button.setAutoDefault(False)
        self.all_button.setToolTip(tr("The page Mine sager"))
        self.all_button.clicked.connect(self.show_all.emit)
        top.addWidget(overline, 1)
        top.addWidget(self.all_button)
        layout.addLayout(top)
        self.summary = named(QLabel(tr("Loading…")), "myCasesCardSummary", tr("Status"))
        self.summary.setProperty("role", "muted")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = MyCasesTable(ctx, events, "myCasesCardTable")
        self.table.person_requested.connect(self.person_requested.emit)
        self.table.activity_requested.connect(self.activity_requested.emit)
        layout.addWidget(self.table)
        self.table.hide()
        # "Overdue" depends on the day: shown again on a later day, the card reloads.
        self.reloader = Reloader(self, events, RELOAD_ON,
                                 loader=lambda: partial(my_cases, ctx), apply=self._show,
                                 failed=self._failed, today=ctx.today)

    def _show(self, rows: list[MyCaseRow]) -> None:
        self.loaded = True
        shown = rows[:SHOWN]
        self.table.show_rows(shown)
        overdue = sum(1 for r in rows if r.overdue)
        if not rows:
            self.summary.setText(tr("You are not responsible for any person, activity or "
                                    "referral yet."))
        elif overdue:
            self.summary.setText(tr("{count} in all, {overdue} overdue", count=len(rows),
                                    overdue=overdue))
        else:
            self.summary.setText(tr("{count} in all, nothing overdue", count=len(rows)))
        self.all_button.setText(tr("Show all ({count})", count=len(rows)) if rows
                                else tr("Show all"))
        self.table.setVisible(bool(shown))
        header = self.table.horizontalHeader().height() if shown else 0
        self.table.setFixedHeight(header + len(shown) * self.table.verticalHeader()
                                  .defaultSectionSize() + 2 * self.table.frameWidth())

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(error_text(error))
