"""What a form's fields hold, read and put back generically (for :mod:`stale_notice`).

An editor whose record a colleague changed meanwhile needs two things no single form
knows how to do for every form: tell whether the user typed anything since the form was
filled, and, when the user keeps their own changes, put back exactly the fields they
changed on top of the colleague's values. Both work on the form's input widgets (line
and text edits, combo boxes, spin and date boxes, checkable buttons), compared by value.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItemIterator,
    QWidget,
)

#: One widget's value, as ``read`` gives it; opaque to callers.
Values = dict[QWidget, Any]


def inputs(root: QWidget, *, skip: QWidget | None = None) -> list[QWidget]:
    """The input widgets under ``root`` (parents before children), leaving out
    ``skip`` and its children, and the line edits inside spin and combo boxes (their
    owner is read instead)."""
    found: list[QWidget] = []
    for widget in root.findChildren(QWidget):
        if skip is not None and (widget is skip or skip.isAncestorOf(widget)):
            continue
        if _own(widget):
            found.append(widget)
            continue
        if isinstance(widget, QLineEdit) and isinstance(
                widget.parent(), QAbstractSpinBox | QComboBox):
            continue
        if isinstance(widget, QAbstractButton) and not widget.isCheckable():
            continue
        if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit | QComboBox | QSpinBox
                      | QDoubleSpinBox | QDateTimeEdit | QAbstractButton | QTreeWidget):
            found.append(widget)
    return found


def _own(widget: QWidget) -> bool:
    return callable(getattr(widget, "form_value", None))


def value_of(widget: QWidget) -> Any:
    if _own(widget):
        return widget.form_value()  # type: ignore[attr-defined]
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit | QTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QDateTimeEdit):
        return widget.dateTime()
    if isinstance(widget, QTreeWidget):
        return tuple(item.checkState(0) for item in _items(widget))
    assert isinstance(widget, QAbstractButton)
    return widget.isChecked()


def put(widget: QWidget, value: Any) -> None:
    """Give ``widget`` a value ``value_of`` read (the signals fire as if typed, so the
    form's own reactions, e.g. a field shown for one kind, follow)."""
    if _own(widget):
        widget.set_form_value(value)  # type: ignore[attr-defined]
    elif isinstance(widget, QLineEdit):
        widget.setText(value)
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        widget.setPlainText(value)
    elif isinstance(widget, QComboBox):
        index = widget.findText(value)
        if index >= 0:
            widget.setCurrentIndex(index)
        elif widget.isEditable():
            widget.setEditText(value)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        widget.setValue(value)
    elif isinstance(widget, QDateTimeEdit):
        widget.setDateTime(value)
    elif isinstance(widget, QAbstractButton):
        widget.setChecked(value)
    elif isinstance(widget, QTreeWidget):
        items = _items(widget)
        if len(items) == len(value):  # the same tree (its choices did not change)
            for item, state in zip(items, value, strict=True):
                item.setCheckState(0, state)


def _items(tree: QTreeWidget) -> list[Any]:
    found = []
    iterator = QTreeWidgetItemIterator(tree)
    while iterator.value() is not None:
        found.append(iterator.value())
        iterator += 1
    return found


def read(root: QWidget, *, skip: QWidget | None = None) -> Values:
    return {widget: value_of(widget) for widget in inputs(root, skip=skip)}


def changed(before: Values, now: Values) -> Values:
    """The widgets whose value differs from ``before`` (a widget added since counts
    only if it holds something)."""
    return {widget: value for widget, value in now.items() if shiboken6.isValid(widget)
            and (before[widget] != value if widget in before else value not in ("", False))}


def put_back(values: Values) -> None:
    """Put each value back into its widget, in the order read (a kind chosen before the
    fields it shows)."""
    for widget, value in values.items():
        if shiboken6.isValid(widget):  # a row the fill rebuilt is gone, and so is its value
            put(widget, value)
