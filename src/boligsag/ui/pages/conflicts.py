"""Konflikter: what two people changed at once on a team's laptops, and the choice that
settles it (issue 12 §3; services/sync_client/conflicts.py says what each choice does).

Shown only on a team laptop's replica (a stand-alone database never has conflicts).
The table lists the open conflicts: record, field, the value that stands now, the
other value, who wrote each when. Under it the chosen conflict is explained in words.
"Behold nuværende" (Enter, Alt+B) keeps what stands, "Brug den anden" (Alt+A) takes the
other value, "Flet…" (Alt+L, text fields only) opens ``conflict_merge.MergeDialog``,
"Åbn sag" (Alt+N) opens the person's page. The navigation shows the number of open
conflicts and refused changes as a badge (``badge_changed``; hidden at 0,
:class:`NavBadgeDelegate`). Under the conflicts, "Ændringer serveren afviste" lists the
user's changes the team server refused, when there are some (conflicts_refused.py).
"""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date_time
from boligsag.i18n import tr
from boligsag.services.changes import Changes, Entity
from boligsag.services.context import Actor, AppContext
from boligsag.services.sync_client.conflicts import (
    ConflictRow,
    is_team_replica,
    list_conflicts,
)
from boligsag.services.sync_client.conflicts import settle as settle_conflict
from boligsag.services.sync_client.refused import attention_count
from boligsag.ui.background import run_in_background
from boligsag.ui.elide import elide_column
from boligsag.ui.errors import error_text, show_error
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.rows import RowsModel
from boligsag.ui.models.table import current_row, keep_selection, setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.theme import ERROR, ON_ERROR
from boligsag.ui.widgets import PageHeader, make_action, named, page_button

from .base import Page
from .conflict_merge import MergeDialog
from .conflicts_refused import RefusedSection

# Conflicts arrive by sync; a settle or an edit elsewhere may change a record's label.
RELOAD_ON = frozenset({Entity.CONFLICTS, Entity.PEOPLE, Entity.CONTACTS})
BADGE_ROLE = Qt.ItemDataRole.UserRole + 20  # the navigation item's count (int)
SETTLED_MS = 6000  # how long "Konflikten er afgjort …" stays, if no sync ends first


class ConflictColumn(IntEnum):
    RECORD = 0
    FIELD = 1
    KEPT = 2
    OTHER = 3
    KEPT_BY = 4
    OTHER_BY = 5


def who_when(name: str, at: Any) -> str:
    """"Åse N., 24.11.2026 09.15": short, so the two values keep the room."""
    parts = name.split()
    short = f"{parts[0]} {parts[-1][0]}." if len(parts) > 1 else name
    return tr("{name}, {when}", name=short, when=short_date_time(at)) if at else short


def cut(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


class ConflictsModel(RowsModel):
    columns = ConflictColumn

    def key(self, row: ConflictRow) -> Any:
        return row.uuid

    def header(self, column: Any) -> str:
        return {ConflictColumn.RECORD: tr("Record"), ConflictColumn.FIELD: tr("Field"),
                ConflictColumn.KEPT: tr("Current value"),
                ConflictColumn.OTHER: tr("Other value"),
                ConflictColumn.KEPT_BY: tr("Current by"),
                ConflictColumn.OTHER_BY: tr("Other by")}[column]

    def text(self, row: ConflictRow, column: Any) -> str:
        return {ConflictColumn.RECORD: row.record_label, ConflictColumn.FIELD: row.field_label,
                ConflictColumn.KEPT: row.kept_text, ConflictColumn.OTHER: row.other_text,
                ConflictColumn.KEPT_BY: who_when(row.kept_by, row.kept_at),
                ConflictColumn.OTHER_BY: who_when(row.other_by, row.other_at)}[column]

    def tooltip(self, row: ConflictRow, column: Any) -> str | None:
        if column == ConflictColumn.KEPT_BY:
            return row.kept_by
        if column == ConflictColumn.OTHER_BY:
            return row.other_by
        return None  # cut text gets its tooltip from the eliding delegate

    def bold(self, row: ConflictRow, column: Any) -> bool:
        return column == ConflictColumn.RECORD


class NavBadgeDelegate(QStyledItemDelegate):
    """Draws a navigation item's count (``BADGE_ROLE``) as a red pill at its right
    edge; nothing when the count is 0 or unset."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        count = index.data(BADGE_ROLE)
        if not count:
            return
        text = str(count) if count < 100 else "99+"
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        width = max(22, painter.fontMetrics().horizontalAdvance(text) + 12)
        rect = QRectF(option.rect.right() - width - 18, option.rect.center().y() - 10,
                      width, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(ERROR))
        painter.drawRoundedRect(rect, 10, 10)
        painter.setPen(QColor(ON_ERROR))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class ConflictsPage(Page):
    page_id = "conflicts"
    icon_name = "fork"
    badge_changed = Signal(int)
    person_requested = Signal(int)

    @classmethod
    def title(cls) -> str:
        return tr("Conflicts")

    @classmethod
    def available_to(cls, actor: Actor) -> bool:
        return True  # every role may have written one side of a conflict

    @classmethod
    def shown_in(cls, ctx: AppContext) -> bool:
        """Only on a team laptop: a stand-alone database has nothing to conflict with."""
        return is_team_replica(ctx)

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, parent)
        self.loaded = False
        self.count = 0  # the badge: open conflicts and refused changes
        self.conflict_count = 0
        self.refused_count = 0
        self.rows: list[ConflictRow] = []
        self.opened: QWidget | None = None
        self.settled_message = ""  # in the status bar until the next sync ends
        self._follows_sync = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 24)
        layout.setSpacing(12)
        layout.addWidget(PageHeader(self.title(), tr(
            "When two people changed the same thing before their computers synchronised, "
            "both values are kept here until someone chooses. Your choice is sent to the "
            "team server like any other change.")))
        self.summary = named(QLabel(tr("Loading…")), "conflictsSummary", tr("Status"))
        self.summary.setProperty("role", "muted")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.model = ConflictsModel(self)
        self.table = setup_table(named(QTableView(), "conflictsTable", tr("Conflicts")),
                                 self.model, stretch=(ConflictColumn.KEPT, ConflictColumn.OTHER),
                                 # Narrow: the two values get the room (1280 px).
                                 widths={ConflictColumn.RECORD: 190,
                                         ConflictColumn.FIELD: 90},
                                 fit=(ConflictColumn.KEPT_BY, ConflictColumn.OTHER_BY))
        for column in ConflictColumn:
            elide_column(self.table, column)
        self.table.activated.connect(lambda _index: self.keep())  # Enter keeps what stands
        # Selection, not current row: current_row() reads the selection, which Qt
        # updates after it moved the current index.
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_details())
        layout.addWidget(self.table, 1)

        self.details = named(QLabel(""), "conflictDetails", tr("About the chosen conflict"))
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setProperty("role", "card")
        self.details.setMargin(10)
        layout.addWidget(self.details)
        # In a widget of their own, so the empty page shows no disabled buttons.
        self.buttons = named(QWidget(), "conflictButtons", tr("Choices"))
        self.buttons.setLayout(self._build_buttons())
        layout.addWidget(self.buttons)
        self.refused = RefusedSection(ctx, events, self)
        self.refused.count_changed.connect(self._refused_shown)
        # In the page's menu too, beside the conflicts' choices.
        self.addActions([self.refused.action_copy, self.refused.action_discard])
        layout.addWidget(self.refused)
        layout.addStretch(0)
        self._show([])
        self.loaded = False
        self.summary.setText(tr("Loading…"))
        self.reloader = Reloader(self, events, RELOAD_ON,
                                 loader=lambda: partial(list_conflicts, ctx), apply=self._show,
                                 failed=self._failed)
        events.changed.connect(self._changed)
        self.refresh_badge()

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.keep_button = page_button(tr("&Keep current"), "conflictKeepButton",
                                        tr("Keep the value that stands now (Enter)"), self.keep)
        self.other_button = page_button(tr("Use the &other"), "conflictOtherButton",
                                         tr("Use the other value instead"), self.use_other)
        self.merge_button = page_button(tr("&Merge…"), "conflictMergeButton",
                                         tr("Merge the two texts by hand"), self.merge)
        self.open_button = page_button(tr("Open &case"), "conflictOpenButton",
                                        tr("Open the person's page"), self.open_case)
        for button in (self.keep_button, self.other_button, self.merge_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.open_button)
        self.action_keep = make_action(self, "actionConflictKeep", tr("&Keep current"),
                                       triggered=self.keep)
        self.action_other = make_action(self, "actionConflictOther", tr("Use the &other"),
                                        triggered=self.use_other)
        self.action_merge = make_action(self, "actionConflictMerge", tr("&Merge…"),
                                        triggered=self.merge)
        self.action_open = make_action(self, "actionConflictOpen", tr("Open &case"),
                                       triggered=self.open_case)
        for action in (self.action_keep, self.action_other, self.action_merge,
                       self.action_open):
            self.addAction(action)
        return row

    def focus_first_field(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- loading ----------------------------------------------------------------------

    def _changed(self, changes: Changes) -> None:
        if Entity.CONFLICTS in changes:
            self.refresh_badge()

    def refresh_badge(self) -> None:
        """Count the open conflicts off the GUI thread and tell the navigation."""
        run_in_background(self, lambda _task: attention_count(self.ctx),
                          on_success=self._set_count, on_failure=lambda _error: None)

    def _set_count(self, count: int) -> None:
        if count != self.count:
            self.count = count
            self.badge_changed.emit(count)

    def _refused_shown(self, count: int) -> None:
        self.refused_count = count
        # The refused list shares the room only when it shows something.
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.setStretchFactor(self.refused, 1 if count else 0)
        self._summarise()
        self._set_count(self.conflict_count + count)

    def _show(self, rows: list[ConflictRow]) -> None:
        self.loaded = True
        self.rows = rows
        restore = keep_selection(self.table, self.model)
        self.model.set_rows(rows)
        restore()
        if current_row(self.table) is None and rows:
            self.table.selectRow(0)
        self.conflict_count = len(rows)
        self._summarise()
        self.table.setVisible(bool(rows))
        self.buttons.setVisible(bool(rows))
        self._set_count(len(rows) + self.refused_count)
        self._show_details()

    def _summarise(self) -> None:
        if not self.loaded:
            return
        count = self.conflict_count
        if count == 1:
            self.summary.setText(tr("One conflict waits for a choice. Nothing is changed "
                                    "until you choose."))
        elif count:
            self.summary.setText(tr("{count} conflicts wait for a choice. Nothing is "
                                    "changed until you choose.", count=count))
        elif self.refused_count:
            self.summary.setText(tr("No conflicts."))
        else:
            self.summary.setText(tr("No conflicts – everything is synchronised"))

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(error_text(error))
        self.summary.setProperty("role", "error")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)

    def _show_details(self) -> None:
        row: ConflictRow | None = current_row(self.table)
        self.details.setVisible(row is not None)
        for widget in (self.keep_button, self.other_button, self.action_keep,
                       self.action_other):
            widget.setEnabled(row is not None)
        self.merge_button.setEnabled(row is not None and row.mergeable)
        self.action_merge.setEnabled(row is not None and row.mergeable)
        has_person = row is not None and row.person_id is not None
        self.open_button.setEnabled(has_person)
        self.action_open.setEnabled(has_person)
        if row is None:
            return
        text = tr("{record} · {field}\n{explanation}\n\nCurrent: {kept}\nOther: {other}",
                  record=row.record_label, field=row.field_label,
                  explanation=row.explanation, kept=cut(row.kept_text),
                  other=cut(row.other_text))
        if row.kind != "same_field":  # the buttons' plain words mean something else here
            text += "\n" + tr("Keep current: {keep}.   Use the other: {other}.",
                               keep=row.keep_choice, other=row.other_choice)
        self.details.setText(text)
        self.keep_button.setToolTip(row.keep_choice)
        self.other_button.setToolTip(row.other_choice)

    # -- choices ----------------------------------------------------------------------

    def keep(self) -> None:
        self._settle("kept")

    def use_other(self) -> None:
        self._settle("other")

    def merge(self) -> None:
        row: ConflictRow | None = current_row(self.table)
        if row is None or not row.mergeable:
            return
        dialog = MergeDialog(row, self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._settle("merged", dialog.merged_text(), row))
        dialog.open()
        self.opened = dialog

    def open_case(self) -> None:
        row: ConflictRow | None = current_row(self.table)
        if row is not None and row.person_id is not None:
            self.person_requested.emit(row.person_id)

    def _settle(self, choice: str, merged: str | None = None,
                row: ConflictRow | None = None) -> None:
        row = row or current_row(self.table)
        if row is None:
            return
        for widget in (self.keep_button, self.other_button, self.merge_button):
            widget.setEnabled(False)
        run_service(self, self.events, settle_conflict, self.ctx, row.uuid, choice, merged,
                    on_success=lambda _result: self._settled(),
                    on_failure=self._settle_failed)

    def _settled(self) -> None:
        window = self.window()
        if not hasattr(window, "statusBar"):
            return
        self.settled_message = tr(
            "Conflict settled. The choice is saved and sent with the synchronisation.")
        window.statusBar().showMessage(self.settled_message, SETTLED_MS)
        # Once a sync has sent the choice the message is out of date: it goes then.
        sync = getattr(window, "sync", None)
        if sync is not None and not self._follows_sync:
            sync.synced.connect(self._clear_settled_message)
            self._follows_sync = True

    def _clear_settled_message(self, outcome: object = None) -> None:
        if getattr(outcome, "waiting", 0):
            return  # changes still wait to be sent, perhaps the choice
        bar = self.window().statusBar()  # type: ignore[attr-defined]
        if self.settled_message and bar.currentMessage() == self.settled_message:
            bar.clearMessage()
        self.settled_message = ""

    def _settle_failed(self, error: BaseException) -> None:
        self._show_details()
        show_error(self, error)
