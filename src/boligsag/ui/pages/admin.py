"""Administration: staff accounts, the municipal service catalogue, the letterhead and
reminder settings, joining a team server, backups, deletion (retention) and the access
log — one tab each."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.ui.admin_panels.access_log import AccessLogPanel
from boligsag.ui.admin_panels.backups import BackupsPanel
from boligsag.ui.admin_panels.letter_settings import LetterSettingsPanel
from boligsag.ui.admin_panels.retention import RetentionPanel
from boligsag.ui.admin_panels.services import ServicesPanel
from boligsag.ui.admin_panels.staff import StaffPanel
from boligsag.ui.events import AppEvents
from boligsag.ui.sync_join.admin_panel import TeamServerPanel
from boligsag.ui.widgets import PageHeader, named

from .base import Page


class AdminPage(Page):
    page_id = "admin"
    icon_name = "gear"
    permission = Permission.MANAGE_USERS

    @classmethod
    def title(cls) -> str:
        return tr("Administration")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "Staff accounts, the municipal services that letters go to, the "
            "organisation's letterhead and reminders, backups, deletion and the access "
            "log.")))
        self.tabs = named(QTabWidget(), "adminTabs", tr("Administration sections"))
        # Seven tabs need ~1070 px with a large font: past that the tab bar scrolls (arrow
        # buttons, and Ctrl+Tab) instead of pushing the window past the screen.
        self.tabs.setUsesScrollButtons(True)
        layout.addWidget(self.tabs, 1)
        self.staff = StaffPanel(ctx, events)
        self.tabs.addTab(self.staff, tr("Staff"))
        self.tabs.addTab(ServicesPanel(ctx, events), tr("Municipal services"))
        self.tabs.addTab(LetterSettingsPanel(ctx, events), tr("Letters and reminders"))
        self.team_server = TeamServerPanel(ctx, events)
        self.tabs.addTab(self.team_server, tr("Team server"))
        self.backups = BackupsPanel(ctx, events)
        self.tabs.addTab(self.backups, tr("Backups"))
        self.retention = RetentionPanel(ctx, events)
        self.tabs.addTab(self.retention, tr("Deletion"))
        self.access_log = AccessLogPanel(ctx, events)
        self.tabs.addTab(self.access_log, tr("Access log"))

    def show_backups_and_restore_newest(self) -> None:
        """After a failed integrity check: the Backups tab, its restore dialog open on
        the newest checked backup."""
        self.tabs.setCurrentWidget(self.backups)

        def open_newest() -> None:
            self.backups.list.setCurrentRow(0)
            self.backups.open_restore()

        self.backups.refresh(then=open_newest)
