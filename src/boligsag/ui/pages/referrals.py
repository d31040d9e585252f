"""Henvisninger: referrals to municipal services, followed until the loop is closed.

A lazy list (filtered and sorted in SQL) on the left, the chosen referral on the right
with its consent, its history and its next steps. Ctrl+Shift+N makes a new referral;
Ctrl+P shows the chosen referral's letter, where Ctrl+P prints it.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.permissions import Permission
from boligsag.formatting import number_text
from boligsag.i18n import tr
from boligsag.services.changes import Changes, Entity
from boligsag.services.context import AppContext
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents
from boligsag.ui.list_order import show_model_order, sortable_by_model
from boligsag.ui.models.rows import ID_ROLE
from boligsag.ui.models.table import setup_table
from boligsag.ui.referrals.details import ReferralDetailsPane
from boligsag.ui.referrals.filters import ReferralFilterBar
from boligsag.ui.referrals.model import (
    SORT_KEYS,
    Column,
    ReferralFilter,
    ReferralsModel,
)
from boligsag.ui.referrals.new_dialog import NewReferralDialog
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.widgets import PageHeader, make_action, named

from .base import Page

# Referrals themselves; consents (a withdrawal stops a draft from being sent); the
# service catalogue (names, the filter list); settings (the reminder limits).
_RELEVANT = frozenset({Entity.REFERRALS, Entity.CONSENTS, Entity.SERVICES, Entity.SETTINGS})

# Person and service share what is left; the rest are as wide as their longest text
# in Danish ("Første møde holdt", "12 dage over fristen").
COLUMN_WIDTHS = {Column.STATUS: 150, Column.DUE: 142, Column.STAFF: 150}
STRETCHED = (Column.PERSON, Column.SERVICE)


class ReferralsPage(Page):
    page_id = "referrals"
    icon_name = "bridge"
    permission = Permission.MANAGE_REFERRALS

    @classmethod
    def title(cls) -> str:
        return tr("Referrals")

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.new_dialog: NewReferralDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 28, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "Bridges to municipal services, followed until the loop is closed.")))
        self._build_actions()

        bar = QHBoxLayout()
        bar.setSpacing(12)
        self.new_button = named(QPushButton(tr("New referral…")), "newReferralButton",
                                tr("New referral"))
        self.new_button.setProperty("role", "primary")
        self.new_button.setToolTip(self.action_new.toolTip())
        self.new_button.clicked.connect(self.action_new.trigger)
        bar.addWidget(self.new_button)
        bar.addSpacing(8)
        self.filters = ReferralFilterBar(ctx)
        self.filters.changed.connect(self._filter_changed)
        bar.addWidget(self.filters, 1)
        self.count = named(QLabel(), "referralCount", tr("Number of referrals"))
        self.count.setProperty("role", "muted")
        bar.addWidget(self.count)
        layout.addLayout(bar)

        self.model = ReferralsModel(ctx, self)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        self.table = self._build_table()
        self.details = ReferralDetailsPane(ctx, events)
        self.splitter = named(QSplitter(Qt.Orientation.Horizontal), "referralsSplitter",
                              tr("Referrals and details"))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(self.table, 1)
        self.message = named(QLabel(), "referralsMessage", tr("Status"))
        self.message.setProperty("role", "muted")
        self.message.setWordWrap(True)
        self.message.hide()
        left_layout.addWidget(self.message)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.details)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 390])
        layout.addWidget(self.splitter, 1)
        self._selected_id: int | None = None
        self._restoring = False
        # The lazy model guards its own pages; this decides when it reloads.
        self.reloader = Reloader(self, events, _RELEVANT, start=self._reload)

    def _build_actions(self) -> None:
        self.action_new = make_action(self, "actionNewReferral", tr("&New referral…"),
                                      shortcut="Ctrl+Shift+N", triggered=self.new_referral,
                                      tip=tr("Refer a person to a municipal service"))
        self.action_letter = make_action(self, "actionShowLetter", tr("Show &letter…"),
                                         shortcut="Ctrl+P", triggered=self.show_letter,
                                         tip=tr("Preview the chosen referral's letter; "
                                                "print it from there"))
        self.action_overdue = make_action(self, "actionOverdueOnly", tr("Only &overdue"),
                                          shortcut="Ctrl+Shift+O", checkable=True,
                                          tip=tr("Show only referrals that need a follow-up"))
        self.action_overdue.toggled.connect(lambda on: self.filters.set_overdue_only(on))
        self.action_refresh = make_action(
            self, "actionRefreshReferrals", tr("&Refresh"), shortcut="F5",
            triggered=lambda: self.reloader.mark_stale())  # everything, as on a first show
        self.action_letter.setEnabled(False)
        for action in self.actions():
            self.addAction(action)

    def _build_table(self) -> QTableView:
        table = setup_table(named(QTableView(), "referralsTable", tr("Referrals")),
                            self.model, stretch=STRETCHED, widths=COLUMN_WIDTHS)
        header = table.horizontalHeader()
        header.setMinimumSectionSize(90)
        sortable_by_model(table, self.model)  # opens most overdue first, and says so
        header.sortIndicatorChanged.connect(self._sort_changed)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        table.doubleClicked.connect(lambda _i: self.details.show_referral(
            self._selected_id, at_once=True))
        add_row_menu(table, lambda: [self.action_letter, None, self.action_new],
                     "referralsRowMenu")
        return table

    # -- Page -------------------------------------------------------------------------

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_new, self.action_letter, self.action_overdue, self.action_refresh]

    def focus_first_field(self) -> None:
        self.filters.status.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _reload(self, changes: Changes | None) -> None:
        """``changes`` None: everything (first show, F5)."""
        if changes is None or Entity.SERVICES in changes:
            self.filters.fill(again=changes is not None)
        self.model.reload(keep_loaded=changes is not None)
        if self._selected_id is not None and changes is not None:
            self.details.show_referral(self._selected_id, at_once=True)

    # -- list -------------------------------------------------------------------------

    def _filter_changed(self, new: ReferralFilter) -> None:
        self.action_overdue.blockSignals(True)
        self.action_overdue.setChecked(new.overdue_only)
        self.action_overdue.blockSignals(False)
        self.model.set_filter(new)

    def _sort_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if Column(column) not in SORT_KEYS:
            # Not sortable in SQL: put the indicator back where the order really is.
            show_model_order(self.table, self.model)

    def _loaded(self, total: int) -> None:
        self.count.setText(tr("{count} referrals", count=number_text(total, 0))
                           if total != 1 else tr("1 referral"))
        self.message.setVisible(total == 0)
        self.message.setText(tr("No referrals match the filters."))
        row = self.model.row_of_id(self._selected_id) if self._selected_id else None
        if row is not None:
            self._restoring = True  # the same referral: the pane reloads itself if needed
            self.table.selectRow(row)
            self._restoring = False
        # A referral that left the list (closed under "Åbne henvisninger") stays in the
        # details pane: the worker just acted on it and wants to see the result.

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
        self.message.show()

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._restoring:
            return
        rows = self.table.selectionModel().selectedRows()
        self._select(rows[0].data(ID_ROLE) if rows else None)

    def _select(self, referral_id: int | None) -> None:
        self._selected_id = referral_id
        self.action_letter.setEnabled(referral_id is not None)
        self.details.show_referral(referral_id)

    def select_referral(self, referral_id: int) -> bool:
        """Select a loaded referral (tests, and links from other pages)."""
        row = self.model.row_of_id(referral_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    # -- commands ---------------------------------------------------------------------

    def new_referral(self) -> NewReferralDialog:
        dialog = NewReferralDialog(self.ctx, self.events, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda row: self._created(row.id))
        dialog.open()
        self.new_dialog = dialog
        return dialog

    def _created(self, referral_id: int) -> None:
        self._selected_id = referral_id
        self.action_letter.setEnabled(True)
        self.details.show_referral(referral_id, at_once=True)

    def show_letter(self) -> None:
        if self._selected_id is None:
            return
        if self.details.details is None or self.details.details.row.id != self._selected_id:
            self.details.load_now()
            self.details.loaded.connect(self._letter_when_loaded,
                                        Qt.ConnectionType.SingleShotConnection)
            return
        self.details.show_letter()

    def _letter_when_loaded(self, _details: object) -> None:
        self.details.show_letter()

