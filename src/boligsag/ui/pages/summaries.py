"""Opgørelser: summaries for team leads. Placeholder for a later issue."""

from __future__ import annotations

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr

from .base import PlaceholderPage


class SummariesPage(PlaceholderPage):
    page_id = "summaries"
    icon_name = "chart"
    permission = Permission.VIEW_SUMMARIES

    @classmethod
    def title(cls) -> str:
        return tr("Summaries")

    def subtitle(self) -> str:
        return tr("Participants, sessions, contacts, referrals and job outcomes per period.")

    def empty_state(self) -> tuple[str, str]:
        return (tr("Summaries are coming here"),
                tr("Here you will choose a period, area, focus area or activity and see the "
                   "figures with charts, ready to export for the board, the municipality and "
                   "Landsbyggefonden, with small counts shown as \u201c<5\u201d."))
