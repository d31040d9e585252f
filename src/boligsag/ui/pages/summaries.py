"""Opgørelser: what the team did in a period, for the board, the municipality and
Landsbyggefonden.

Pick a period and a selection, press Beregn (or Enter): the summary is computed off the
GUI thread (a new computation cancels the one running) and shown as key-figure tiles,
charts and tables. Team leads and administrators see exact figures, drill down from any
number to the records behind it, and export XLSX, CSV and PDF; staff see the published
figures, with small counts withheld exactly as in the exports (the service withholds
them: the page shows what ``compute_summary`` returns). A team lead's "Vis som i
eksporten" asks the service for the published figures only then, in the background
(``SummaryPublisher``), since most never look at them and publishing takes a while.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.formatting import time_text
from boligsag.i18n import current_language, tr
from boligsag.services.changes import Changes
from boligsag.services.context import AppContext
from boligsag.services.summaries import SummaryCancelled, compute_summary
from boligsag.services.summaries.choices import FilterChoices, load_filter_choices
from boligsag.services.summaries.export import ExportFormat
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import CellRef, Summary
from boligsag.summaries.published import PublishedSummary, period_text
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.elide import ElidedLabel
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.reloader import Reloader
from boligsag.ui.summaries.drill_dialog import DrillDownDialog
from boligsag.ui.summaries.export import SummaryExporter, export_button
from boligsag.ui.summaries.filter_bar import SummaryFilterBar
from boligsag.ui.summaries.publishing import SummaryPublisher
from boligsag.ui.summaries.results import SummaryResults
from boligsag.ui.summaries.task_strip import TaskStrip
from boligsag.ui.summaries.view import shown
from boligsag.ui.theme import WARNING
from boligsag.ui.widgets import EmptyState, PageHeader, make_action, named

from .base import Page


class SummariesPage(Page):
    page_id = "summaries"
    icon_name = "chart"
    permission = Permission.VIEW_SUMMARIES

    #: A person to open, from a drill-down list. The main window connects every page's
    #: ``person_requested`` to its ``open_person``, which shows the person's page.
    person_requested = Signal(int)
    #: A summary was computed and is shown (tests and the status bar wait for it).
    computed = Signal(object)
    #: The published figures of the summary arrived and are shown (tests wait for it).
    published_shown = Signal(object)

    @classmethod
    def title(cls) -> str:
        return tr("Summaries")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.can_drill = ctx.actor.can(Permission.DRILL_DOWN)
        self.can_export = ctx.actor.can(Permission.EXPORT)
        self.summary: Summary | None = None
        # What the results show now: (summary, its published figures or None).
        self._on_screen: tuple[Summary, PublishedSummary | None] | None = None
        self.compute_task: BackgroundTask | None = None
        self.choices: FilterChoices | None = None
        self.drill_dialog: DrillDownDialog | None = None
        self._generation = 0
        # Any change may touch a figure: shown, the page recomputes; hidden, once when shown.
        self.reloader = Reloader(self, events, None, start=self._reload)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(10)
        top = QHBoxLayout()
        top.addWidget(PageHeader(self.title(), tr(
            "Participants, sessions, contacts, referrals and job outcomes per period.")), 1)
        self.export_buttons: dict[ExportFormat, QPushButton] = {}
        if self.can_export:
            for fmt in ExportFormat:
                button = export_button(fmt)
                button.clicked.connect(lambda _c=False, f=fmt: self.export(f))
                button.setEnabled(False)
                top.addWidget(button)
                self.export_buttons[fmt] = button
        layout.addLayout(top)

        self.filters = SummaryFilterBar(ctx.today)
        self.filters.compute_requested.connect(self.compute)
        self.filters.edited.connect(self._update_hints)
        layout.addWidget(self.filters)

        status = QHBoxLayout()
        status.setSpacing(16)
        self.info = named(ElidedLabel(), "summaryInfo", tr("What the figures cover"))
        self.info.setProperty("role", "muted")
        self.hint = named(QLabel(tr("The filters have changed: press Compute to update the "
                                    "figures.")), "filtersChangedHint", tr("Filters changed"))
        self.hint.setStyleSheet(f"color: {WARNING};")
        self.hint.hide()
        self.compute_strip = TaskStrip("computeProgress", tr("Computing the summary"))
        self.export_strip = TaskStrip("exportProgress", tr("Exporting the summary"))
        self.publish_strip = TaskStrip("publishProgress", tr("Preparing the published figures"))
        self.published_check = named(QCheckBox(tr("Show as published (..)")),
                                     "showPublishedCheck", tr("Show as published"))
        self.published_check.setToolTip(tr("Show the figures as the exports show them, with "
                                           "small counts withheld"))
        if not self.can_drill:  # not setVisible(True): without a parent yet, a window
            self.published_check.hide()
        self.published_check.toggled.connect(lambda _on: self._show())
        # As tall as a strip, so the tabs below don't jump when one shows or hides.
        self.info.setMinimumHeight(self.publish_strip.sizeHint().height())
        status.addWidget(self.info, 1)
        status.addWidget(self.hint)
        status.addWidget(self.compute_strip)
        status.addWidget(self.export_strip)
        status.addWidget(self.publish_strip)
        status.addWidget(self.published_check)
        layout.addLayout(status)

        self.stack = named(QStackedWidget(), "summaryStack", tr("Summary"))
        self.intro = self._empty("summaryIntro", tr("Choose a period and press Compute"), tr(
            "Pick a quick period such as This year, or your own dates, and narrow the "
            "selection to a plan, an area, a focus area, an activity or a staff member if "
            "you wish. The figures appear here with charts, ready for the board."))
        self.nothing = self._empty("summaryNothing", tr("Nothing was registered"), tr(
            "No contacts, sessions, referrals or jobs were registered in this period for "
            "this selection. Choose another period or fewer filters."))
        self.results = SummaryResults()
        self.results.drill_requested.connect(self.drill_down)
        for widget in (self.intro, self.nothing, self.results):
            self.stack.addWidget(widget)
        layout.addWidget(self.stack, 1)

        self.exporter = SummaryExporter(ctx, self, self.export_strip)
        self.exporter.started.connect(self._update_hints)
        self.exporter.finished.connect(lambda _r: self._update_hints())
        self.publisher = SummaryPublisher(ctx, self, self.publish_strip)
        self.publisher.ready.connect(self._published_ready)
        self.publisher.failed.connect(self._publish_failed)
        self.publisher.cancelled.connect(lambda: self.published_check.setChecked(False))
        self._build_actions()

    def _empty(self, object_name: str, heading: str, text: str) -> QWidget:
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.setContentsMargins(0, 12, 0, 0)
        state = EmptyState(heading, text)
        state.setObjectName(object_name)
        box.addWidget(state)
        box.addStretch(1)
        return holder

    def _build_actions(self) -> None:
        self.action_compute = make_action(
            self, "actionComputeSummary", tr("&Compute"), shortcut="Ctrl+Return",
            triggered=self.filters.request_compute,
            tip=tr("Compute the figures for the period and selection"))
        self.action_cancel = make_action(
            self, "actionCancelSummary", tr("Cancel the computation"),
            triggered=self.cancel_compute)
        self.action_cancel.setEnabled(False)
        self.addAction(self.action_compute)
        self.addAction(self.action_cancel)
        self.export_actions: dict[ExportFormat, QAction] = {}
        if self.can_export:
            for fmt, name in ((ExportFormat.XLSX, "actionExportXlsx"),
                              (ExportFormat.CSV, "actionExportCsv"),
                              (ExportFormat.PDF, "actionExportPdf")):
                action = make_action(self, name, tr("Export as {format}…", format=fmt.name),
                                     triggered=lambda f=fmt: self.export(f))
                action.setEnabled(False)
                self.addAction(action)
                self.export_actions[fmt] = action

    # -- reloading ----------------------------------------------------------------------

    def _reload(self, _changes: Changes | None) -> None:
        """Reload the choices, and recompute the summary on screen, since it was
        computed from data that has changed."""
        self._load_choices()
        if self.summary is not None:
            self.compute(self.summary.filter, stale=True)

    def _load_choices(self) -> None:
        run_in_background(self, lambda _t: load_filter_choices(self.ctx),
                          on_success=self._choices_loaded,
                          on_failure=lambda e: self.info.setText(error_text(e)))

    def _choices_loaded(self, choices: FilterChoices) -> None:
        self.choices = choices
        self.filters.set_choices(choices)

    # -- computing ----------------------------------------------------------------------

    def compute(self, summary_filter: SummaryFilter, *, stale: bool = False) -> None:
        """Compute in the background; a computation already running is cancelled."""
        if self.compute_task is not None:
            self.compute_task.cancel()
        self._generation += 1
        generation = self._generation
        ctx = self.ctx

        def work(task: BackgroundTask) -> Summary:
            # A staff member's summary arrives withheld and is shown as it is; a team
            # lead's is exact, published only if the published view is asked for.
            return compute_summary(
                ctx, summary_filter, cancelled=task.is_cancelled,
                progress=lambda _stage, fraction: task.report(int(fraction * 1000), 1000))

        self.compute_strip.start(tr("Updating the figures…") if stale
                                 else tr("Computing the summary…"), self.cancel_compute)
        self.action_cancel.setEnabled(True)
        self.compute_task = run_in_background(
            self, work,
            on_success=lambda result: self._computed(generation, result),
            on_failure=lambda error: self._failed(generation, error),
            on_progress=lambda done, total, _s: self._progress(generation, done, total))

    def cancel_compute(self) -> None:
        if self.compute_task is not None:
            self.compute_task.cancel()

    def _progress(self, generation: int, done: int, total: int) -> None:
        if generation == self._generation:
            self.compute_strip.progress(done, total)

    def _finished(self) -> None:
        self.compute_task = None
        self.compute_strip.finish()
        self.action_cancel.setEnabled(False)

    def _computed(self, generation: int, summary: Summary) -> None:
        if generation != self._generation:
            return  # an older computation that finished before it saw its cancel
        self._finished()
        self.summary = summary
        self._show()
        self.computed.emit(self.summary)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._finished()
        if isinstance(error, SummaryCancelled):
            self.info.setText(tr("The computation was cancelled.") if self.summary is None
                              else self.info.text())
            return
        self.info.setText(error_text(error))

    # -- showing ------------------------------------------------------------------------

    @property
    def showing_exact(self) -> bool:
        return self.can_drill and not self.published_check.isChecked()

    @property
    def published(self) -> PublishedSummary | None:
        """The published figures of the summary on screen, once the service made them."""
        return None if self.summary is None else self.publisher.published_for(self.summary)

    def _show(self) -> None:
        summary = self.summary
        if summary is None:
            return
        # A team lead's exact summary waits for its published figures: until they come,
        # the exact ones stay on screen, greyed out and without drill-down.
        waiting = not self.showing_exact and summary.exact and not summary.is_empty \
            and self.published is None
        if waiting:
            self.publisher.request(summary)
        else:
            self.publisher.stop_waiting()
        if summary.is_empty:
            self.stack.setCurrentWidget(self.nothing)
        else:
            published = None if self.showing_exact or waiting else self.published
            if self._on_screen is None or self._on_screen[0] is not summary \
                    or self._on_screen[1] is not published:
                self.results.show_summary(shown(summary, published), drillable=self.can_drill)
                self._on_screen = (summary, published)
            self.results.setEnabled(not waiting)
            self.stack.setCurrentWidget(self.results)
        language = current_language()
        parts = [period_text(summary.filter, language)]
        names = summary.names
        for chosen in (names.plans, names.areas,
                       names.focus_areas_da if language == "da" else names.focus_areas_en,
                       names.activities, names.staff):
            if chosen:
                parts.append(", ".join(chosen))
        parts.append(tr("computed at {time}", time=time_text(summary.generated_at)))
        if not self.showing_exact:
            parts.append(tr("withheld figures are shown as .."))
        self.info.setText(" · ".join(parts))
        self._update_hints()

    def _published_ready(self, summary: Summary) -> None:
        if summary is self.summary and not self.showing_exact:
            self._show()
            self.published_shown.emit(self.published)

    def _publish_failed(self, error: BaseException) -> None:
        self.published_check.setChecked(False)  # back to the exact figures
        self.info.setText(error_text(error))

    def _update_hints(self) -> None:
        summary = self.summary
        has_figures = summary is not None and not summary.is_empty
        for fmt, button in self.export_buttons.items():
            enabled = has_figures and not self.exporter.running
            button.setEnabled(enabled)
            self.export_actions[fmt].setEnabled(enabled)
        changed = summary is not None and self.filters.current_filter() != summary.filter
        self.hint.setVisible(changed and self.compute_task is None)

    # -- drill-down and export ----------------------------------------------------------

    def drill_down(self, ref: CellRef, what: str) -> DrillDownDialog | None:
        if not self.can_drill or self.summary is None or not self.showing_exact:
            return None
        if self.drill_dialog is not None and shiboken6.isValid(self.drill_dialog):
            self.drill_dialog.close()  # one list at a time
        dialog = DrillDownDialog(self.ctx, self.summary.filter, ref, what, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_person.connect(self.person_requested.emit)
        # Not modal: the team lead opens a person from the list, reads, comes back to it.
        dialog.setModal(False)
        dialog.show()
        self.drill_dialog = dialog
        return dialog

    def export(self, fmt: ExportFormat) -> None:
        if not self.can_export or self.summary is None or self.exporter.running:
            return
        self.exporter.export(self.summary.filter, fmt)
