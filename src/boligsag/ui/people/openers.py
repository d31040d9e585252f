"""Open the record behind a timeline item, in the dialog that shows it.

contact → the contact dialog (edit); job → JobDialog; referral → its details;
consent → its details; enrollment → the enrollment dialog; session → the session
sheet. What the dialog needs is read off the GUI thread first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from boligsag.services.activities import activity_choices, get_activity
from boligsag.services.context import AppContext
from boligsag.services.enrollments import get_enrollment
from boligsag.services.jobs import get_job
from boligsag.services.people_queries import session_place
from boligsag.services.timeline import TimelineItem
from boligsag.ui.activities.enroll_dialogs import EnrollDialog
from boligsag.ui.activities.session_dialog import SessionDialog
from boligsag.ui.background import run_in_background
from boligsag.ui.consents.details import ConsentDetailsDialog
from boligsag.ui.contacts import open_contact
from boligsag.ui.errors import show_error
from boligsag.ui.events import AppEvents
from boligsag.ui.jobs import JobDialog
from boligsag.ui.referrals.details_dialog import ReferralDetailsDialog


class RecordOpener:
    """Holds the context; ``open(item)`` shows the record. ``last`` is the dialog
    opened most recently (for tests and for closing on person change)."""

    def __init__(self, parent: QWidget, ctx: AppContext, events: AppEvents) -> None:
        self.parent, self.ctx, self.events = parent, ctx, events
        self.last: QDialog | None = None

    def open(self, item: TimelineItem, person_id: int) -> None:
        kind, record_id, ctx = item.record_type, item.record_id, self.ctx
        if kind == "contact":  # another person on it may be a restricted case: its purpose
            open_contact(self.parent, ctx, self.events, record_id, self._opened)
        elif kind == "job":
            self._then(lambda: get_job(ctx, record_id),
                       lambda job: self._job(person_id, job))
        elif kind == "referral":
            self._show(ReferralDetailsDialog(ctx, self.events, record_id, self.parent))
        elif kind == "consent":
            self._then(lambda: record_id, self._consent)
        elif kind == "enrollment":
            def load() -> tuple[Any, Any, Any]:
                enrollment = get_enrollment(ctx, record_id)
                return (get_activity(ctx, enrollment.activity_id), activity_choices(ctx),
                        enrollment)

            self._then(load, lambda found: self._enrollment(*found))
        elif kind == "session":
            self._then(lambda: session_place(ctx, record_id), self._session)

    def _opened(self, dialog: QDialog | None) -> None:
        if dialog is not None:
            self.last = dialog

    def _then(self, work: Callable[[], Any], show: Callable[[Any], Any]) -> None:
        def shown(result: Any) -> None:
            dialog = show(result)
            if isinstance(dialog, QDialog):
                self.last = dialog

        run_in_background(self.parent, lambda _task: work(), on_success=shown,
                          on_failure=lambda error: show_error(self.parent, error))

    def _show(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.last = dialog
        return dialog

    def _job(self, person_id: int, job: Any) -> QDialog:
        return self._show(JobDialog(self.ctx, self.events, person_id, job, self.parent))

    def _consent(self, consent_id: int) -> QDialog:
        return self._show(ConsentDetailsDialog(self.ctx, consent_id, self.parent,
                                               events=self.events))

    def _enrollment(self, activity: Any, choices: Any, enrollment: Any) -> QDialog:
        return self._show(EnrollDialog(self.ctx, self.events, activity, choices, enrollment,
                                       self.parent))

    def _session(self, place: Any) -> QDialog:
        return self._show(SessionDialog(self.ctx, self.events, place.activity_id, place.on,
                                        self.parent))
