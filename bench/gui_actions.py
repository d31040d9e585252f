"""What bench/gui_stalls.py's hand does in the program, action by action, through Qt
(key presses, clicks, the program's own QActions): nothing here does the user's work
through a service (one untimed query finds the person with the most contacts).

Imported in the benchmark's child process only, after the program's QApplication
exists (this module's Qt imports would otherwise come first).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QAction
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPushButton,
    QWidget,
)
from sqlalchemy import func, select

from gui_stalls import TYPED, TYPING_MS, Action
from startup import CHILD_PASSWORD, CHILD_USER

# The dialogs a person's page opens, then those of the pages (as tools/scaled_pages.py
# photographs them): each opened, timed, and closed again untimed.
PERSON_DIALOGS = ("actionEditPerson", "actionLogContactWithPerson", "actionPersonNewConsent",
                  "actionPersonNewReferral", "actionEditHousehold", "actionNewJob")
PAGE_DIALOGS = (("people", "actionNewPerson"), ("contacts", "actionContactsLogContact"),
                ("referrals", "actionNewReferral"), ("activities", "actionNewActivity"),
                ("start", "actionChangePassword"))
PRESETS = ("presetThisYear", "presetLastYear", "presetLast12Months", "presetPlanPeriod",
           "presetLast10Years")
TIMELINE_SCROLLS = 3


def quiet(driver: Any) -> bool:
    """Nothing runs in the background and every visible view has its data."""
    if QThreadPool.globalInstance().activeThreadCount():
        return False
    if driver.window is None:
        return True
    from boligsag.ui.reloader import Reloader

    return not any(r.widget.isVisible() and (r.loading or r.stale)
                   for r in driver.window.findChildren(Reloader))


def top_level(object_name: str) -> QWidget | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if w.objectName() == object_name and w.isVisible()), None)


def log_in(driver: Any) -> list[Action]:
    typed = [0]

    def type_password() -> None:
        """As a person types: a key every TYPING_MS, while the program loads the main
        window's code in the background (ui/shell/preload.py)."""
        dialog = top_level("unlockDialog")
        assert dialog is not None
        dialog.findChild(QLineEdit, "usernameEdit").setText(os.environ[CHILD_USER])
        edit = dialog.findChild(QLineEdit, "passwordEdit")
        edit.setFocus()
        password = os.environ[CHILD_PASSWORD]

        def key(n: int) -> None:
            QTest.keyClicks(edit, password[n])
            typed[0] += 1

        for n in range(len(password)):
            QTimer.singleShot((n + 1) * TYPING_MS, lambda n=n: key(n))
        typed.append(len(password))

    def press() -> None:
        top_level("unlockDialog").findChild(QPushButton, "unlockButton").click()

    def shown() -> bool:
        driver.window = top_level("mainWindow")
        return driver.window is not None

    def plan() -> None:
        driver.window.resize(1366, 768)
        driver.then(after_log_in(driver))

    return [Action("(the unlock dialog shows)", lambda: None,
                   lambda: top_level("unlockDialog") is not None, measured=False),
            Action("the password is typed in the unlock dialog", type_password,
                   lambda: len(typed) == 2 and typed[0] == typed[1]),
            Action("log in → start page with its data", press, shown),
            Action("(plan)", plan, measured=False)]


def after_log_in(driver: Any) -> list[Action]:
    window = driver.window
    page_ids = [cls.page_id for cls in window.page_classes]
    # Groups: the untimed steps (going to a page, closing a dialog) belong to the timed
    # action beside them, and --only keeps or drops a group whole.
    groups = [[Action(f"open page: {page_id}", lambda p=page_id: click_navigation(window, p))]
              for page_id in page_ids if page_id != "start"]
    groups.append([Action("open page: start (again)",
                          lambda: click_navigation(window, "start"))])
    groups += busiest_person(driver)
    groups += [search(window), quick_log(window), letter_preview(window),
               summaries(window)]
    for page_id, action_name in PAGE_DIALOGS:
        if page_id in page_ids:
            groups.append([Action(f"(to {page_id})", lambda p=page_id: window.show_page(p),
                                  measured=False), *dialog(window, action_name)])
    if driver.only:
        groups = [g for g in groups if any(a.measured and driver.only in a.name for a in g)]
    return [action for group in groups for action in group]


def click_navigation(window: Any, page_id: str) -> None:
    """A click on the page's row in the navigation, as a user opens a page."""
    nav = window.findChild(QListWidget, "navigationList")
    row = [cls.page_id for cls in window.page_classes].index(page_id)
    QTest.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton,
                     pos=nav.visualItemRect(nav.item(row)).center())


def touch(window: Any) -> None:
    """The hand moves the mouse over the window before it acts, as every action a user
    takes starts with input (the auto-lock's watch sees it: ui/idle.py)."""
    QTest.mouseMove(window, window.rect().center())


def busiest_person(driver: Any) -> list[list[Action]]:
    from boligsag.storage.models import contact_people

    window = driver.window
    with window.ctx.read() as unit:  # untimed: the benchmark's own look-up
        person_id, count = unit.session.execute(
            select(contact_people.c.person_id, func.count()).group_by(
                contact_people.c.person_id).order_by(func.count().desc()).limit(1)).one()
    # Looked up when the actions run, never now: window.page() builds a page, and that
    # must happen in the action that opens it, where it is measured.
    def people() -> Any:
        return window.page("people")

    def loading() -> bool:
        return people().person_view.timeline.loading

    def scroll() -> None:
        bar = people().person_view.timeline.list.verticalScrollBar()
        bar.setValue(bar.maximum())

    groups = [[Action(f"open the busiest person ({count:,} contacts)",
                      lambda: window.open_person(person_id),
                      lambda: people().showing_person() and not loading())]]
    groups += [[Action(f"scroll their timeline to the end ({n + 1})", scroll,
                       lambda: not loading())] for n in range(TIMELINE_SCROLLS)]
    groups += [dialog(window, name) for name in PERSON_DIALOGS]
    return groups


def search(window: Any) -> list[Action]:
    typed = [0]

    def type_slowly() -> None:
        window.page("people").show_list()
        edit = window.findChild(QLineEdit, "peopleSearchEdit")
        edit.setFocus()
        edit.clear()
        typed[0] = 0

        def key(n: int) -> None:
            QTest.keyClick(edit, TYPED[n])
            typed[0] += 1

        for n in range(len(TYPED)):
            QTimer.singleShot(n * TYPING_MS, lambda n=n: key(n))

    return [Action("(to people)", lambda: window.show_page("people"), measured=False),
            Action(f"search people while typing '{TYPED}'", type_slowly,
                   lambda: typed[0] == len(TYPED)),
            Action("(clear the search)", lambda: window.findChild(
                QLineEdit, "peopleSearchEdit").clear(), measured=False)]


def quick_log(window: Any) -> list[Action]:
    def open_it() -> None:  # Ctrl+L's action (offscreen, the window is never active)
        window.findChild(QAction, "actionQuickLog").trigger()

    def save() -> None:
        dialog = top_level("quickLogDialog")
        dialog.findChild(QCheckBox, "quickLogAnonymousCheck").setChecked(True)
        dialog.findChild(QComboBox, "quickLogAgeGroupCombo").setCurrentIndex(4)
        dialog.findChild(QComboBox, "quickLogGenderCombo").setCurrentIndex(1)
        dialog.findChild(QPushButton, "quickLogSaveButton").click()

    return [Action("(to start)", lambda: window.show_page("start"), measured=False),
            Action("quick log opens (Ctrl+L)", open_it,
                   lambda: top_level("quickLogDialog") is not None),
            Action("quick log saves an anonymous contact", save,
                   lambda: top_level("quickLogDialog") is None),
            # The contacts list was built before the save: it reloads as it shows.
            Action("open page: contacts (reloads after the save)",
                   lambda: window.go_to_page("contacts"))]


def letter_preview(window: Any) -> list[Action]:
    def open_it() -> None:
        table = window.findChild(QAbstractItemView, "referralsTable")
        table.setFocus()
        table.selectRow(0)
        window.findChild(QAction, "actionShowLetter").trigger()

    def ready() -> bool:
        preview = top_level("letterPreviewDialog")
        return preview is not None and \
            preview.document.status() == QPdfDocument.Status.Ready  # type: ignore[attr-defined]

    return [Action("(to referrals)", lambda: window.show_page("referrals"), measured=False),
            Action("referrals list refreshed (F5)",
                   lambda: window.findChild(QAction, "actionRefreshReferrals").trigger()),
            Action("a referral's letter preview opens", open_it, ready),
            Action("(close it)", lambda: top_level("letterPreviewDialog").close(),
                   measured=False)]


def summaries(window: Any) -> list[Action]:
    before: list[Any] = [None]

    def compute(chip_name: str) -> None:
        page = window.page("summaries")
        before[0] = page.summary
        chip = window.findChild(QPushButton, chip_name)
        assert chip.isEnabled(), f"{chip_name}: the demo data should let it be used"
        chip.click()
        window.findChild(QPushButton, "computeButton").click()

    def computed() -> bool:
        page = window.page("summaries")
        return page.summary is not before[0] and page.compute_task is None

    actions = [Action("(to summaries)", lambda: window.show_page("summaries"), measured=False)]
    actions += [Action(f"summary computed: {name}", lambda n=name: compute(n), computed)
                for name in PRESETS]
    return actions


def dialog(window: Any, action_name: str) -> list[Action]:
    opened: list[QWidget] = []

    def trigger() -> None:
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        action = window.findChild(QAction, action_name)
        assert action is not None and action.isEnabled(), f"{action_name} cannot be used"
        opened.clear()

        def find() -> bool:
            if not opened:
                opened.extend(w for w in QApplication.topLevelWidgets()
                              if w.isVisible() and id(w) not in before)
            return bool(opened)

        waiting[0] = find
        action.trigger()

    waiting: list[Any] = [lambda: False]
    return [Action(f"dialog opens: {action_name}", trigger, lambda: waiting[0]()),
            Action(f"(close {action_name})", lambda: [w.close() for w in opened],
                   measured=False)]
