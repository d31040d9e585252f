"""The pages of the main window, in navigation order: the one list the main window
builds its navigation from.

Here, in the shell, rather than in ``boligsag.ui.pages``: the volunteer page lives in
``ui.network_mothers`` and builds on ``ui.pages.base``, so a list in ``ui.pages`` would
make the two packages import each other.
"""

from __future__ import annotations

from boligsag.ui.network_mothers import VolunteerPage
from boligsag.ui.pages.activities import ActivitiesPage
from boligsag.ui.pages.admin import AdminPage
from boligsag.ui.pages.base import Page
from boligsag.ui.pages.conflicts import ConflictsPage
from boligsag.ui.pages.contacts import ContactsPage
from boligsag.ui.pages.my_cases import MyCasesPage
from boligsag.ui.pages.people import PeoplePage
from boligsag.ui.pages.referrals import ReferralsPage
from boligsag.ui.pages.start import StartPage
from boligsag.ui.pages.summaries import SummariesPage

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
    ConflictsPage,  # last: only on a team laptop, so Ctrl+1…9 stay where they are
]
