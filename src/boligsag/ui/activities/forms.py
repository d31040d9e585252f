"""Form pieces the activity, session, job and network-mother dialogs share: date
fields (optional ones too), combo boxes of choices, Danish decimals, and one place that
puts a service's field messages beside their fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from boligsag.domain.closed_days import closed_day_note
from boligsag.formatting import qt_date_pattern
from boligsag.i18n import current_language, tr
from boligsag.services.errors import ValidationFailed
from boligsag.ui.errors import form_error_text
from boligsag.ui.labels import ui_locale
from boligsag.ui.theme import BORDER, PRIMARY_SOFT, SURFACE, TEXT, WARNING
from boligsag.ui.widgets import FieldError, named

# -- dates ---------------------------------------------------------------------------------


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())



def date_edit(object_name: str, accessible: str, value: date,
              maximum: date | None = None) -> QDateEdit:
    edit = named(QDateEdit(), object_name, accessible)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(qt_date_pattern())
    edit.setLocale(ui_locale())
    edit.setMinimumDate(QDate(1990, 1, 1))
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    edit.setMinimumWidth(150)
    return edit


class OptionalDate(QWidget):
    """A date the form may leave out: a check box switches the date field on. With
    ``say_closed_days`` (a follow-up's date) a chosen holiday or weekend day is named
    beside the field: the office to ring will be closed that day."""

    def __init__(self, object_name: str, check_text: str, accessible: str,
                 default: date, parent: QWidget | None = None, *,
                 say_closed_days: bool = False) -> None:
        super().__init__(parent)
        named(self, object_name, accessible)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.check = named(QCheckBox(check_text), f"{object_name}Check", accessible)
        self.check.setMinimumWidth(96)  # "Starts" and "Ends" rows line their dates up
        self.edit = date_edit(f"{object_name}Edit", accessible, default)
        self.edit.setEnabled(False)
        self.check.toggled.connect(self.edit.setEnabled)
        self.check.toggled.connect(lambda on: on and self.edit.setFocus())
        row.addWidget(self.check)
        row.addWidget(self.edit)
        self.closed_note: QLabel | None = None
        if say_closed_days:
            self.closed_note = named(QLabel(), f"{object_name}ClosedNote",
                                     tr("Holiday or weekend"))
            self.closed_note.setStyleSheet(f"color: {WARNING};")
            self.closed_note.setWordWrap(True)
            row.addWidget(self.closed_note, 1)
            self.edit.dateChanged.connect(lambda _d: self._say_closed_day())
            self.check.toggled.connect(lambda _on: self._say_closed_day())
            self._say_closed_day()
        row.addStretch(1)
        self.setFocusProxy(self.check)

    def _say_closed_day(self) -> None:
        if self.closed_note is None:
            return
        chosen = self.value()
        note = closed_day_note(chosen, current_language()) if chosen is not None else None
        self.closed_note.setText(note or "")
        self.closed_note.setVisible(bool(note))

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(to_qdate(value))


_PLAIN_SPIN = ("QSpinBox { padding: 5px 8px; } QSpinBox::up-button, QSpinBox::down-button "
               "{ subcontrol-origin: border; width: 0px; border: none; }")


def plain_spin(spin: QSpinBox, width: int | None = None) -> QSpinBox:
    """A number field without the arrow buttons (↑/↓ and typing still work): the
    theme's padding leaves the styled buttons no room to draw."""
    spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
    spin.setStyleSheet(_PLAIN_SPIN)
    edit = spin.findChild(QLineEdit)
    if edit is not None:
        edit.setTextMargins(5, 0, 5, 0)
    if width is not None:
        spin.setFixedWidth(width)
    return spin


def text_area(object_name: str, accessible: str, height: int,
              placeholder: str = "") -> QPlainTextEdit:
    """A few lines of free text; Tab moves on (Ctrl+Enter saves the dialog).

    The height goes in a style sheet: the theme's ``min-height`` would otherwise win
    over ``setFixedHeight`` when the widget is polished."""
    edit = named(QPlainTextEdit(), object_name, accessible)
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    edit.setStyleSheet(f"QPlainTextEdit {{ min-height: {height - 12}px; "
                       f"max-height: {height - 12}px; }}")
    return edit


def calm_list(widget: QListWidget) -> QListWidget:
    """A pick list in the look of the theme's lists: roomy rows, soft selection,
    long lines cut with "…" rather than scrolled sideways."""
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setTextElideMode(Qt.TextElideMode.ElideRight)
    widget.setStyleSheet(
        f"QListWidget {{ background: {SURFACE}; border: 1px solid {BORDER}; "
        f"border-radius: 5px; padding: 3px; outline: 0; }}"
        f"QListWidget::item {{ padding: 4px 6px; border-radius: 4px; }}"
        f"QListWidget::item:selected {{ background: {PRIMARY_SOFT}; color: {TEXT}; }}")
    return widget


# -- choices -------------------------------------------------------------------------------


def fill_combo(combo: QComboBox, items: Iterable[tuple[str, Any]],
               none_label: str | None = None) -> None:
    """(label, data) pairs; ``none_label`` adds a first entry whose data is None."""
    combo.clear()
    if none_label is not None:
        combo.addItem(none_label, None)
    for text, data in items:
        combo.addItem(text, data)


def select_data(combo: QComboBox, data: Any) -> None:
    index = combo.findData(data)
    if index < 0 and data is not None:
        return
    combo.setCurrentIndex(max(index, 0))


def combo(object_name: str, accessible: str, items: Iterable[tuple[str, Any]],
          none_label: str | None = None) -> QComboBox:
    box = named(QComboBox(), object_name, accessible)
    fill_combo(box, items, none_label)
    box.setMinimumWidth(220)
    return box


# -- numbers -------------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | None:
    """None for an empty field; raises ValueError if it is not a number."""
    cleaned = text.strip().replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None


# -- messages ------------------------------------------------------------------------------


class FormErrors:
    """Field messages beside their fields, everything else in one banner."""

    def __init__(self, banner: QLabel) -> None:
        self.banner = banner
        self.fields: dict[str, tuple[FieldError, QWidget | None]] = {}

    def add(self, field: str, error: FieldError, widget: QWidget | None = None) -> FieldError:
        self.fields[field] = (error, widget)
        return error

    def clear(self) -> None:
        for error, _ in self.fields.values():
            error.clear_message()
        self.banner.hide()
        self.banner.clear()

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setAccessibleDescription(text)
        self.banner.show()

    def show_field(self, field: str, text: str) -> None:
        error, widget = self.fields[field]
        error.show_message(text)
        if widget is not None:
            widget.setFocus()

    def show(self, error: BaseException) -> None:
        """Show a failed save: each field's message under it, the first one focused."""
        self.clear()
        if not isinstance(error, ValidationFailed):
            self.show_banner(form_error_text(error))
            return
        first: QWidget | None = None
        loose = []
        for field, text in error.field_messages().items():
            if field in self.fields:
                label, widget = self.fields[field]
                label.show_message(text)
                first = first or widget
            else:
                loose.append(text)
        if loose:
            self.show_banner(" ".join(loose))
        if first is not None:
            first.setFocus()


def banner(object_name: str) -> QLabel:
    """The red message at the top of a form, hidden while there is nothing to say."""
    label = named(QLabel(), object_name, tr("Error message"))
    label.setProperty("role", "banner")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class CheckGrid(QWidget):
    """Check boxes in columns, for topics and the like; ``values()`` are the data of the
    checked ones, in order."""

    def __init__(self, object_name: str, accessible: str, items: Iterable[tuple[str, Any]],
                 columns: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, accessible)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        self.boxes: list[tuple[QCheckBox, Any]] = []
        for number, (text, data) in enumerate(items):
            box = named(QCheckBox(text), f"{object_name}_{data}", text)
            grid.addWidget(box, number // columns, number % columns)
            self.boxes.append((box, data))
        for column in range(columns):
            grid.setColumnStretch(column, 1)
        if self.boxes:
            self.setFocusProxy(self.boxes[0][0])

    def values(self) -> tuple[Any, ...]:
        return tuple(data for box, data in self.boxes if box.isChecked())

    def set_values(self, values: Iterable[Any]) -> None:
        chosen = set(values)
        for box, data in self.boxes:
            box.setChecked(data in chosen)
