"""A person's page inside Personer: who they are, their household, and tabs with the
timeline of everything about them, their jobs and their consents.

Loaded off the GUI thread (``person_page``: the view is recorded in the audit log);
refreshed when ``events.changed`` says something it shows has changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.access_purpose import PurposeRequired
from boligsag.services.casework_common import PersonRef
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.indsigt import render_indsigt_report
from boligsag.services.people_queries import PersonPage, person_page
from boligsag.services.reminders import SubjectKind
from boligsag.services.timeline import TimelineItem
from boligsag.ui.consents.dialog import ConsentDialog
from boligsag.ui.consents.panel import ConsentsPanel
from boligsag.ui.contacts import open_quick_log
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.flow_layout import FlowLayout
from boligsag.ui.jobs import JobsPanel
from boligsag.ui.letters.opener import open_letter_preview
from boligsag.ui.purpose_dialog import PurposeDialog, case_purpose
from boligsag.ui.referrals.new_dialog import NewReferralDialog
from boligsag.ui.reloader import Reloader
from boligsag.ui.reminders.dialog import ReminderSubject, RemindMeDialog
from boligsag.ui.theme import BORDER, MUTED, PRIMARY, TEXT
from boligsag.ui.widgets import named

from .header import HouseholdCard, PersonCard
from .household_dialog import HouseholdDialog
from .openers import RecordOpener
from .person_delete import PersonToDelete, ask_delete_person
from .person_dialog import PersonDialog
from .timeline import TimelineView

_PAGE = frozenset({Entity.PEOPLE, Entity.HOUSEHOLDS})
_TIMELINE = frozenset({Entity.TIMELINE, Entity.CONTACTS, Entity.JOBS, Entity.ENROLLMENTS,
                       Entity.SESSIONS, Entity.REFERRALS, Entity.CONSENTS})


TAB_STYLE = f"""
QTabWidget::pane {{ border: none; border-top: 1px solid {BORDER}; padding-top: 10px; }}
QTabBar::tab {{ background: transparent; border: none; padding: 8px 18px 7px 18px;
               color: {MUTED}; font-weight: bold; margin-right: 4px; }}
QTabBar::tab:selected {{ color: {PRIMARY}; border-bottom: 3px solid {PRIMARY}; }}
QTabBar::tab:hover:!selected {{ color: {TEXT}; }}
"""


class PersonView(QWidget):
    back_requested = Signal()
    open_person = Signal(int)
    deleted = Signal(str)  # the name of the person just deleted
    loaded = Signal(object)  # PersonPage

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.person_id: int | None = None
        self.page: PersonPage | None = None
        self._focus_on_load = False
        self.jobs: JobsPanel | None = None
        self.consents: ConsentsPanel | None = None
        self.opener = RecordOpener(self, ctx, events)
        self.dialog: QDialog | None = None
        named(self, "personView", tr("Person"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)

        top = QHBoxLayout()
        top.setSpacing(8)
        self.back_button = named(QPushButton(tr("← All people")), "backToPeopleButton",
                                 tr("Back to the people list"))
        self.back_button.setProperty("role", "link")
        self.back_button.setToolTip(tr("Back to the list (Esc)"))
        self.back_button.clicked.connect(self.back_requested.emit)
        top.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        # The buttons wrap to a second line, right-aligned, when a large font or display
        # scaling leaves too little width for one (else the window outgrows the screen).
        actions = named(QWidget(), "personActions", tr("Actions"))
        flow = FlowLayout(actions, spacing=8, align_right=True)
        flow.setContentsMargins(0, 0, 0, 0)
        top.addWidget(actions, 1)
        self.buttons: dict[str, QPushButton] = {}
        can = ctx.actor.can
        for key, text, tip, allowed in (
                ("log", tr("Log contact"), tr("Log a contact with this person (Ctrl+L)"),
                 can(Permission.LOG_CONTACTS)),
                ("consent", tr("New consent"), tr("Record a written consent"),
                 can(Permission.MANAGE_CONSENTS)),
                ("referral", tr("New referral"), tr("Refer to a municipal service"),
                 can(Permission.MANAGE_REFERRALS)),
                ("edit", tr("Edit person"), tr("Correct the person's details (Ctrl+E)"),
                 can(Permission.EDIT_PEOPLE)),
                ("remind", tr("Remind me…"), tr("A reminder for you on the start page, on "
                                                "the day you choose"), True),
                ("indsigt", tr("Access report…"),
                 tr("Everything Boligsag holds about the person, as a PDF to print or save "
                    "(the right of access)"),
                 can(Permission.VIEW_AUDIT) and can(Permission.PRINT_LETTERS)),
                ("delete", tr("Delete person…"), tr("Only for a person registered by mistake"),
                 can(Permission.EDIT_PEOPLE))):
            button = named(QPushButton(text), f"person_{key}Button", text)
            button.setToolTip(tip)
            button.setAutoDefault(False)
            if not allowed:  # not setVisible(True): without a parent yet, a window
                button.hide()
            if key == "log":
                button.setProperty("role", "primary")
            if key == "delete":  # set apart from the everyday actions
                gap = QWidget()
                gap.setFixedWidth(4)
                if not allowed:  # as the button, never setVisible(True) before a parent
                    gap.hide()
                flow.addWidget(gap)
            self.buttons[key] = button
            flow.addWidget(button)
        self.buttons["log"].clicked.connect(self.log_contact)
        self.buttons["consent"].clicked.connect(self.new_consent)
        self.buttons["referral"].clicked.connect(self.new_referral)
        self.buttons["edit"].clicked.connect(self.edit_person)
        self.buttons["remind"].clicked.connect(self.remind_me)
        self.buttons["indsigt"].clicked.connect(self.show_indsigt)
        self.buttons["delete"].clicked.connect(self.delete_person)
        layout.addLayout(top)

        self.status = named(QLabel(tr("Loading…")), "personStatus", tr("Status"))
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        cards = QHBoxLayout()
        cards.setSpacing(14)
        self.card = PersonCard()
        self.household = HouseholdCard()
        self.household.open_person.connect(self.open_person.emit)
        self.household.edit_button.clicked.connect(self.edit_household)
        self.household.edit_button.setEnabled(can(Permission.EDIT_PEOPLE))
        cards.addWidget(self.card, 3)
        cards.addWidget(self.household, 2)
        layout.addLayout(cards)

        self.tabs = named(QTabWidget(), "personTabs", tr("About the person"))
        self.tabs.setDocumentMode(True)
        self.tabs.setStyleSheet(TAB_STYLE)
        self.timeline = TimelineView(ctx)
        self.timeline.item_activated.connect(self.open_item)
        self.tabs.addTab(self.timeline, tr("Timeline"))
        layout.addWidget(self.tabs, 1)
        for widget in (self.card, self.household, self.tabs):
            widget.hide()
        self.reloader = Reloader(self, events, _PAGE, loader=self._loader, apply=self._show,
                                 failed=self._failed)
        self.timeline_reloader = Reloader(self.timeline, events, _TIMELINE,
                                          start=lambda _changes: self.timeline.reload())

    # -- loading --------------------------------------------------------------------------

    def show_person(self, person_id: int) -> None:
        self._focus_on_load = True
        if person_id != self.person_id:
            self.page = None
            self.status.setText(tr("Loading…"))
            self.status.show()
            self._replace_panels(person_id)
            self.tabs.setCurrentIndex(0)
        self.person_id = person_id
        self.reloader.reload()
        self.timeline.show_person(person_id)
        self.timeline_reloader.reload()

    def _loader(self) -> Callable[[], PersonPage] | None:
        return None if self.person_id is None else partial(person_page, self.ctx,
                                                             self.person_id)

    def _show(self, page: PersonPage) -> None:
        self.page = page
        self.status.hide()
        self.card.show_detail(page.detail)
        self.household.show_page(page)
        for widget in (self.card, self.household, self.tabs):
            widget.show()
        if self._focus_on_load:  # ↑↓ through the history, Enter opens an item
            self._focus_on_load = False
            self.timeline.list.setFocus()
        self.loaded.emit(page)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, PurposeRequired) and error.person_id == self.person_id:
            self._ask_purpose(error)
        self.status.setText(error_text(error))
        self.status.show()
        if self.page is None:
            for widget in (self.card, self.household, self.tabs):
                widget.hide()

    def _replace_panels(self, person_id: int) -> None:
        """The jobs and consents panels are built for one person each."""
        for panel in (self.jobs, self.consents):
            if panel is not None:
                self.tabs.removeTab(self.tabs.indexOf(panel))
                panel.deleteLater()
        self.jobs = self.consents = None
        self.jobs = JobsPanel(self.ctx, self.events, person_id, self.tabs)
        self.tabs.addTab(self.jobs, tr("Jobs"))
        self.consents = ConsentsPanel(self.ctx, self.events, person_id, self.tabs)
        self.tabs.addTab(self.consents, tr("Consents"))

    # -- commands -------------------------------------------------------------------------

    def person_ref(self) -> PersonRef | None:
        if self.page is None:
            return None
        return PersonRef(self.page.detail.person.id, self.page.detail.person.full_name)

    def _ask_purpose(self, error: PurposeRequired) -> None:
        """Someone else's restricted case: ask why, then load it; Cancel goes back."""
        if (isinstance(self.dialog, PurposeDialog) and shiboken6.isValid(self.dialog)
                and self.dialog.isVisible()):  # the page and its timeline both asked
            return
        dialog = case_purpose(self.ctx, error.person_id, error.name, self)
        dialog.given.connect(lambda _none: self.show_person(error.person_id))
        dialog.rejected.connect(self.back_requested.emit)
        self._open(dialog)

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog = dialog
        return dialog

    def log_contact(self) -> None:
        person = self.person_ref()
        if person is not None:
            self.dialog = open_quick_log(self, self.ctx, self.events, people=(person,))

    def new_consent(self) -> QDialog | None:
        person = self.person_ref()
        if person is None:
            return None
        return self._open(ConsentDialog(self.ctx, person.id, self, events=self.events,
                                        person_name=person.name))

    def new_referral(self) -> QDialog | None:
        person = self.person_ref()
        if person is None:
            return None
        return self._open(NewReferralDialog(self.ctx, self.events, self, person_id=person.id,
                                            person_name=person.name))

    def edit_person(self) -> QDialog | None:
        if self.page is None or not self.ctx.actor.can(Permission.EDIT_PEOPLE):
            return None
        dialog = PersonDialog(self.ctx, self.events, self, detail=self.page.detail)
        dialog.open_existing.connect(self.open_person.emit)
        return self._open(dialog)

    def remind_me(self) -> QDialog | None:
        person = self.person_ref()
        if person is None:
            return None
        subject = ReminderSubject(SubjectKind.PERSON, person.id, person.name)
        return self._open(RemindMeDialog(self.ctx, self.events, subject, self))

    def show_indsigt(self) -> None:
        """The access report for this person, in the letter preview (print, save)."""
        person = self.person_ref()
        if person is None:
            return
        ctx, person_id = self.ctx, person.id
        open_letter_preview(self, ctx, lambda: render_indsigt_report(ctx, person_id))

    def delete_person(self) -> None:
        if self.page is None or not self.ctx.actor.can(Permission.EDIT_PEOPLE):
            return
        person = self.page.detail.person
        ask_delete_person(self, self.ctx, self.events,
                          PersonToDelete(person.id, person.version, person.full_name),
                          lambda gone: self.deleted.emit(gone.name))

    def edit_household(self) -> QDialog | None:
        if self.page is None or not self.ctx.actor.can(Permission.EDIT_PEOPLE):
            return None
        return self._open(HouseholdDialog(self.ctx, self.events, self.page.detail.person,
                                          self.page.household, self))

    def open_item(self, item: TimelineItem) -> None:
        if self.person_id is not None:
            self.opener.open(item, self.person_id)
