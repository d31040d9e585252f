"""Administration → Teamserver: what joining a team means, and the button that opens the
"Forbind til teamserver…" dialog. A successful join is announced on
``AppEvents.team_joined``; the application controller then opens the new replica in
place of the database in use (which is closed, never changed)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from boligsag.app_settings import default_database_path
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.ui.background import run_in_background
from boligsag.ui.events import AppEvents
from boligsag.ui.widgets import named

from .dialog import JoinDialog
from .launcher import JoinLauncher

log = logging.getLogger(__name__)

DEMO_FOLDER_PREFIX = "boligsag-demo-"  # tempfile.mkdtemp's prefix in ui/demo.py


class TeamServerPanel(QWidget):
    def __init__(self, ctx: AppContext, events: AppEvents,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        named(self, "teamServerPanel", tr("Team server"))
        self.launcher = JoinLauncher(self, self.folder, self.events.team_joined.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 16, 12, 12)
        layout.setSpacing(12)
        text = QLabel(tr(
            "<p>A team that shares one registry works with a team server. Connecting "
            "makes a <b>new</b> encrypted database on this computer with what your "
            "account on the team server may see, and opens it. The database in use now "
            "is closed and left as it is.</p>"
            "<p>You need the server's address and its certificate fingerprint (from "
            "your IT administrator) and your username and password on the team "
            "server.</p>"))
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        self.state = named(QLabel(), "teamServerState", tr("Team server status"))
        self.state.setProperty("role", "muted")
        self.state.setWordWrap(True)
        self.state.hide()
        layout.addWidget(self.state)
        self.join_button = named(QPushButton(tr("Connect to team server…")),
                                 "joinTeamButton", tr("Connect to team server"))
        self.join_button.setProperty("role", "primary")
        self.join_button.clicked.connect(self.open_dialog)
        layout.addWidget(self.join_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        run_in_background(self, lambda _task: _is_replica(ctx),
                          on_success=self._show_state, on_failure=self._state_failed)

    def _show_state(self, replica: bool) -> None:
        if replica:
            self.state.setText(tr(
                "This database is already a copy from a team server. Connecting again "
                "makes another, new database."))
        self.state.setVisible(replica)

    def _state_failed(self, error: BaseException) -> None:
        log.error("could not tell whether the database is a replica: %s",
                  type(error).__name__)

    def folder(self) -> Path:
        """Beside the database in use; the app's data folder when that has no file (a
        team server's own database) or is the demo's (ui/demo.py makes it in a
        temporary folder named boligsag-demo-…, deleted when the app ends)."""
        path = self.ctx.db.path
        if path is None or Path(path).parent.name.startswith(DEMO_FOLDER_PREFIX):
            return default_database_path().parent
        return Path(path).parent

    def open_dialog(self) -> JoinDialog:
        return self.launcher.open()


def _is_replica(ctx: AppContext) -> bool:
    # Imported here: the team module brings the HTTPS client, which the Administration
    # page need not load at start.
    from boligsag.services.sync_client import team

    return team.is_replica(ctx)
