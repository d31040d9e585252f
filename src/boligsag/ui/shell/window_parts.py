"""The fixed parts of the main window that hold no state of their own: the sidebar
around the navigation list, the lock screen, the status bar's labels and the two
message box about a damaged database (Hjælp → Om Boligsag is ui/about.py).

Apart from ``main_window`` so that file keeps only what the window *does* (pages,
menus, locking, closing); these functions only build widgets and hand them back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QMessageBox, QStatusBar, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.unlock import server_location
from boligsag.ui.elide import elide
from boligsag.ui.icons import pixmap
from boligsag.ui.labels import role_label
from boligsag.ui.theme import ACCENT, ERROR, MUTED
from boligsag.ui.widgets import named


def build_sidebar(nav: QListWidget, *, demo: bool) -> QWidget:
    """The dark column on the left: the name, the edition, then the navigation list."""
    sidebar = named(QWidget(), "sidebar", tr("Navigation"))
    side = QVBoxLayout(sidebar)
    side.setContentsMargins(0, 0, 0, 0)
    side.setSpacing(0)
    title = named(QLabel("Boligsag"), "sidebarTitle", "Boligsag")
    subtitle = named(QLabel(tr("Demo with synthetic data") if demo
                            else tr("Housing-social work")), "sidebarSubtitle",
                     tr("Edition"))
    side.addWidget(title)
    side.addWidget(subtitle)
    side.addWidget(nav, 1)
    return sidebar


def build_lock_screen() -> QWidget:
    """What shows instead of the pages while the window is locked: a lock, no data."""
    screen = named(QWidget(), "lockScreen", tr("Boligsag is locked"))
    layout = QVBoxLayout(screen)
    layout.addStretch(1)
    picture = QLabel()
    picture.setPixmap(pixmap("lock", MUTED, 72, 1.2))
    picture.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    text = QLabel(tr("Boligsag is locked"))
    text.setProperty("role", "heading")
    text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    layout.addWidget(picture)
    layout.addWidget(text)
    layout.addStretch(2)
    return screen


def fill_status_bar(bar: QStatusBar, ctx: AppContext, *, demo: bool) -> tuple[QLabel, QLabel]:
    """Put the demo badge, the database (its file, or the team server's database) and
    the logged-in user in the status bar; returns the (user, database) labels."""
    named(bar, "statusBar", tr("Status bar"))
    actor = ctx.actor
    user = named(QLabel(tr("{name} · {role}", name=actor.full_name,
                           role=role_label(actor.role))),
                 "statusUser", tr("Logged-in user"))
    server = server_location(ctx)
    if server is None:
        # The file's name only: a full path took half the bar and cut the messages
        # ("Kontakt gemt: …"); the path is in the tooltip and the accessible description.
        where = str(ctx.db.path)
        database = named(QLabel(), "statusDatabase", tr("Database file"), where)
        shown = tr("Database: {path}", path=ctx.db.path.name)
    else:
        where = tr("{database} on {host}", database=server.database, host=server.host)
        database = named(QLabel(), "statusDatabase", tr("Team server database"), where)
        # Only the host is shortened (a socket folder can be a long path): the
        # database's name stays whole, as does what the label says it is.
        host = elide(server.host, database, 160, Qt.TextElideMode.ElideMiddle)
        shown = tr("Team server: {database}", database=tr(
            "{database} on {host}", database=server.database, host=host))
    database.setToolTip(where)
    database.setText(shown if server is not None
                     else elide(shown, database, 320, Qt.TextElideMode.ElideMiddle))
    if demo:
        badge = named(QLabel(tr("DEMO – synthetic data, deleted on exit")), "statusDemo",
                      tr("Demo mode"))
        badge.setStyleSheet(f"color: {ACCENT}; font-weight: bold;")
        bar.addWidget(badge)
    bar.addPermanentWidget(database)
    bar.addPermanentWidget(user)
    return user, database


def show_integrity_problem(bar: QStatusBar, text: str, parent: QWidget,
                           restore: Callable[[], None] | None = None) -> QMessageBox:
    """A red warning that stays in the status bar, and a message box that says it once;
    with ``restore`` (a checked backup exists and this user may restore) the box offers
    "Gendan nyeste sikkerhedskopi…", which calls it."""
    warning = named(QLabel(text), "integrityWarning", tr("Database warning"), text)
    warning.setStyleSheet(f"color: {ERROR}; font-weight: bold;")
    bar.insertPermanentWidget(0, warning, 1)
    box = QMessageBox(QMessageBox.Icon.Critical, tr("The database is damaged"), text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("integrityMessage")
    box.setAccessibleName(tr("The database is damaged"))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if restore is not None:
        box.setInformativeText(tr("Restore the newest checked backup: the damaged database "
                                  "is kept beside it."))
        button = named(box.addButton(tr("Restore the newest backup…"),
                                     QMessageBox.ButtonRole.ActionRole),
                       "restoreNewestButton", tr("Restore the newest backup"))
        button.clicked.connect(restore)
    box.open()
    return box
