"""Small building blocks every window uses: naming for tests and screen readers,
actions with visible shortcuts, field error labels, headers and empty states."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.password_policy import MIN_PASSWORD_LENGTH
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.icons import pixmap
from boligsag.ui.theme import PRIMARY

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible_name: str, description: str = "") -> W:
    """Give a widget the stable id tests find it by and the name a screen reader says."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible_name.replace("&", ""))
    if description:
        widget.setAccessibleDescription(description)
    return widget


def page_button(text: str, name: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    """A page's push button: named, its tooltip also its accessible description, and
    not a default button (Enter belongs to the page's list)."""
    button = named(QPushButton(text), name, text.replace("&", "").rstrip("…"), tip)
    button.setToolTip(tip)
    button.setAutoDefault(False)
    button.clicked.connect(slot)
    return button


def make_action(
    parent: QObject,
    object_name: str,
    text: str,
    *,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    tip: str = "",
    triggered: Callable[[], object] | None = None,
    checkable: bool = False,
) -> QAction:
    """A QAction with an objectName, a tooltip that shows its shortcut, and its
    accessible name.

    QAction has no accessibleName property of its own: menus and tool buttons give
    assistive technology the action's text. The same plain text is mirrored in the
    dynamic property ``accessibleName`` so every action can be checked uniformly.
    """
    action = QAction(text, parent)
    action.setObjectName(object_name)
    plain = text.replace("&", "").rstrip("…").strip()
    action.setProperty("accessibleName", plain)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tooltip = tip or plain
    action.setToolTip(f"{tooltip} ({keys})" if keys else tooltip)
    action.setStatusTip(tip or plain)
    action.setCheckable(checkable)
    if triggered is not None:
        action.triggered.connect(lambda _checked=False: triggered())
    return action


def grow_to_fit(window: QWidget) -> None:
    """Make an open dialog tall enough for what its layout now holds.

    A dialog keeps the size it opened with; when messages appear under several fields
    at once, Qt squeezes the rows instead, and wrapped messages, check boxes and hints
    are cut through the middle of a line. Growing (never shrinking, and never past the
    screen) keeps every line whole; the user's own width is kept.
    """
    layout = window.layout()
    if not isinstance(window, QDialog) or not window.isVisible() or layout is None:
        return
    layout.activate()
    width = window.width()
    needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
              else layout.totalSizeHint().height())
    screen = window.screen()
    if screen is not None:
        frame = window.frameGeometry().height() - window.height()
        needed = min(needed, screen.availableGeometry().height() - frame)
    if needed > window.height():
        window.resize(width, needed)


class FieldError(QLabel):
    """A message shown under a form field; hidden while there is nothing to say.

    It wraps (never a fixed height), and the dialog around it grows to show it whole.
    """

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, tr("Error message"))
        self.setProperty("role", "error")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setVisible(bool(text))
        if text:
            # After the event loop has laid the new message out; several messages shown
            # together each ask, and the later asks find the dialog already big enough.
            QTimer.singleShot(0, self, lambda: grow_to_fit(self.window()))

    def clear_message(self) -> None:
        self.show_message("")


class PageHeader(QWidget):
    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.setSpacing(2)
        self.title_label = named(QLabel(title), "pageTitle", title)
        self.title_label.setProperty("role", "pageTitle")
        layout.addWidget(self.title_label)
        self.subtitle_label = named(QLabel(subtitle), "pageSubtitle", subtitle or title)
        self.subtitle_label.setProperty("role", "muted")
        self.subtitle_label.setWordWrap(True)
        if not subtitle:  # (not setVisible: see DialogHeader)
            self.subtitle_label.hide()
        layout.addWidget(self.subtitle_label)


class EmptyState(QFrame):
    """A friendly card saying what will appear here, instead of a blank area."""

    def __init__(self, heading: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "emptyState", heading, text)
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(8)
        title = QLabel(heading)
        title.setProperty("role", "cardTitle")
        title.setWordWrap(True)
        body = QLabel(text)
        body.setWordWrap(True)
        body.setProperty("role", "muted")
        layout.addWidget(title)
        layout.addWidget(body)


def password_strength(password: str) -> tuple[int, str]:
    """(0-3, text) for the hint beside a new password. A hint, not a rule: the only rule
    is the minimum length, which the service enforces."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return 0, tr("Too short: at least {length} characters.", length=MIN_PASSWORD_LENGTH)
    kinds = sum(
        any(test(ch) for ch in password)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if len(password) >= 16 or (len(password) >= 12 and kinds >= 3):
        return 3, tr("Strong password.")
    if len(password) >= 12 or kinds >= 3:
        return 2, tr("Good. A few more words make it stronger.")
    return 1, tr("Weak. Use a longer sentence of several words.")


class PasswordHint(QLabel):
    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, tr("Password strength"))
        self.setWordWrap(True)
        self.update_for("")

    def update_for(self, password: str) -> None:
        level, text = password_strength(password)
        self.setText(text if password else tr(
            "At least {length} characters. A sentence of several words is easy to "
            "remember and hard to guess.", length=MIN_PASSWORD_LENGTH))
        self.setProperty("strength", str(level) if password else "")
        self.setAccessibleDescription(self.text())
        # Re-polish so the stylesheet's [strength="..."] colour follows the new value.
        self.style().unpolish(self)
        self.style().polish(self)


class DialogHeader(QWidget):
    """Icon, title and one line of explanation at the top of a small dialog."""

    def __init__(self, icon_name: str, title: str, text: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(14)
        picture = QLabel()
        picture.setPixmap(pixmap(icon_name, PRIMARY, 40, 1.6))
        picture.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(picture)
        texts = QVBoxLayout()
        texts.setSpacing(3)
        self.title_label = named(QLabel(title), "dialogTitle", title)
        self.title_label.setProperty("role", "heading")
        texts.addWidget(self.title_label)
        self.text_label = named(QLabel(text), "dialogText", text or title)
        self.text_label.setProperty("role", "muted")
        self.text_label.setWordWrap(True)
        if not text:  # hide() only: setVisible(True) on a label without a parent yet
            self.text_label.hide()  # opens it as a window of its own for a moment
        texts.addWidget(self.text_label)
        layout.addLayout(texts, 1)


def form_layout(spacing: int = 8) -> QFormLayout:
    """Labels left-aligned and centred on their field, fields growing to the width."""
    form = QFormLayout()
    form.setSpacing(spacing)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def ok_cancel_buttons(
    dialog: QDialog, ok_text: str, object_prefix: str, on_ok: Callable[[], None],
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The OK/Cancel row of a form dialog: OK is the default (Enter submits, wherever the
    focus is) and runs ``on_ok``, which validates before it closes; Cancel (Esc) rejects.
    The buttons are named ``<prefix>OkButton`` and ``<prefix>CancelButton`` for the tests."""
    buttons = QDialogButtonBox()
    ok_button = named(buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole),
                      f"{object_prefix}OkButton", ok_text)
    cancel_button = named(buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole),
                          f"{object_prefix}CancelButton", tr("Cancel"))
    ok_button.setDefault(True)
    # A save disables OK while it runs; Qt moves the focus on to Cancel and OK loses the
    # default, so the next Enter after a refused save would close the dialog and lose
    # what was typed. Cancel never takes the default (Space still presses it), and OK is
    # the default again whenever it is enabled again.
    cancel_button.setAutoDefault(False)
    _DefaultKeeper(ok_button)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons, ok_button, cancel_button


class _DefaultKeeper(QObject):
    """Makes ``button`` the dialog's default again each time it is re-enabled."""

    def __init__(self, button: QPushButton) -> None:
        super().__init__(button)
        self._button = button
        button.installEventFilter(self)

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.EnabledChange and self._button.isEnabled():
            self._button.setDefault(True)
        return False
