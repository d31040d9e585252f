"""What every casework form dialog here does the same way: a header, a banner for
errors that belong to no field, Save (Enter, and Ctrl+Enter from a multi-line field)
and Cancel, the save run off the GUI thread through ``run_service`` (so the open views
refresh), and field messages in place when the service refuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.ui.background import run_in_background
from boligsag.ui.events import AppEvents, run_service
from boligsag.ui.widgets import DialogHeader, FieldError, named

from .forms import FormErrors, banner


class ServiceDialog(QDialog):
    #: The service's result (a frozen row) after a successful save.
    saved = Signal(object)

    def __init__(self, ctx: Any, events: AppEvents | None, object_name: str, title: str,
                 parent: QWidget | None = None, *, icon: str = "calendar",
                 heading: str = "", text: str = "", save_text: str = "") -> None:
        super().__init__(parent)
        self.ctx, self.events = ctx, events
        self.busy = False
        self._prefix = object_name.removesuffix("Dialog")
        named(self, object_name, title)
        self.setWindowTitle(title)
        self.setModal(True)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.layout_.setContentsMargins(28, 22, 28, 20)
        self.layout_.setSpacing(12)
        self.header = DialogHeader(icon, heading or title, text)
        self.layout_.addWidget(self.header)
        self.banner = banner(f"{self._prefix}Banner")
        self.layout_.addWidget(self.banner)
        self.errors = FormErrors(self.banner)

        # Parented now: setDefault() only registers Save as the dialog's default button
        # when the button already has the dialog as an ancestor.
        self.buttons = QDialogButtonBox(self)
        self.save_button: QPushButton = named(
            self.buttons.addButton(save_text or tr("Save"),
                                   QDialogButtonBox.ButtonRole.AcceptRole),
            f"{self._prefix}SaveButton", save_text or tr("Save"))
        self.cancel_button: QPushButton = named(
            self.buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole),
            f"{self._prefix}CancelButton", tr("Cancel"))
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.cancel_button.setAutoDefault(False)
        keys = QKeySequence("Ctrl+Return").toString(QKeySequence.SequenceFormat.NativeText)
        self.save_button.setToolTip(tr("Save (Enter or {keys})", keys=keys))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for keys_text in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys_text), self, activated=self.submit)

    def set_form_width(self, width: int) -> None:
        """The dialog's minimum width. The layout's minimum-size constraint (which lets
        the window grow when messages appear) would override ``setMinimumWidth``, so
        the width goes on the header, which the layout then honours."""
        self.header.setMinimumWidth(width - 56)

    def fit_to_contents(self) -> None:
        """Grow to fit rows added after the window was shown (wrapped labels make
        Qt's own minimum a little short)."""
        self.layout_.invalidate()
        self.layout_.activate()
        width = max(self.width(), self.sizeHint().width())
        height = self.sizeHint().height()
        if self.layout_.hasHeightForWidth():
            height = max(height, self.layout_.totalHeightForWidth(width))
        self.resize(width, max(height, self.height()))

    def field_error(self, field: str, widget: QWidget | None) -> FieldError:
        """An error label for ``field`` (the service's draft field name)."""
        return self.errors.add(field, FieldError(f"{self._prefix}Error_{field}"), widget)

    def finish_layout(self) -> None:
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.buttons)

    # -- saving ---------------------------------------------------------------------------

    def submit(self) -> None:
        """Build the call in :meth:`prepare`; None means a field was refused locally."""
        if self.busy or not self.save_button.isEnabled():
            return
        self.errors.clear()
        call = self.prepare()
        if call is None:
            return
        func, args, kwargs = call
        self.set_busy(True)
        if self.events is not None:
            run_service(self, self.events, func, *args, on_success=self._saved,
                        on_failure=self._failed, **kwargs)
        else:
            run_in_background(self, lambda _task: func(*args, **kwargs),
                              on_success=self._saved, on_failure=self._failed)

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        raise NotImplementedError

    def _saved(self, result: Any) -> None:
        self.set_busy(False)
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.set_busy(False)
        self.errors.show(error)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)

    def reject(self) -> None:
        if not self.busy:
            super().reject()
