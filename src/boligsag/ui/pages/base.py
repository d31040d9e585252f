"""What every page of the main window provides.

A page is one entry in the navigation list; the main window only knows this interface
and the registry in ``pages/__init__.py``. A page reloads what it shows through its own
``ui.reloader.Reloader`` (on a change while shown, once when shown again).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from boligsag.domain.permissions import Permission
from boligsag.services.context import Actor, AppContext
from boligsag.ui.events import AppEvents
from boligsag.ui.widgets import named


class Page(QWidget):
    #: Stable id: the objectName (``page_<id>``) and what tests navigate by.
    page_id: str = ""
    #: Name of a drawn icon in ``ui/icons.py``.
    icon_name: str = "home"
    #: Pages the actor's role may not use are not shown at all (the services refuse
    #: the work anyway; hiding them keeps the navigation honest).
    permission: Permission | None = None

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.events = events
        named(self, f"page_{self.page_id}", self.title())

    @classmethod
    def available_to(cls, actor: Actor) -> bool:
        """Whether the page appears in this user's navigation at all."""
        return cls.permission is None or actor.can(cls.permission)

    @classmethod
    def title(cls) -> str:
        """Translated title; a method, not an attribute, so it follows the language."""
        raise NotImplementedError

    # actions(): QWidget's own list. A page adds its commands with ``addAction()``;
    # their shortcuts then work only while the page is shown, and the main window
    # lists them in a menu named after the page.

    def focus_first_field(self) -> None:
        """Put the cursor where typing is wanted first (the search box, the first
        filter). The window calls it after Ctrl+1…Ctrl+n switched to this page; pages
        without such a field keep Qt's own focus."""

    def has_unsaved_changes(self) -> bool:
        """True while a form on the page holds edits that a rebuild would lose."""
        return False
