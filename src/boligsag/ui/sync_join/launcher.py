"""Opening the join dialog from Administration and from the first-run wizard: one
dialog at a time, and again on the file a stopped join was kept in, so it resumes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from boligsag.services.context import AppContext

from .dialog import JoinDialog


class JoinLauncher(QObject):
    """Opens the dialog window-modal over ``parent``, one at a time, and opens it again
    on the file a stopped join was kept in, so that it resumes. Used by Administration
    and by the first-run wizard."""

    def __init__(self, parent: QWidget, folder: Callable[[], Path],
                 on_joined: Callable[[AppContext, str], None]) -> None:
        super().__init__(parent)
        self._parent, self._folder, self._on_joined = parent, folder, on_joined
        self.dialog: JoinDialog | None = None
        self._kept: Path | None = None

    def open(self) -> JoinDialog:
        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        dialog = JoinDialog(self._folder(), self._parent, path=self._kept)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.joined.connect(self._on_joined)
        dialog.finished.connect(lambda _code: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: JoinDialog) -> None:
        self._kept = dialog.kept_path()
        self.dialog = None
