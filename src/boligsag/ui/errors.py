"""How the UI shows an error: a user error in its own words, anything else as a bug.

A :class:`~boligsag.errors.UserError` renders itself in the UI's language
(``message()``). Anything else is a bug: the user gets a calm Danish sentence, and the
log gets the error's type and where it was raised, never its text: a database error's
text quotes the SQL and its parameters (names, CPR numbers, notes), which must not reach
the screen or a log file.
"""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from boligsag.errors import UserError
from boligsag.i18n import tr
from boligsag.services.errors import StaleRecord

log = logging.getLogger(__name__)


def error_text(error: BaseException) -> str:
    if isinstance(error, UserError):
        return error.message()
    if isinstance(error, OSError):
        return tr("The file could not be read or written: {detail}",
                  detail=error.strerror or str(error))
    log_unexpected(error)
    return tr("Something unexpected went wrong. Try again, and tell your IT support if "
              "it happens again.")


def log_unexpected(error: BaseException, doing: str = "unexpected error") -> None:
    """Log a bug by its type and the places it passed through (file, line, function:
    code, not data); not ``exc_info``, whose text repeats the error's message.
    ``doing``: what failed, in words of the code (no data)."""
    frames = "; ".join(f"{frame.filename}:{frame.lineno} in {frame.name}"
                       for frame in traceback.extract_tb(error.__traceback__))
    log.error("%s (%s) at %s", doing, type(error).__name__, frames or "-")


def stale_form_text(*, reloaded: bool = False, reload_offered: bool = False) -> str:
    """What every form says when the record it edits was saved by someone else after it
    was opened (the service raised StaleRecord). The form stays open with what was
    typed, so the advice is about keeping that, not about the service's "reopen".
    ``reloaded``: the form has already shown their changes in the fields the user left
    alone (a settings panel that is never closed and reopened). ``reload_offered``: the
    form has a Reload button beside the message (the person form)."""
    if reload_offered:
        return tr("Someone else changed this after you opened the form. Reload to see "
                  "their changes, then make yours again.")
    if reloaded:
        return tr("Someone else changed this after you opened it, so your changes were "
                  "not saved. Their changes are now shown, except in the fields you "
                  "changed: check them and save again.")
    return tr("Someone else changed this after you opened the form, so your changes were "
              "not saved. What you typed is still here: note what you want to keep, then "
              "close the form and open it again to see their changes.")


def form_error_text(error: BaseException) -> str:
    """``error_text`` for a form's own message line: a stale record gets the form's
    wording (one text for every dialog), everything else the usual text."""
    if isinstance(error, StaleRecord):
        return stale_form_text()
    return error_text(error)


def show_error(parent: QWidget | None, error: BaseException, title: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title or tr("Boligsag"), error_text(error),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorMessageBox")
    box.setAccessibleName(tr("Error"))
    if parent is None:
        box.exec()  # nothing to attach to: a plain modal message
        return
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # window-modal and non-blocking; the parent keeps it alive
