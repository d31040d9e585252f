"""The pages of the main window, in navigation order.

Later issues fill a page by replacing its one module (``people.py``...) with a real
implementation of :class:`~boligsag.ui.pages.base.Page`; nothing else needs to change.
"""

from __future__ import annotations

from boligsag.ui.network_mothers import VolunteerPage

from .activities import ActivitiesPage
from .admin import AdminPage
from .base import Page
from .contacts import ContactsPage
from .my_cases import MyCasesPage
from .people import PeoplePage
from .referrals import ReferralsPage
from .start import StartPage
from .summaries import SummariesPage

PAGES: list[type[Page]] = [
    StartPage,
    PeoplePage,
    MyCasesPage,
    ActivitiesPage,
    ContactsPage,
    VolunteerPage,
    ReferralsPage,
    SummariesPage,
    AdminPage,
]

__all__ = ["PAGES", "Page"]
