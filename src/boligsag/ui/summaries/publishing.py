"""The published view of a team lead's summary ("Vis som i eksporten"), fetched only
when asked: the summary service publishes (``publish_summary``) on a background thread
while the strip says so, and the result is kept for that summary, so turning the view
off and on again shows it at once. A new summary on screen makes the old publication
worthless: its result is dropped when it arrives."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.summaries import publish_summary
from boligsag.summaries.model import Summary
from boligsag.summaries.published import PublishedSummary
from boligsag.ui.background import BackgroundTask, run_in_background

from .task_strip import TaskStrip


class SummaryPublisher(QObject):
    #: The published figures of the summary last requested have arrived (the summary).
    ready = Signal(object)
    #: Publishing the summary last requested failed (the exception).
    failed = Signal(object)
    #: The user pressed Cancel in the strip: they no longer want to wait.
    cancelled = Signal()

    def __init__(self, ctx: AppContext, parent: QObject, strip: TaskStrip) -> None:
        super().__init__(parent)
        self.ctx, self.strip = ctx, strip
        self.summary: Summary | None = None  # the summary of `published` or of `task`
        self.published: PublishedSummary | None = None
        self.task: BackgroundTask | None = None

    def published_for(self, summary: Summary) -> PublishedSummary | None:
        """The published figures of ``summary`` if they are ready, else None."""
        return self.published if summary is self.summary else None

    def request(self, summary: Summary) -> None:
        """Publish ``summary`` in the background (unless that is done or under way) and
        show the strip until it is ready."""
        if self.published_for(summary) is not None:
            return
        if summary is not self.summary or self.task is None:
            self.summary, self.published = summary, None
            ctx = self.ctx

            def work(_task: BackgroundTask) -> PublishedSummary:
                return publish_summary(ctx, summary)

            self.task = run_in_background(
                self, work, on_success=lambda result: self._done(summary, result),
                on_failure=lambda error: self._failed(summary, error))
        if not self.strip.running:
            self.strip.start(tr("Preparing the published figures…"),
                             self._cancel, busy=True)

    def stop_waiting(self) -> None:
        """Hide the strip: nobody waits for the figures now. A publication under way
        still finishes and is kept, since turning the view on again is likely."""
        self.strip.finish()

    def _cancel(self) -> None:
        # Publishing cannot be interrupted half-way; it finishes unseen and is kept.
        self.strip.finish()
        self.cancelled.emit()

    def _done(self, summary: Summary, published: PublishedSummary) -> None:
        if summary is not self.summary:
            return  # published for a summary no longer on screen
        self.task, self.published = None, published
        self.strip.finish()
        self.ready.emit(summary)

    def _failed(self, summary: Summary, error: BaseException) -> None:
        if summary is not self.summary:
            return
        self.task, self.summary = None, None
        self.strip.finish()
        self.failed.emit(error)
