"""Every list of rows in the main window has the one look of ui/models/table.setup_table:
whole rows chosen one at a time, alternating rows without a grid, calm 34-pixel rows,
cut text ending in "…" (the shared eliding delegate), and Tab leaving the list.

Before, the consents, the municipal services, the staff accounts and the referrals each
styled their table by hand (two stylers and two copies), and disagreed."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QTableView, QTabWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.ui.elide import ElidedDelegate
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_people_support import open_person
from .test_referrals_support import adult, consent, service_id

# Tables with a look of their own: a summary's figures and the attendance grid are
# chosen cell by cell, and the drill-down lists records of one figure.
OWN_LOOK = {"attendanceTable"}
LISTS = {"consentsTable", "servicesTable", "usersTable", "referralsTable", "jobsTable",
         "followUpTable", "contactsTable", "peopleTable", "activitiesTable",
         "enrollmentsTable", "sessionsTable", "myCasesTable", "myCasesCardTable"}


def look(view: QTableView) -> dict[str, object]:
    return {
        "rows": view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows,
        "one": view.selectionMode() == QAbstractItemView.SelectionMode.SingleSelection,
        "alternating": view.alternatingRowColors(),
        "grid": view.showGrid(),
        "row height": view.verticalHeader().defaultSectionSize(),
        "elided": isinstance(view.itemDelegate(), ElidedDelegate),
        "tab leaves": not view.tabKeyNavigation(),
    }


SHARED = {"rows": True, "one": True, "alternating": True, "grid": False, "row height": 34,
          "elided": True, "tab leaves": True}
# A person's jobs: a follow-up cell is chosen (J / N / U answers it), the rest is shared.
CHOOSE_CELLS = {"jobsTable"}
CELLS = SHARED | {"rows": False}


def test_every_list_has_the_one_table_look(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    person = adult(ctx)
    consent(ctx, person, service_id(ctx))
    for page in main_window.pages:
        main_window.show_page(page.page_id)
    tabs = child(main_window, QTabWidget, "adminTabs")
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
    page = open_person(qtbot, main_window, person)
    for panel in (page.person_view.jobs, page.person_view.consents):
        page.person_view.tabs.setCurrentWidget(panel)

    tables = {view.objectName(): view for view in main_window.findChildren(QTableView)
              if view.objectName() and not view.objectName().startswith("summaryTable")
              and view.objectName() not in OWN_LOOK}
    assert set(tables) >= LISTS
    different = {name: look(view) for name, view in tables.items()
                 if look(view) != (CELLS if name in CHOOSE_CELLS else SHARED)}
    assert different == {}
