"""Kontakter: the contact log and quick-log. Placeholder for a later issue."""

from __future__ import annotations

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr

from .base import PlaceholderPage


class ContactsPage(PlaceholderPage):
    page_id = "contacts"
    icon_name = "chat"
    # Volunteers log conversation forms here too, so the lowest permission that
    # reaches this page is theirs.
    permission = Permission.LOG_NETWORK_MOTHER

    @classmethod
    def title(cls) -> str:
        return tr("Contacts")

    def subtitle(self) -> str:
        return tr("Contacts with residents: in person, by phone, home visits and outreach.")

    def empty_state(self) -> tuple[str, str]:
        return (tr("The contact log is coming here"),
                tr("Here you will log a contact in a few seconds from the keyboard, register "
                   "anonymous counselling, and see the follow-ups that are due."))
