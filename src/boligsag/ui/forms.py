"""Form pieces shared by the referral, consent and administration dialogs: date fields
written the Danish way, small section cards, badges, and service refusals shown beside
the field they concern (``ValidationFailed.field_messages()``)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import qt_date_pattern
from boligsag.services.errors import ValidationFailed
from boligsag.ui.errors import form_error_text
from boligsag.ui.labels import ui_locale
from boligsag.ui.widgets import FieldError, named


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def date_edit(object_name: str, accessible_name: str, value: date, *,
              minimum: date | None = None, maximum: date | None = None) -> QDateEdit:
    """A date field with a calendar, typed as 25-11-2026 in Danish."""
    edit = named(QDateEdit(to_qdate(value)), object_name, accessible_name)
    edit.setCalendarPopup(True)
    edit.setLocale(ui_locale())
    edit.setDisplayFormat(qt_date_pattern())
    edit.setMinimumWidth(150)
    edit.setMaximumWidth(170)
    if minimum is not None:
        edit.setMinimumDate(to_qdate(minimum))
    if maximum is not None:
        edit.setMaximumDate(to_qdate(maximum))
    edit.setDate(to_qdate(value))
    return edit


def text_box_height(edit: QPlainTextEdit, pixels: int) -> None:
    """A fixed height for a multi-line text field. Set through the widget's own style
    sheet: the application's ``min-height`` rule would otherwise replace a plain
    ``setFixedHeight`` when the widget is polished, and the box could shrink to a line."""
    edit.setStyleSheet(f"QPlainTextEdit {{ min-height: {pixels}px; max-height: {pixels}px; }}")


def no_auto_default(container: QWidget) -> None:
    """Buttons outside a dialog's button box must not turn into the default button when
    focused: Enter in a form field means the dialog's main action, not "Nyt samtykke"."""
    for button in container.findChildren(QPushButton):
        if not isinstance(button.parent(), QDialogButtonBox):
            button.setAutoDefault(False)


def buddy(text: str, widget: QWidget) -> QLabel:
    """A form label whose &-letter moves the focus to its field."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def section(object_name: str, title: str) -> tuple[QFrame, QVBoxLayout]:
    """A white card with a small heading, for one group of fields or facts."""
    card = named(QFrame(), object_name, title)
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(18, 14, 18, 16)
    layout.setSpacing(8)
    heading = QLabel(title.upper())
    heading.setProperty("role", "overline")
    layout.addWidget(heading)
    return card, layout


class Badge(QLabel):
    """A small rounded label: a status, a consent's state."""

    def __init__(self, object_name: str, accessible_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, accessible_name)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_badge(self, text: str, colors: tuple[str, str]) -> None:
        foreground, background = colors
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setStyleSheet(f"QLabel {{ color: {foreground}; background: {background}; "
                           "border-radius: 10px; padding: 3px 10px; font-weight: bold; }")
        self.show()


class FieldMessages:
    """Where each field's message goes: a service's field name -> its FieldError.
    Messages for fields without a place of their own go to the general label."""

    def __init__(self, general: FieldError) -> None:
        self.general = general
        self._labels: dict[str, FieldError] = {}

    def add(self, name: str, label: FieldError) -> FieldError:
        self._labels[name] = label
        return label

    def clear(self) -> None:
        self.general.clear_message()
        for label in self._labels.values():
            label.clear_message()

    def show(self, error: BaseException) -> None:
        self.clear()
        if not isinstance(error, ValidationFailed):
            self.general.show_message(form_error_text(error))
            return
        stray = []
        for name, message in error.field_messages().items():
            label = self._labels.get(name)
            if label is None:
                stray.append(message)
            else:
                label.show_message(message)
        self.general.show_message(" ".join(stray) if stray else error.message())

    def message_for(self, name: str) -> str:
        label = self._labels.get(name)
        return label.text() if label is not None and not label.isHidden() else ""
