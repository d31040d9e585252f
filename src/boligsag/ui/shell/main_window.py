"""The main window: navigation on the left, one page at a time, menus, status bar,
auto-lock. It owns no data: pages ask services, and each page's ``Reloader`` decides
when to reload (on a change while shown, or once when shown again).

A page is built when it is first shown or asked for (``page``, ``pages``), not with the
window: building all ten took about a second after every unlock (issue 14 §2). Pages
that show a count in the navigation (Konflikter) are built at once."""

from __future__ import annotations

import base64

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from boligsag.app_settings import IDLE_LOCK_MINUTES, WINDOW_GEOMETRY, AppSettings
from boligsag.domain.permissions import Permission
from boligsag.i18n import LANGUAGES, current_language, tr
from boligsag.services import overview
from boligsag.services.context import AppContext
from boligsag.ui.about import show_about
from boligsag.ui.clipboard_guard import ClipboardGuard
from boligsag.ui.contacts import open_quick_log
from boligsag.ui.events import AppEvents
from boligsag.ui.help import add_help_action
from boligsag.ui.icons import icon
from boligsag.ui.idle import IdleWatcher
from boligsag.ui.pages import Page
from boligsag.ui.pages.conflicts import BADGE_ROLE, NavBadgeDelegate
from boligsag.ui.password_dialogs import ChangePasswordDialog, ReauthDialog
from boligsag.ui.shell import window_parts
from boligsag.ui.shell.auto_backup import AutoBackup
from boligsag.ui.shell.contrast import add_contrast_action
from boligsag.ui.shell.navigation import PAGES
from boligsag.ui.shell.prebuild import PagePrebuilder
from boligsag.ui.sync import attach_sync
from boligsag.ui.theme import SIDEBAR_TEXT
from boligsag.ui.widgets import make_action, named


def _shown_in(cls: type[Page], ctx: AppContext) -> bool:
    """A page may depend on the database too (Konflikter: only on a team laptop)."""
    shown_in = getattr(cls, "shown_in", None)
    return shown_in is None or bool(shown_in(ctx))


class MainWindow(QMainWindow):
    log_off_requested = Signal()
    language_change_requested = Signal(str)
    closed = Signal()
    #: A replica's server shut this laptop or user out; the reason (see ui/sync).
    replica_removed = Signal(str)

    def __init__(self, ctx: AppContext, events: AppEvents, settings: AppSettings, *,
                 demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events, self.settings, self.demo = ctx, events, settings, demo
        self.locked = False
        self._reauth: ReauthDialog | None = None
        self._hidden_windows: list[QWidget] = []
        named(self, "mainWindow", tr("Boligsag main window"))
        self._update_title()

        #: The pages this user sees, in navigation order; each built when first needed.
        self.page_classes: list[type[Page]] = [
            cls for cls in PAGES if cls.available_to(ctx.actor) and _shown_in(cls, ctx)]
        self._built: dict[int, Page] = {}
        self._build_central()
        self._build_menus()
        self._build_status_bar()
        self.auto_backup = AutoBackup(self, ctx)
        self.clipboard_guard = ClipboardGuard(self)  # a copied CPR number: 30 s, lock
        # Only a laptop replica syncs; None for a stand-alone database.
        self.sync = attach_sync(self, ctx, events)
        if self.sync is not None:
            self.sync.removed.connect(self._replica_removed)
        for row, cls in enumerate(self.page_classes):
            if hasattr(cls, "badge_changed"):  # its count shows before it is opened
                self._page_at(row)

        # The organisation's setting is a ceiling; a user may lock sooner on this machine.
        minutes = min(settings.get(IDLE_LOCK_MINUTES), overview.idle_lock_minutes(ctx))
        self.idle = IdleWatcher(minutes * 60_000, self)
        self.idle.idle.connect(lambda: self.lock(tr(
            "Locked after {minutes} minutes without activity.", minutes=minutes)))
        self.idle.start()
        # Logging in was input: the window builds and first paints without the filter.
        self.idle.activity()
        self._restore_geometry()
        self.show_page("start")
        # The other pages, built while the user is idle, so that opening one is instant.
        self.prebuild = PagePrebuilder(self, self.idle, self._next_unbuilt, self._page_at)
        self.prebuild.start()

    # -- construction ---------------------------------------------------------------

    def _build_central(self) -> None:
        self.nav = named(QListWidget(), "navigationList", tr("Navigation"))
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(230)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = named(QStackedWidget(), "pageStack", tr("Pages"))
        for page in self.page_classes:
            item = QListWidgetItem(icon(page.icon_name, SIDEBAR_TEXT, "#ffffff"), page.title())
            item.setData(Qt.ItemDataRole.UserRole, page.page_id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, page.title())
            item.setSizeHint(QSize(0, 44))
            self.nav.addItem(item)
            self.stack.addWidget(QWidget())  # the page's place until it is built
        self.nav.currentRowChanged.connect(self._on_row_changed)
        self.nav.setItemDelegate(NavBadgeDelegate(self.nav))

        sidebar = window_parts.build_sidebar(self.nav, demo=self.demo)

        content = QWidget()
        row = QHBoxLayout(content)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(sidebar)
        row.addWidget(self.stack, 1)

        self.lock_screen = window_parts.build_lock_screen()
        self.root = named(QStackedWidget(), "rootStack", tr("Main window content"))
        self.root.addWidget(content)
        self.root.addWidget(self.lock_screen)
        self.setCentralWidget(self.root)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        bar.setAccessibleName(tr("Menu bar"))
        file_menu = self._menu(tr("&File"), "menuFile")
        self.action_lock = make_action(self, "actionLockNow", tr("&Lock now"),
                                       shortcut="Ctrl+Shift+L", triggered=self.lock_now,
                                       tip=tr("Hide everything until you type your password"))
        self.action_password = make_action(self, "actionChangePassword",
                                           tr("Change &password…"),
                                           triggered=self.change_password)
        self.action_log_off = make_action(self, "actionLogOff", tr("Log &off"),
                                          triggered=self.log_off_requested.emit,
                                          tip=tr("Close the database so another user can "
                                                 "log in"))
        quit_keys = QKeySequence(QKeySequence.StandardKey.Quit)
        if quit_keys.isEmpty():  # Windows has no standard Quit key
            quit_keys = QKeySequence("Ctrl+Q")
        # Given to make_action, not set after it: its tooltip names the key.
        self.action_quit = make_action(self, "actionQuit", tr("&Quit"), shortcut=quit_keys,
                                       triggered=self.close)
        for action in (self.action_lock, self.action_password, self.action_log_off):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)

        register_menu = self._menu(tr("&Register"), "menuRegister")
        # Ctrl+L works from every page and every non-modal window.
        self.action_quick_log = make_action(
            self, "actionQuickLog", tr("&Log contact…"), shortcut="Ctrl+L",
            triggered=self.quick_log, tip=tr("Record a contact from the keyboard"))
        self.action_quick_log.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action_quick_log.setEnabled(self.ctx.actor.can(Permission.LOG_CONTACTS))
        self.addAction(self.action_quick_log)
        register_menu.addAction(self.action_quick_log)

        view_menu = self._menu(tr("&View"), "menuView")
        self.page_actions = QActionGroup(self)
        for number, page in enumerate(self.page_classes, start=1):
            action = make_action(self, f"actionShow_{page.page_id}", page.title(),
                                 shortcut=f"Ctrl+{number}", checkable=True,
                                 triggered=lambda p=page.page_id: self.go_to_page(p))
            self.page_actions.addAction(action)
            view_menu.addAction(action)
        self.action_contrast = add_contrast_action(self, view_menu, self.settings)

        self.page_menu = self._menu(tr("Page"), "menuPage")
        self.page_menu.menuAction().setVisible(False)

        language_menu = self._menu(tr("&Language"), "menuLanguage")
        self.language_actions = QActionGroup(self)
        for code, name in LANGUAGES.items():
            # Each language names itself, so anyone can find their own in the list.
            action = make_action(self, f"actionLanguage_{code}", name, checkable=True,
                                 triggered=lambda c=code: self._choose_language(c))
            action.setChecked(code == current_language())
            self.language_actions.addAction(action)
            language_menu.addAction(action)

        help_menu = self._menu(tr("&Help"), "menuHelp")
        self.action_help = add_help_action(self, help_menu)  # F1: the user guide
        self.action_about = make_action(self, "actionAbout", tr("&About Boligsag"),
                                        triggered=self.show_about)
        help_menu.addAction(self.action_about)

    def _menu(self, title: str, object_name: str) -> QMenu:
        menu = self.menuBar().addMenu(title)
        menu.setObjectName(object_name)
        menu.setAccessibleName(title.replace("&", ""))
        menu.menuAction().setObjectName(f"{object_name}Action")
        menu.menuAction().setProperty("accessibleName", title.replace("&", ""))
        return menu

    def _build_status_bar(self) -> None:
        self.status_user, self.status_database = window_parts.fill_status_bar(
            self.statusBar(), self.ctx, demo=self.demo)

    # -- pages ----------------------------------------------------------------------

    @property
    def pages(self) -> list[Page]:
        """Every page of the navigation, built now if it was not yet."""
        return [self._page_at(row) for row in range(len(self.page_classes))]

    def _page_at(self, row: int) -> Page:
        page = self._built.get(row)
        if page is not None:
            return page
        page = self.page_classes[row](self.ctx, self.events)
        self._built[row] = page
        for signal, slot in (("person_requested", self.open_person),  # to a person's page
                             ("activity_requested", self.open_activity),  # Mine sager
                             ("page_requested", self.go_to_page)):
            requested = getattr(page, signal, None)
            if requested is not None:
                requested.connect(slot)
        badge = getattr(page, "badge_changed", None)  # Konflikter's count
        if badge is not None:
            badge.connect(lambda count, p=page.page_id: self.set_badge(p, count))
        placeholder = self.stack.widget(row)
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, page)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        return page

    def _next_unbuilt(self) -> int | None:
        return next((row for row in range(len(self.page_classes)) if row not in self._built),
                    None)

    def set_badge(self, page_id: str, count: int) -> None:
        """A number beside a page's name in the navigation (hidden at 0)."""
        for row, page in enumerate(self.page_classes):
            if page.page_id == page_id:
                item = self.nav.item(row)
                item.setData(BADGE_ROLE, count)
                item.setData(Qt.ItemDataRole.AccessibleTextRole, tr(
                    "{page}, {count} open", page=page.title(), count=count)
                    if count else page.title())

    def page(self, page_id: str) -> Page | None:
        return next((self._page_at(row) for row, cls in enumerate(self.page_classes)
                     if cls.page_id == page_id), None)

    def open_person(self, person_id: int) -> None:
        """Show a person's page, from anywhere (a follow-up, a link)."""
        people = self.page("people")
        if people is None or self.locked:
            return
        self.show_page("people")
        people.show_person(person_id)  # type: ignore[attr-defined]

    def open_activity(self, activity_id: int) -> None:
        """Show an activity on Aktiviteter (from Mine sager)."""
        activities = self.page("activities")
        if activities is None or self.locked:
            return
        self.show_page("activities")
        activities.show_activity(activity_id)  # type: ignore[attr-defined]

    def quick_log(self) -> None:
        """Ctrl+L; on a person's page, that person is already chosen."""
        page = self.current_page()
        person = page.current_person() if hasattr(page, "current_person") else None
        if not self.locked:
            open_quick_log(self, self.ctx, self.events, people=(person,) if person else ())

    def current_page(self) -> Page:
        return self._page_at(self.stack.currentIndex())

    def show_page(self, page_id: str) -> None:
        for row, page in enumerate(self.page_classes):
            if page.page_id == page_id:
                if self.nav.currentRow() == row:
                    self._on_row_changed(row)  # make sure the page is shown
                else:
                    self.nav.setCurrentRow(row)  # emits currentRowChanged
                return

    def go_to_page(self, page_id: str) -> None:
        """Ctrl+1…Ctrl+n: show the page with the cursor in its search or first filter
        (not on a click in the navigation, where the arrow keys must stay there)."""
        self.show_page(page_id)
        page = self.page(page_id)
        if page is not None and self.current_page() is page:
            page.focus_first_field()

    def _on_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.page_classes):
            return
        page = self._page_at(row)
        self.stack.setCurrentIndex(row)
        self.page_actions.actions()[row].setChecked(True)
        self.page_menu.clear()
        actions = page.actions()
        self.page_menu.setTitle(page.title())
        self.page_menu.addActions(actions)
        self.page_menu.menuAction().setVisible(bool(actions))

    # -- locking --------------------------------------------------------------------

    def lock_now(self) -> None:
        self.lock(tr("Locked."))

    def lock(self, reason: str) -> None:
        if self.locked:
            return
        self.locked = True
        self.idle.stop()
        # Hide dialogs too (a person's record may be open in one).
        self._hidden_windows = [w for w in QApplication.topLevelWidgets()
                                if w.isVisible() and w is not self and w.isWindow()]
        for window in self._hidden_windows:
            window.hide()
        self.root.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self._update_title()
        self._reauth = ReauthDialog(self.ctx, reason, self)
        self._reauth.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._reauth.verified.connect(self._unlocked)
        self._reauth.log_off_requested.connect(self.log_off_requested.emit)
        if self.sync is not None:  # the password is dropped now, given back at unlock
            self.sync.pause()
            self.sync.follow_reauth(self._reauth)
        self.auto_backup.at_lock()
        self.clipboard_guard.clear_now()
        self._reauth.open()

    def _unlocked(self) -> None:
        self.locked = False
        self._reauth = None
        self.root.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        for window in self._hidden_windows:
            window.show()
        self._hidden_windows = []
        self._update_title()
        self.idle.start()

    def _update_title(self) -> None:
        parts = ["Boligsag"]
        if self.demo:
            parts.append(tr("Demo"))
        if self.locked:
            parts.append(tr("locked"))
        self.setWindowTitle(" – ".join(parts))

    def _replica_removed(self, message: str) -> None:
        """Hide everything at once (as locked, so closing asks nothing); the
        application deletes the replica and says why."""
        self.locked = True
        self.idle.stop()
        self.root.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.replica_removed.emit(message)

    def show_integrity_problem(self, text: str) -> QMessageBox:
        """The database failed its integrity check: say so, loudly and for good, and
        offer the newest checked backup to whoever may restore it (Administration)."""
        admin = self.page("admin")
        restore = None
        if admin is not None and admin.backups.newest() is not None:  # type: ignore[attr-defined]
            def restore() -> None:
                self.show_page("admin")
                admin.show_backups_and_restore_newest()  # type: ignore[attr-defined]
        return window_parts.show_integrity_problem(self.statusBar(), text, self, restore)

    # -- menu commands --------------------------------------------------------------

    def change_password(self) -> None:
        dialog = ChangePasswordDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.statusBar().showMessage(
            tr("Your password has been changed."), 8000))
        dialog.open()

    def _choose_language(self, code: str) -> None:
        if code == current_language():
            return
        unsaved = [p.title() for p in self._built.values() if p.has_unsaved_changes()]
        if unsaved:
            self.language_actions.actions()[list(LANGUAGES).index(current_language())] \
                .setChecked(True)
            self.statusBar().showMessage(tr(
                "Save or close your changes first ({pages}).", pages=", ".join(unsaved)), 8000)
            return
        self.language_change_requested.emit(code)

    def show_about(self) -> None:
        show_about(self, self.ctx, self.settings)

    # -- geometry and closing -------------------------------------------------------

    def _restore_geometry(self) -> None:
        saved = self.settings.get(WINDOW_GEOMETRY)
        if saved:
            try:
                if self.restoreGeometry(QByteArray(base64.b64decode(saved, validate=True))):
                    return
            except ValueError:
                pass  # a damaged setting: fall back to the default size below
        self.resize(1180, 760)

    def save_geometry(self) -> None:
        data = bytes(self.saveGeometry().data())
        self.settings.set(WINDOW_GEOMETRY, base64.b64encode(data).decode("ascii"))

    def closeEvent(self, event: QCloseEvent) -> None:
        unsaved = [p.title() for p in self._built.values() if p.has_unsaved_changes()]
        if unsaved and not self.locked:
            answer = QMessageBox.question(self, tr("Quit Boligsag"), tr(
                "You have changes that are not saved ({pages}). Quit anyway?",
                pages=", ".join(unsaved)))
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.save_geometry()
        self.idle.detach()
        if self.sync is not None:
            self.sync.stop()  # drops the password and the server connection
        if self._reauth is not None:
            self._reauth.deleteLater()
        event.accept()
        self.clipboard_guard.clear_now()
        self.clipboard_guard.detach()
        self.hide()  # gone from the screen while the backup at close is written
        self.auto_backup.at_close()
        self.closed.emit()
