"""The pages of the main window, in navigation order.

Each page is one module (``people.py``...) with an implementation of
:class:`~boligsag.ui.pages.base.Page`; the main window needs nothing else.
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
