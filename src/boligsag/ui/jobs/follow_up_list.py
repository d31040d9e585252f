"""The start page's "Opfølgning" list: contact follow-ups and job follow-ups that are
due, oldest first, overdue ones in red. ``FollowUpList(ctx, events)``.

One keystroke marks the chosen one done: Space or Ctrl+D (a job follow-up then asks
yes / no / unknown, answered with J / N / U), or J / N / U straight on a job row; the
status bar then offers "Fortryd" (or Ctrl+Z) for a few seconds.
Enter or a double-click emits ``open_person(person_id)`` for the page to wire. The
list loads off the GUI thread and refreshes itself on ``events.changed`` (when hidden,
on the next show)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.enums import StillEmployed
from boligsag.domain.permissions import Permission
from boligsag.i18n import tr
from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.follow_ups import (
    FollowUpDone,
    FollowUpItem,
    FollowUpKind,
    due_follow_ups,
    mark_follow_up_done,
    undo_follow_up_done,
)
from boligsag.ui.activities.buttons import page_shortcut
from boligsag.ui.errors import error_text
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.models.table import current_row, keep_selection, select_key, setup_table
from boligsag.ui.reloader import Reloader
from boligsag.ui.row_menu import add_row_menu
from boligsag.ui.undo_notice import UndoNotice
from boligsag.ui.widgets import make_action, named

from .answer import StillEmployedDialog, answer_for_key
from .models import FollowUpColumn, FollowUpModel

_RELOAD = frozenset({Entity.FOLLOW_UPS, Entity.CONTACTS, Entity.JOBS, Entity.PEOPLE})


class FollowUpTable(QTableView):
    def __init__(self, owner: FollowUpList) -> None:
        super().__init__()
        self.owner = owner

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                         | Qt.KeyboardModifier.AltModifier)
        if event.key() == Qt.Key.Key_Space and plain:
            self.owner.mark_done()
            return
        answer = answer_for_key(event)
        item = current_row(self)
        if answer is not None and item is not None and item.kind == FollowUpKind.JOB:
            self.owner.mark_done(answer)
            return
        super().keyPressEvent(event)


class FollowUpList(QWidget):
    open_person = Signal(int)
    open_item = Signal(object)  # the FollowUpItem, e.g. to open an anonymous contact

    def __init__(self, ctx: AppContext, events: AppEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self._select_after_load: object | None = None  # a follow-up brought back by undo
        self.loaded = False
        named(self, "followUpList", tr("Follow-ups"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        top = QHBoxLayout()
        self.summary = named(QLabel(tr("Loading…")), "followUpSummary",
                             tr("Follow-ups due"))
        self.summary.setProperty("role", "muted")
        self.only_mine = named(QCheckBox(tr("Only mine")), "followUpOnlyMineCheck",
                               tr("Only my follow-ups"))
        self.only_mine.setToolTip(tr("Contacts you logged and jobs you recorded"))
        self.only_mine.toggled.connect(lambda _on: self.reloader.reload())
        top.addWidget(self.summary, 1)
        top.addWidget(self.only_mine)
        layout.addLayout(top)

        self.model = FollowUpModel(self)
        self.table = setup_table(
            named(FollowUpTable(self), "followUpTable", tr("Follow-ups due")), self.model,
            stretch=FollowUpColumn.WHAT, widths={FollowUpColumn.PERSON: 240},
            fit=(FollowUpColumn.DUE, FollowUpColumn.KIND))
        self.table.activated.connect(lambda _i: self.open_current())
        layout.addWidget(self.table, 1)
        self.hint = named(QLabel(tr(
            "Space or Ctrl+D: done · J / N / U: answer a job follow-up · Enter: open the "
            "person")), "followUpHint", tr("Keyboard"))
        self.hint.setProperty("role", "small")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.error = named(QLabel(), "followUpError", tr("Error message"))
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.undo_notice = UndoNotice(self, layout)

        self.action_done = page_shortcut(make_action(
            self, "actionFollowUpDone", tr("Mark follow-up &done"), shortcut="Ctrl+D",
            triggered=self.mark_done, tip=tr("Done with the chosen follow-up")), self)
        self.action_open = make_action(self, "actionFollowUpOpenPerson", tr("&Open person"),
                                       triggered=self.open_current)
        add_row_menu(self.table, lambda: [self.action_done, self.action_open],
                     "followUpRowMenu")
        self.reloader = Reloader(self, events, _RELOAD, loader=self._loader, apply=self._show,
                                 failed=self._failed)

    def actions(self) -> list[QAction]:  # type: ignore[override]
        return [self.action_done, self.action_open]

    # -- loading --------------------------------------------------------------------------

    def _loader(self) -> Callable[[], list[FollowUpItem]]:
        return partial(due_follow_ups, self.ctx, only_mine=self.only_mine.isChecked())

    def _show(self, items: list[FollowUpItem]) -> None:
        self.error.hide()
        restore = keep_selection(self.table, self.model)
        self.model.today = self.ctx.today()
        self.model.set_rows(items)
        wanted, self._select_after_load = self._select_after_load, None
        if not (wanted is not None and select_key(self.table, self.model, wanted)):
            restore()
        if current_row(self.table) is None and items:
            select_key(self.table, self.model, self.model.key(items[0]))
        self.loaded = True
        self._summarise()

    def _summarise(self) -> None:
        items = self.model.rows()
        overdue = sum(1 for item in items if item.overdue)
        if not items:
            self.summary.setText(tr("Nothing is due. New follow-ups appear here on their "
                                    "date."))
        elif overdue:
            self.summary.setText(tr("{count} due, {overdue} of them overdue",
                                    count=len(items), overdue=overdue))
        else:
            self.summary.setText(tr("{count} due", count=len(items)))
        self.hint.setVisible(bool(items))
        self.action_done.setEnabled(bool(items))

    def _failed(self, error: BaseException) -> None:
        self.error.setText(error_text(error))
        self.error.show()

    def _mark_failed(self, error: BaseException) -> None:
        self._failed(error)
        self.reloader.reload()  # the row was taken away at once: bring the truth back

    # -- commands -------------------------------------------------------------------------

    def current_item(self) -> FollowUpItem | None:
        return current_row(self.table)

    def open_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        self.open_item.emit(item)
        if item.person_ids:
            self.open_person.emit(item.person_ids[0])

    def mark_done(self, answer: StillEmployed | None = None) -> StillEmployedDialog | None:
        """Done with the chosen follow-up; a job follow-up without ``answer`` asks."""
        item = self.current_item()
        if item is None:
            return None
        needed = Permission.MANAGE_JOBS if item.kind == FollowUpKind.JOB \
            else Permission.LOG_CONTACTS
        if not self.ctx.actor.can(needed):
            return None
        if item.kind == FollowUpKind.JOB and answer is None:
            dialog = StillEmployedDialog(
                tr("Is {name} still employed?", name=item.person_names), item.text, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.answered.connect(lambda value: self.mark_done(StillEmployed(value)))
            dialog.open()
            return dialog
        self._remove(item)
        run_service(self, self.events, mark_follow_up_done, self.ctx, item,
                    still_employed=answer, on_success=self._marked,
                    on_failure=self._mark_failed)
        return None

    def _marked(self, done: FollowUpDone) -> None:
        if done.version is not None:
            self.undo_notice.show_notice(tr("Marked as done"), lambda: self.undo(done))

    def undo(self, done: FollowUpDone) -> None:
        """Make the follow-up due again (the status bar's Fortryd or Ctrl+Z)."""
        self.error.hide()
        run_service(self, self.events, undo_follow_up_done, self.ctx, done,
                    on_success=lambda _none: self._undone(done.item),
                    on_failure=self._failed)

    def _undone(self, item: FollowUpItem) -> None:
        self._select_after_load = self.model.key(item)
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(tr("The follow-up is due again."), 4_000)

    def _remove(self, item: FollowUpItem) -> None:
        """Take the row away at once and move to the next, so the next keystroke
        already works on it; the reload that follows the save confirms it."""
        row = self.model.find(self.model.key(item))
        if row < 0:
            return
        self.model.remove_row(row)
        if self.model.rowCount():
            select_key(self.table, self.model, None, fallback_row=row)
        self._summarise()
