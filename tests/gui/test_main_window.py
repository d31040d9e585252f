"""The main window on a real encrypted database: navigation, status bar, menus,
locking, names for assistive technology."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QListWidget,
    QStackedWidget,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.app_settings import IDLE_LOCK_MINUTES, WINDOW_GEOMETRY, AppSettings
from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import create_user
from boligsag.ui.events import AppEvents
from boligsag.ui.models.users import UsersModel
from boligsag.ui.password_dialogs import ReauthDialog
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import ADMIN_PASSWORD
from .helpers import child, click, click_list_row, type_into

PAGES = ["start", "people", "my_cases", "activities", "contacts", "referrals", "summaries", "admin"]
DANISH_TITLES = ["Overblik", "Personer", "Mine sager", "Aktiviteter", "Kontakter", "Henvisninger",
                 "Opgørelser", "Administration"]


def loaded(window: MainWindow) -> bool:
    return window.page("start").overview is not None  # type: ignore[union-attr]


def test_navigation_list_opens_every_page(qtbot: QtBot, main_window: MainWindow) -> None:
    nav = child(main_window, QListWidget, "navigationList")
    stack = child(main_window, QStackedWidget, "pageStack")
    assert [nav.item(i).text() for i in range(nav.count())] == DANISH_TITLES
    for row, page_id in reversed(list(enumerate(PAGES))):
        click_list_row(qtbot, nav, row)
        assert stack.currentWidget().objectName() == f"page_{page_id}"
        assert child(main_window, QAction, f"actionShow_{page_id}").isChecked()
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)


def test_start_page_greets_the_user_and_shows_the_plan(qtbot: QtBot,
                                                       main_window: MainWindow) -> None:
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)
    page = child(main_window, QWidget, "page_start")
    assert child(page, QLabel, "greetingLabel").text() == "Goddag, Åse"  # 10:30
    assert child(page, QLabel, "pageSubtitle").text() == "Boligsocialt Hus Ærtebjerg"
    assert child(page, QLabel, "planName").text() == "Helhedsplan Ærtebjerg 2023–2026"
    assert "1. januar 2023 – 31. december 2026" in child(page, QLabel, "planPeriod").text()
    assert "Ærtebjerg Øst" in child(page, QLabel, "areasOverview").text()
    assert "Sammenhængskraft og medborgerskab" in child(page, QLabel, "focusAreas").text()
    assert child(page, QLabel, "figureValue_people").text() == "0"


def test_status_bar_shows_the_user_and_the_database(qtbot: QtBot, main_window: MainWindow,
                                                    ctx: AppContext) -> None:
    user = child(main_window, QLabel, "statusUser")
    assert user.text() == "Åse Nørgaard · Administrator"
    database = child(main_window, QLabel, "statusDatabase")
    # The file's name, so a message has room; the full path on hover and for a reader.
    assert database.text() == f"Database: {ctx.db.path.name}"
    assert database.toolTip() == str(ctx.db.path)
    assert database.accessibleDescription() == str(ctx.db.path)
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)
    main_window.resize(1280, 800)
    message = "Kontakt gemt: Telefon med Katcha Bech, 05.12.2026 – ringede om huslejen"
    main_window.statusBar().showMessage(message, 10_000)
    qtbot.wait(50)
    free = main_window.statusBar().width() - database.width() - user.width()
    assert free > main_window.fontMetrics().horizontalAdvance(message) + 60
    Path("/tmp/shots/J2").mkdir(parents=True, exist_ok=True)
    main_window.grab().save("/tmp/shots/J2/status_bar_message.png")


def test_keyboard_shortcuts_switch_pages(qtbot: QtBot, main_window: MainWindow) -> None:
    stack = child(main_window, QStackedWidget, "pageStack")
    child(main_window, QAction, "actionShow_people").trigger()
    assert stack.currentWidget().objectName() == "page_people"
    action = child(main_window, QAction, "actionShow_admin")
    assert action.shortcut().toString() == "Ctrl+8"
    assert "(Ctrl+8)" in action.toolTip()
    assert child(main_window, QAction, "actionLockNow").shortcut().toString() == "Ctrl+Shift+L"
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)


def test_every_action_and_main_widget_is_named(qtbot: QtBot, main_window: MainWindow) -> None:
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)
    actions = list(main_window.menuBar().actions())  # every menu, recursively
    for action in actions:
        if action.menu() is not None:
            actions.extend(action.menu().actions())
    assert len(actions) > 15
    for action in actions:
        if action.isSeparator():
            continue
        assert action.objectName(), f"unnamed action {action.text()!r}"
        assert action.property("accessibleName"), action.objectName()
    assert main_window.pages  # builds every page (each is built when first shown)
    for name in ("navigationList", "pageStack", "statusUser", "statusDatabase", "menuBar",
                 *(f"page_{p}" for p in PAGES)):
        widget = child(main_window, QWidget, name)
        assert widget.accessibleName(), name
    for widget in main_window.findChildren(QAbstractButton) + main_window.findChildren(
            QLineEdit) + main_window.findChildren(QTableView):
        if widget.objectName().startswith("qt_"):  # Qt's own parts, e.g. a table corner
            continue
        assert widget.objectName() and widget.accessibleName(), widget


def test_administration_lists_the_users(qtbot: QtBot, main_window: MainWindow,
                                        qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    main_window.show_page("admin")
    table = child(main_window, QTableView, "usersTable")
    model = table.model()
    assert isinstance(model, UsersModel)
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == \
        ["Navn", "Brugernavn", "Rolle", "Boligområder", "Stilling", "Status"]
    assert model.index(0, 0).data() == "Åse Nørgaard"
    assert model.index(0, 2).data() == "Administrator"
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)


def test_lock_now_hides_the_data_until_the_password_is_typed(
        qtbot: QtBot, main_window: MainWindow) -> None:
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)
    root = child(main_window, QStackedWidget, "rootStack")
    qtbot.keyClick(main_window, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert main_window.locked
    assert root.currentWidget().objectName() == "lockScreen"
    dialog = child(main_window, ReauthDialog, "reauthDialog")
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Escape does not unlock
    assert dialog.isVisible() and main_window.locked

    type_into(qtbot, dialog, "reauthPasswordEdit", "forkert-adgangskode")
    click(qtbot, dialog, "reauthOkButton")
    error = child(dialog, QLabel, "reauthError")
    qtbot.waitUntil(error.isVisible, timeout=10_000)
    assert error.text() == "Adgangskoden er forkert."
    assert main_window.locked

    type_into(qtbot, dialog, "reauthPasswordEdit", ADMIN_PASSWORD)
    click(qtbot, dialog, "reauthOkButton")
    qtbot.waitUntil(lambda: not main_window.locked, timeout=10_000)
    assert root.currentIndex() == 0


def test_idle_time_locks_the_window(qtbot: QtBot, main_window: MainWindow) -> None:
    qtbot.waitUntil(lambda: loaded(main_window), timeout=10_000)
    assert main_window.idle.interval() == 10 * 60_000
    main_window.idle.set_interval(50)
    qtbot.waitUntil(lambda: main_window.locked, timeout=5_000)
    assert "Låst efter 10 minutter uden aktivitet." in child(
        main_window, ReauthDialog, "reauthDialog").findChild(QLabel, "dialogText").text()


def test_idle_minutes_come_from_the_settings(qtbot: QtBot, ctx: AppContext,
                                             settings: AppSettings) -> None:
    settings.set(IDLE_LOCK_MINUTES, 3)
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    assert window.idle.interval() == 3 * 60_000
    window.show()  # pages load when shown
    qtbot.waitUntil(lambda: loaded(window), timeout=10_000)


def test_geometry_is_saved_and_restored(qtbot: QtBot, ctx: AppContext,
                                        settings: AppSettings) -> None:
    window = MainWindow(ctx, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    # The offscreen screen is 800×600 and a restore is clamped to the screen, so only
    # the height is compared (the pages decide the minimum width).
    window.resize(window.width(), 580)
    qtbot.waitUntil(lambda: loaded(window), timeout=10_000)
    height = window.height()
    window.close()
    assert settings.get(WINDOW_GEOMETRY)
    again = MainWindow(ctx, AppEvents(), AppSettings(settings.directory))
    qtbot.addWidget(again)
    assert again.height() == height < 760  # not the default size
    again.show()
    qtbot.waitUntil(lambda: loaded(again), timeout=10_000)


def test_a_volunteer_sees_only_the_pages_of_the_role(qtbot: QtBot, ctx: AppContext,
                                                     created_db, settings: AppSettings) -> None:  # type: ignore[no-untyped-def]
    create_user(ctx, "fatima", "Fatima Al-Hassan", Role.VOLUNTEER, "bydelsmor-adgangskode")
    volunteer = unlock(created_db.path, "fatima", "bydelsmor-adgangskode",
                       options=UnlockOptions(integrity_check=False))
    try:
        window = MainWindow(volunteer, AppEvents(), settings)
        qtbot.addWidget(window)
        nav = child(window, QListWidget, "navigationList")
        assert [nav.item(i).text() for i in range(nav.count())] == ["Overblik", "Samtaler"]
        assert child(window, QLabel, "statusUser").text() == "Fatima Al-Hassan · Frivillig"
        window.show()
        qtbot.waitUntil(lambda: loaded(window), timeout=10_000)
    finally:
        lock(volunteer)
