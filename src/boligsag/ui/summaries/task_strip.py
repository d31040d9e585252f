"""A slim strip for work in the background: what is happening, a progress bar and a
Cancel button. Stage names from the services are internal English, so only the bar
moves; the text is the screen's own. Work that cannot say how far it is shows a busy
bar instead."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.ui.elide import ElidedLabel
from boligsag.ui.widgets import named

STEPS = 1000


class TaskStrip(QFrame):
    def __init__(self, object_name: str, accessible_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, object_name, accessible_name)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        self.label = named(ElidedLabel(), f"{object_name}Text", accessible_name)
        self.label.setProperty("role", "muted")
        # Its text in full when there is room, shortened with "…" when there is not.
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.label.setMaximumWidth(300)
        self.bar = named(QProgressBar(), f"{object_name}Progress", tr("Progress"))
        self.bar.setRange(0, STEPS)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(180)
        self.cancel_button = named(QPushButton(tr("Cancel")), f"{object_name}Cancel",
                                   tr("Cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self._on_cancel: Callable[[], None] | None = None
        self.hide()

    @property
    def running(self) -> bool:
        return self._on_cancel is not None

    def start(self, text: str, on_cancel: Callable[[], None], *, busy: bool = False) -> None:
        """Show the strip; ``busy`` for work without progress (the bar only moves)."""
        self._on_cancel = on_cancel
        self.label.setText(text)
        self.bar.setRange(0, 0 if busy else STEPS)
        self.bar.setValue(0)
        self.cancel_button.setEnabled(True)
        self.show()

    def progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setValue(int(STEPS * min(done, total) / total))

    def finish(self) -> None:
        self._on_cancel = None
        self.hide()

    def _cancel(self) -> None:
        if self._on_cancel is None:
            return
        self.label.setText(tr("Cancelling…"))
        self.cancel_button.setEnabled(False)
        self._on_cancel()
