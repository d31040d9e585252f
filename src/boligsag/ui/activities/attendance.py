"""The attendance list of the session screen: everyone enrolled, present or absent,
with an absence reason. Keyboard: ↑/↓ move (also while a reason is being typed: it is
kept), Space toggles present/absent, typing on an absent row writes its reason (Enter
keeps it), and the dialog's Enter saves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.sessions import AttendanceMark, SheetRow
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.models.rows import ID_ROLE, ROW_ROLE
from boligsag.ui.theme import ERROR, MUTED, SUCCESS

Index = QModelIndex | QPersistentModelIndex
MAX_REASON = 120


def reason_suggestions() -> list[str]:
    return [tr("Ill"), tr("Sent apologies"), tr("Holiday"), tr("Absent without notice"),
            tr("School or work"), tr("Other appointment")]


@dataclass
class Mark:
    """One line of the list while the screen is open (mutable, unlike service rows)."""

    person_id: int
    name: str
    enrolled: bool
    present: bool | None
    reason: str = ""


class AttendanceColumn(IntEnum):
    NAME = 0
    PRESENT = 1
    REASON = 2


class AttendanceModel(QAbstractTableModel):
    changed = Signal()  # any mark or reason changed: the counts follow

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._marks: list[Mark] = []

    # -- content --------------------------------------------------------------------------

    def set_rows(self, rows: tuple[SheetRow, ...], keep: dict[int, Mark] | None = None) -> None:
        """Fill from a session sheet; ``keep`` carries marks made before the date changed."""
        keep = keep or {}
        self.beginResetModel()
        self._marks = []
        for row in rows:
            earlier = keep.get(row.person_id)
            if earlier is not None and row.present is None:
                self._marks.append(Mark(row.person_id, row.name, row.enrolled,
                                        earlier.present, earlier.reason))
            else:
                self._marks.append(Mark(row.person_id, row.name, row.enrolled, row.present,
                                        row.absence_reason))
        self.endResetModel()
        self.changed.emit()

    def marks(self) -> list[Mark]:
        return list(self._marks)

    def attendance(self) -> tuple[AttendanceMark, ...]:
        return tuple(AttendanceMark(m.person_id, bool(m.present),
                                    "" if m.present else m.reason.strip())
                     for m in self._marks if m.present is not None)

    def counts(self) -> tuple[int, int, int]:
        """(present, absent, not marked yet)."""
        present = sum(1 for m in self._marks if m.present is True)
        absent = sum(1 for m in self._marks if m.present is False)
        return present, absent, len(self._marks) - present - absent

    def first_unmarked(self) -> int:
        return next((i for i, m in enumerate(self._marks) if m.present is None), -1)

    def set_present(self, row: int, present: bool | None) -> None:
        self._marks[row].present = present
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(AttendanceColumn) - 1))
        self.changed.emit()

    def toggle(self, row: int) -> None:
        """Not marked or absent → present; present → absent."""
        self.set_present(row, self._marks[row].present is not True)

    def all_present(self) -> None:
        for mark in self._marks:
            mark.present = True
        if self._marks:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._marks) - 1, len(AttendanceColumn) - 1))
        self.changed.emit()

    # -- Qt -------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._marks)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AttendanceColumn)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._marks):
            return None
        mark = self._marks[index.row()]
        column = AttendanceColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == AttendanceColumn.NAME:
                return mark.name if mark.enrolled else tr(
                    "{name} (no longer enrolled)", name=mark.name)
            if column == AttendanceColumn.PRESENT:
                return {True: tr("Present"), False: tr("Absent"),
                        None: tr("Not marked")}[mark.present]
            if mark.present is False and not mark.reason:
                return tr("Type a reason…")  # an invitation, shown muted
            return mark.reason
        if role == Qt.ItemDataRole.EditRole and column == AttendanceColumn.REASON:
            return mark.reason
        if role == Qt.ItemDataRole.CheckStateRole and column == AttendanceColumn.PRESENT:
            return {True: Qt.CheckState.Checked, False: Qt.CheckState.Unchecked,
                    None: Qt.CheckState.PartiallyChecked}[mark.present]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == AttendanceColumn.PRESENT:
                return QColor({True: SUCCESS, False: ERROR, None: MUTED}[mark.present])
            if not mark.enrolled or (column == AttendanceColumn.REASON and not mark.reason):
                return QColor(MUTED)
        if role == Qt.ItemDataRole.ToolTipRole and column == AttendanceColumn.REASON \
                and mark.present is False and not mark.reason:
            return tr("Type the reason, e.g. ill or sent apologies")
        if role == ROW_ROLE:
            return mark
        if role == ID_ROLE:
            return mark.person_id
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not 0 <= index.row() < len(self._marks):
            return False
        column = AttendanceColumn(index.column())
        if role == Qt.ItemDataRole.CheckStateRole and column == AttendanceColumn.PRESENT:
            state = Qt.CheckState(value.value if isinstance(value, Qt.CheckState) else value)
            self.set_present(index.row(), state == Qt.CheckState.Checked)
            return True
        if role == Qt.ItemDataRole.EditRole and column == AttendanceColumn.REASON:
            mark = self._marks[index.row()]
            if mark.present is not False:
                return False
            mark.reason = " ".join(str(value or "").split())[:MAX_REASON]
            self.dataChanged.emit(index, index)
            self.changed.emit()
            return True
        return False

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(AttendanceColumn)):
            return {AttendanceColumn.NAME: tr("Participant"),
                    AttendanceColumn.PRESENT: tr("Present?"),
                    AttendanceColumn.REASON: tr("Reason for absence")}[
                AttendanceColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemNeverHasChildren)
        column = AttendanceColumn(index.column())
        if column == AttendanceColumn.PRESENT:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif column == AttendanceColumn.REASON and self._marks[index.row()].present is False:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags


class ReasonDelegate(QStyledItemDelegate):
    """An editable combo box: pick a common reason or write one.

    ↑/↓ in the box keep what was typed and move to the previous/next person, as the
    list does (a plain editable combo box would replace the text with the neighbouring
    suggestion). The suggestions stay one Alt+↓ or F4 away."""

    step = Signal(int)  # -1 or +1: the reason was kept, move the cursor that far

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        editor = QComboBox(parent)
        editor.setObjectName("absenceReasonEditor")
        editor.setAccessibleName(tr("Reason for absence"))
        editor.setEditable(True)
        editor.addItems(reason_suggestions())
        editor.setCurrentIndex(-1)
        editor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        editor.lineEdit().setMaxLength(MAX_REASON)
        # Enter keeps the reason and returns to the list (the combo would swallow it).
        editor.lineEdit().returnPressed.connect(lambda: self._finish(editor))
        # The combo box holds the keyboard focus; its line edit is watched as well, for
        # key events delivered to it directly (input methods, accessibility tools).
        editor.installEventFilter(self)
        editor.lineEdit().installEventFilter(self)
        return editor

    def _finish(self, editor: QComboBox) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            editor = watched if isinstance(watched, QComboBox) else watched.parent()
            if isinstance(editor, QComboBox):
                self._finish(editor)
                self.step.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
                return True
        return super().eventFilter(watched, event)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setEditText(index.data(Qt.ItemDataRole.EditRole) or "")

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class AttendanceView(QTableView):
    def __init__(self, model: AttendanceModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attendanceTable")
        self.setAccessibleName(tr("Attendance"))
        self.setModel(model)
        reasons = ReasonDelegate(self)
        reasons.step.connect(self._step)
        self.setItemDelegateForColumn(AttendanceColumn.REASON, reasons)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.setTabKeyNavigation(False)
        self.setStyleSheet("QTableView { outline: 0; }")
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(34)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(AttendanceColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(AttendanceColumn.PRESENT, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(AttendanceColumn.PRESENT, 150)
        header.setSectionResizeMode(AttendanceColumn.REASON, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(AttendanceColumn.REASON, 250)
        self.attendance = model

    def start(self) -> None:
        """Focus the first line that still needs a mark (or the first line)."""
        if not self.attendance.rowCount():
            return
        row = max(self.attendance.first_unmarked(), 0)
        self.setCurrentIndex(self.attendance.index(row, AttendanceColumn.NAME))
        self.setFocus()

    def _step(self, delta: int) -> None:
        """Leave the reason just typed and go to the neighbouring person (if any)."""
        row = min(max(self.currentIndex().row() + delta, 0), self.attendance.rowCount() - 1)
        self.setCurrentIndex(self.attendance.index(row, AttendanceColumn.NAME))
        self.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if index.isValid() and self.state() != QAbstractItemView.State.EditingState:
            row = index.row()
            if event.key() == Qt.Key.Key_Space:
                self.attendance.toggle(row)
                return
            text = event.text()
            if text and text.isprintable() and not event.modifiers() & (
                    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                # An absent row: letters write the reason. Otherwise they jump to the
                # first name starting with them (the view's keyboard search).
                absent = self.attendance.marks()[row].present is False
                column = AttendanceColumn.REASON if absent else AttendanceColumn.NAME
                self.setCurrentIndex(self.attendance.index(row, column))
        super().keyPressEvent(event)
