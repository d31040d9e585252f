"""Personer: search-as-you-type over everyone, and each person's page (a view inside
this page: Esc or "← Alle personer" goes back to the list, with the search kept).

Keyboard: Ctrl+F search, ↓ into the list, Enter open, Ctrl+N new person; on a person's
page Ctrl+E edits, Ctrl+H opens the household, Esc goes back; Ctrl+L (from anywhere)
logs a contact.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.casework_common import PersonRef
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.people import PersonDetail
from boligsag.ui.activities.buttons import action_button
from boligsag.ui.contacts import STATUS_MS, open_quick_log
from boligsag.ui.errors import show_error
from boligsag.ui.events import AppEvents
from boligsag.ui.people.list_view import PeopleListView
from boligsag.ui.people.person_delete import PersonToDelete, ask_delete_person
from boligsag.ui.people.person_dialog import PersonDialog, draft_from_search
from boligsag.ui.people.person_view import PersonView
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.widgets import PageHeader, make_action, named

from .base import Page

_LIST = frozenset({Entity.PEOPLE, Entity.HOUSEHOLDS})


class PeoplePage(Page):
    page_id = "people"
    icon_name = "people"
    permission = Permission.VIEW_PEOPLE

    @classmethod
    def title(cls) -> str:
        return tr("People")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.dialog: QDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 20)
        layout.setSpacing(12)
        self.header = PageHeader(self.title(), tr(
            "Residents and participants. Search by name, CPR number, address or phone; "
            "Enter opens the person."))
        layout.addWidget(self.header)
        self.stack = named(QStackedWidget(), "peopleStack", tr("People"))
        self.list_view = PeopleListView(ctx)
        self.person_view = PersonView(ctx, events)
        # The list's lazy model guards its own pages; this decides when it reloads.
        self.list_reloader = Reloader(self.list_view, events, _LIST,
                                      start=lambda _changes: self.list_view.reload())
        self.stack.addWidget(self.list_view)
        self.stack.addWidget(self.person_view)
        layout.addWidget(self.stack, 1)
        self.list_view.open_person.connect(self.show_person)
        self.person_view.open_person.connect(self.show_person)
        self.person_view.back_requested.connect(self.show_list)
        self.person_view.deleted.connect(self._deleted)
        self._build_actions()
        new_person = action_button(self.action_new, "newPersonButton", primary=True,
                                   parent=self)
        self.list_view.bar.addWidget(new_person)
        # Made after the list, the button would come after it in the Tab order; it sits
        # in the search's row, so Tab reads it before going down into the list.
        QWidget.setTabOrder(self.list_view.search, new_person)
        QWidget.setTabOrder(new_person, self.list_view.table)
        self._update_actions()

    def _build_actions(self) -> None:
        def act(name: str, text: str, keys: str | None, slot: object, tip: str = "") -> QAction:
            action = make_action(self, name, text, shortcut=keys, tip=tip,
                                 triggered=slot)  # type: ignore[arg-type]
            self.addAction(action)  # active while this page is shown
            return action

        view = self.person_view
        self.action_search = act("actionFocusPeopleSearch", tr("&Search"), "Ctrl+F",
                                 self.focus_search, tr("Search for a person"))
        self.action_new = act("actionNewPerson", tr("&New person…"), "Ctrl+N", self.new_person,
                              tr("Register a resident or participant"))
        self.action_edit = act("actionEditPerson", tr("&Edit person…"), "Ctrl+E",
                               view.edit_person, tr("Correct the person's details"))
        self.action_household = act("actionEditHousehold", tr("&Household…"), "Ctrl+H",
                                    view.edit_household,
                                    tr("Household members and parent–child links"))
        self.action_consent = act("actionPersonNewConsent", tr("New &consent…"), None,
                                  view.new_consent)
        self.action_referral = act("actionPersonNewReferral", tr("New &referral…"), None,
                                   view.new_referral)
        self.action_delete = act("actionDeletePerson", tr("&Delete person…"), None,
                                 view.delete_person,
                                 tr("Only for a person registered by mistake"))
        self.action_back = act("actionBackToPeople", tr("&Back to the list"), "Esc",
                               self.show_list)
        self.action_back.setShortcuts(["Esc", "Alt+Left"])
        # The list's row menu (right-click, Menu key, Shift+F10); Enter opens as before.
        self.action_open_row = make_action(self, "actionOpenPersonRow", tr("&Open person"),
                                           triggered=self.list_view.open_current)
        self.action_log_row = make_action(self, "actionLogContactWithPerson",
                                          tr("&Log contact…"), triggered=self.log_with_row,
                                          tip=tr("Log a contact with the chosen person"))
        self.action_log_row.setEnabled(self.ctx.actor.can(Permission.LOG_CONTACTS))
        self.action_delete_row = make_action(self, "actionDeletePersonRow",
                                             tr("&Delete person…"), triggered=self.delete_row,
                                             tip=tr("Only for a person registered by mistake"))
        can = self.ctx.actor.can
        # Hidden, not just greyed, for a role that may not delete (the service refuses too).
        for action in (self.action_delete, self.action_delete_row):
            action.setVisible(can(Permission.EDIT_PEOPLE))
        add_row_menu(self.list_view.table, lambda: [
            self.action_open_row, self.action_log_row, None, self.action_new, None,
            self.action_delete_row], "peopleRowMenu")
        self.action_new.setEnabled(can(Permission.EDIT_PEOPLE))
        self._allowed = {
            self.action_edit: can(Permission.EDIT_PEOPLE),
            self.action_household: can(Permission.EDIT_PEOPLE),
            self.action_consent: can(Permission.MANAGE_CONSENTS),
            self.action_referral: can(Permission.MANAGE_REFERRALS),
            self.action_delete: can(Permission.EDIT_PEOPLE),
            self.action_back: True,
        }

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_search, self.action_new, self.action_edit, self.action_household,
                self.action_consent, self.action_referral, self.action_delete,
                self.action_back]

    def _update_actions(self) -> None:
        on_person = self.showing_person()
        for action, allowed in self._allowed.items():
            action.setEnabled(allowed and on_person)

    # -- views ----------------------------------------------------------------------------

    def current_person(self) -> PersonRef | None:
        """The person whose page is open (Ctrl+L then logs a contact with them)."""
        return self.person_view.person_ref() if self.showing_person() else None

    def showing_person(self) -> bool:
        return self.stack.currentWidget() is self.person_view

    def show_person(self, person_id: int) -> None:
        # Load the new person before the view is shown, so showing it loads nothing more.
        self.person_view.show_person(person_id)
        self.stack.setCurrentWidget(self.person_view)
        self.header.hide()
        self._update_actions()

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_view)
        self.header.show()
        self._update_actions()
        self.list_view.table.setFocus()

    def focus_search(self) -> None:
        if self.showing_person():
            self.show_list()
        self.list_view.focus_search()

    def focus_first_field(self) -> None:
        self.focus_search()  # Ctrl+2, then type a name

    def log_with_row(self) -> None:
        person = self.list_view.current_person()
        if person is not None:
            open_quick_log(self, self.ctx, self.events,
                           people=(PersonRef(person.id, person.full_name),))

    def delete_row(self) -> None:
        person = self.list_view.current_person()
        if person is not None and self.ctx.actor.can(Permission.EDIT_PEOPLE):
            ask_delete_person(self, self.ctx, self.events,
                              PersonToDelete(person.id, person.version, person.full_name),
                              lambda gone: self._deleted(gone.name))

    def _deleted(self, name: str) -> None:
        """Back to the list (the deleted person's page has nothing left to show), which
        reloads without them; the status bar says what happened."""
        if self.showing_person():
            self.show_list()
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(tr("{name} was deleted.", name=name), STATUS_MS)

    # -- commands -------------------------------------------------------------------------

    def new_person(self) -> PersonDialog | None:
        if not self.ctx.actor.can(Permission.EDIT_PEOPLE):
            return None
        prefill = None if self.showing_person() else draft_from_search(
            self.list_view.search.text())
        try:
            dialog = PersonDialog(self.ctx, self.events, self, prefill=prefill)
        except Exception as error:
            show_error(self, error)
            return None
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda detail: self._created(detail))
        dialog.open_existing.connect(self.show_person)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _created(self, detail: PersonDetail) -> None:
        self.show_person(detail.person.id)
