"""Contacts (kontakter): the quick-log dialog (``ContactDialog``, Ctrl+L from anywhere),
the lazy contacts list model and its filters. ``open_quick_log`` is the one way to open
the dialog, so every caller gets the same confirmation in the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QWidget

from boligsag.services.casework_common import PersonRef
from boligsag.services.contacts import ContactRow
from boligsag.services.context import AppContext
from boligsag.ui.errors import show_error
from boligsag.ui.events import AppEvents

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


__all__ = ["ContactDialog", "confirmation", "open_quick_log"]
