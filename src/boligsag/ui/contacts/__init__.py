"""Contacts (kontakter): the quick-log dialog (``ContactDialog``, Ctrl+L from anywhere),
the lazy contacts list model and its filters. ``open_quick_log`` is the one way to open
the dialog, so every caller gets the same confirmation in the status bar;
``open_contact`` opens a logged contact by id, as read (and audited) now, asking for the
purpose first when a person on it is someone else's restricted case."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QWidget

from boligsag.services.access_purpose import PurposeRequired
from boligsag.services.casework_common import PersonRef
from boligsag.services.contacts import ContactRow, get_contact
from boligsag.services.context import AppContext
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import show_error
from boligsag.ui.events import AppEvents
from boligsag.ui.purpose_dialog import case_purpose

from .contact_dialog import ContactDialog, confirmation

STATUS_MS = 6000


def open_quick_log(parent: QWidget, ctx: AppContext, events: AppEvents | None, *,
                   people: tuple[PersonRef, ...] = (),
                   contact: ContactRow | None = None) -> ContactDialog | None:
    """Open the quick-log dialog (or, with ``contact``, the same dialog to edit it);
    after a save, a short confirmation in the main window's status bar."""
    try:
        dialog = ContactDialog(ctx, events, parent, people=people, contact=contact)
    except Exception as error:  # e.g. the role may not log contacts
        show_error(parent, error)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window = parent.window()

    def saved(row: ContactRow) -> None:
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(confirmation(row), STATUS_MS)

    dialog.saved.connect(saved)
    dialog.open()
    return dialog


def open_contact(parent: QWidget, ctx: AppContext, events: AppEvents | None,
                 contact_id: int,
                 shown: Callable[[ContactDialog | None], None] | None = None) -> None:
    """Read the contact off the GUI thread and open it to edit; ``shown`` gets the
    dialog. Someone else's restricted case: the purpose first (Cancel opens nothing)."""

    def loaded(row: ContactRow) -> None:
        dialog = open_quick_log(parent, ctx, events, contact=row)
        if shown is not None:
            shown(dialog)

    def failed(error: BaseException) -> None:
        if not isinstance(error, PurposeRequired):
            show_error(parent, error)
            return
        question = case_purpose(ctx, error.person_id, error.name, parent)
        question.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        question.given.connect(lambda _none: open_contact(parent, ctx, events, contact_id,
                                                          shown))
        question.open()

    run_in_background(parent, lambda _task: get_contact(ctx, contact_id),
                      on_success=loaded, on_failure=failed)


__all__ = ["ContactDialog", "confirmation", "open_contact", "open_quick_log"]
