"""Personer: residents and participants. Placeholder until the registry issue."""

from __future__ import annotations

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr

from .base import PlaceholderPage


class PeoplePage(PlaceholderPage):
    page_id = "people"
    icon_name = "people"
    permission = Permission.VIEW_PEOPLE

    @classmethod
    def title(cls) -> str:
        return tr("People")

    def subtitle(self) -> str:
        return tr("Residents and participants, their households and consents.")

    def empty_state(self) -> tuple[str, str]:
        return (tr("The register of people is coming here"),
                tr("Here you will search for residents by name, CPR number, address or "
                   "phone, create new people with a warning about duplicates, and see each "
                   "person's contacts, activities, referrals and consents on one page."))
