"""Plain-language text for the errors the UI can meet, in the current language.

Storage errors carry a stable ``code`` (their English ``str()`` is for logs and the
CLI); service errors translate themselves. Anything else is a bug: the user gets a
calm message and the technical detail, and the log gets the traceback.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from boligsag.documents.errors import DocumentError
from boligsag.i18n import tr
from boligsag.services.errors import ServiceError, StaleRecord
from boligsag.storage.errors import BoligsagStorageError, DatabaseLocked

log = logging.getLogger(__name__)


def storage_error_text(error: BoligsagStorageError) -> str:
    file = str(error.path) if error.path is not None else ""
    code = error.code
    if code == "wrong_password":
        return tr("Wrong username or password.")
    if code == "wrong_recovery_key":
        return tr("The recovery key does not unlock this database. Check the letters "
                  "and digits against the printed sheet.")
    if code == "sidecar_missing":
        return tr("The key file {file} is missing. The database cannot be opened without "
                  "it: restore it from the backup that belongs to this database.", file=file)
    if code == "sidecar_corrupt":
        return tr("The key file {file} is damaged. Restore it from the backup that belongs "
                  "to this database.", file=file)
    if code == "not_a_boligsag_database":
        return tr("{file} is not a Boligsag database, or it does not belong to the key file "
                  "beside it.", file=file)
    if code == "database_too_new":
        return tr("This database was saved by a newer version of Boligsag. Install the newer "
                  "version to open it.")
    if isinstance(error, DatabaseLocked) and error.waited_s is not None:
        return tr("The database is being changed by another Boligsag, and it did not "
                  "finish within {seconds} seconds. Try again in a moment.",
                  seconds=f"{error.waited_s:g}")
    if code == "database_locked":
        return tr("The database is in use by another program or another Boligsag window. "
                  "Close it there and try again.")
    if code == "database_wal_mismatch":
        return tr("The file {wal} beside the database does not belong to it, so Boligsag "
                  "did not open the database. Nothing has been changed. Move {wal} and "
                  "{shm} to another folder, then open the database again.",
                  wal=f"{file}-wal", shm=f"{file}-shm")
    if code == "database_read_only":
        return tr("Boligsag can't write to {file}: {reason}. Boligsag needs to write to the "
                  "database (for the audit log). Ask your administrator for help.",
                  file=file, reason=tr("the file, its folder or the drive is read-only"))
    if code == "integrity_failed":
        return tr("The database failed its integrity check. Do not use it: ask your "
                  "administrator to restore the latest backup.")
    if code == "cipher_settings_mismatch":
        return tr("The encryption library on this computer does not match the database. "
                  "Ask your administrator for help.")
    if code == "database_missing":
        return tr("The database file {file} does not exist.", file=file)
    if code == "kdf_out_of_memory":
        return tr("There is not enough free memory on this computer to check the password. "
                  "Close other programs and try again.")
    if code == "database_exists":
        return tr("{file} already exists. Boligsag never creates a new database over an "
                  "existing one.", file=file)
    return tr("The database could not be opened: {detail}", detail=str(error))


def error_text(error: BaseException) -> str:
    if isinstance(error, BoligsagStorageError):
        return storage_error_text(error)
    if isinstance(error, ServiceError):
        return error.message()
    if isinstance(error, DocumentError):  # a letter's missing data or broken template
        return error.translated()
    if isinstance(error, OSError):
        return tr("The file could not be read or written: {detail}",
                  detail=error.strerror or str(error))
    log.error("unexpected error", exc_info=error)
    return tr("Something unexpected went wrong: {detail}", detail=str(error) or
              type(error).__name__)


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
