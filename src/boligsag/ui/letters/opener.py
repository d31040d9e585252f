"""Render a letter off the GUI thread, then show it in the preview.

Rendering takes 100–300 ms (reportlab, embedded fonts), so it runs through
``run_in_background``; the caller's window shows a busy cursor meanwhile. A refusal
(no valid consent, a missing address, a broken template) is shown as a message that
says what to fix."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from boligsag.i18n import tr
from boligsag.services.context import AppContext
from boligsag.services.letters import LetterPdf
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.errors import error_text

from .preview import LetterPreviewDialog


def open_letter_preview(
    parent: QWidget,
    ctx: AppContext,
    render: Callable[[], LetterPdf],
    *,
    on_opened: Callable[[LetterPreviewDialog], None] | None = None,
) -> BackgroundTask:
    parent.setCursor(Qt.CursorShape.BusyCursor)

    def rendered(letter: LetterPdf) -> None:
        parent.unsetCursor()
        dialog = LetterPreviewDialog(ctx, letter, parent.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        if on_opened is not None:
            on_opened(dialog)

    def failed(error: BaseException) -> None:
        parent.unsetCursor()
        box = QMessageBox(QMessageBox.Icon.Warning, tr("The letter cannot be shown"),
                          error_text(error), QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("letterErrorBox")
        box.setAccessibleName(tr("The letter cannot be shown"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    return run_in_background(parent, lambda _task: render(), on_success=rendered,
                             on_failure=failed)
