"""The "Forbind til teamserver…" dialog: what to join, then the join with its progress.

States: filling in (Forbind validates beside each field); joining (fields locked, a
progress bar, Annuller/Esc asks the join to stop at its next step); stopped (a cancelled
join is kept in its file and Forbind becomes Fortsæt: the same file resumes, also when
the dialog is opened again); failed (the service's own Danish message, e.g. a
certificate that does not match the fingerprint: refused, with no way past it).
On success :attr:`joined` carries the unlocked replica's ``AppContext`` and the password
(the sync logs in to the server with it while the app is unlocked; it is never stored)
and the dialog accepts; the opener decides what to open.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.errors import UserError
from boligsag.formatting import number_text
from boligsag.i18n import tr
from boligsag.services.sync_client.errors import (
    FingerprintMismatch,
    InvalidFingerprint,
    InvalidServerAddress,
    LoginRefused,
    SyncClientError,
)
from boligsag.services.sync_client.pinning import normalise_fingerprint
from boligsag.services.sync_client.server_link import normalise_url
from boligsag.ui.background import BackgroundTask, run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.file_dialogs import ask_save_path
from boligsag.ui.password_fields import enter_submits, retry_password
from boligsag.ui.theme import monospace_font
from boligsag.ui.widgets import DialogHeader, FieldError, form_layout, grow_to_fit, named

from .paths import suggested_path, with_suffix
from .work import (
    CONNECTING,
    DOWNLOADING,
    OPENING,
    JoinOutcome,
    JoinRequest,
    JoinServices,
    run_join,
)

FIELDS = ("url", "fingerprint", "username", "password", "path")


class JoinDialog(QDialog):
    """Emits :attr:`joined` with the open replica's context, then accepts."""

    joined = Signal(object, str)  # AppContext, the password it was joined with

    def __init__(self, folder: Path, parent: QWidget | None = None, *,
                 path: Path | None = None, services: JoinServices | None = None) -> None:
        """``folder``: where the team database is suggested (named after the server);
        ``path``: a file to resume or use instead (e.g. the one a cancelled join left)."""
        super().__init__(parent)
        self.folder = Path(folder)
        self._services = services
        self._task: BackgroundTask | None = None
        self._path_chosen = path is not None  # the user's own choice is never replaced
        self._stopped_at: Path | None = None  # the file a stopped join was kept in
        named(self, "joinTeamDialog", tr("Connect to team server"))
        self.setWindowTitle(tr("Connect to team server"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(12)
        layout.addWidget(DialogHeader("people", tr("Connect to team server"), tr(
            "Boligsag fetches the team's data into a new encrypted database on this "
            "computer. Your IT administrator gives you the server's address and its "
            "certificate fingerprint; log in with your username and password on the "
            "team server.")))
        self._build_form(layout)
        self._build_status(layout)
        self._build_buttons(layout)
        if path is not None:
            self.path.setText(str(path))
        else:
            self._follow_url()
        self._update_resume_note()
        self.url.setFocus()

    # -- building -------------------------------------------------------------------

    def _build_form(self, layout: QVBoxLayout) -> None:
        form = form_layout(6)
        self.errors: dict[str, FieldError] = {}
        self.url = named(QLineEdit(), "serverUrlEdit", tr("Server address"))
        self.url.setPlaceholderText("https://boligsag.example.dk:8443")
        self.fingerprint = named(QLineEdit(), "fingerprintEdit", tr("Certificate fingerprint"),
                                 tr("64 hexadecimal digits, with or without colons"))
        self.fingerprint.setFont(monospace_font(9))
        # Room for the whole fingerprint (95 characters with colons), so the one who
        # types it can compare it with the paper, pair by pair, without scrolling.
        sample = ":".join(["AB"] * 32)
        self.fingerprint.setMinimumWidth(
            self.fingerprint.fontMetrics().horizontalAdvance(sample) + 32)
        self.fingerprint.setPlaceholderText(tr("AB:CD:EF:… as boligsag server init printed it"))
        self.username = named(QLineEdit(), "joinUsernameEdit", tr("Username"))
        self.password = named(QLineEdit(), "joinPasswordEdit", tr("Password"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.path = named(QLineEdit(), "teamDatabasePathEdit", tr("Save the team database as"))
        self.choose = named(QPushButton(tr("C&hoose…")), "chooseTeamDatabaseButton",
                            tr("Choose where to save the team database"))
        path_row = QHBoxLayout()
        path_row.setSpacing(6)
        path_row.addWidget(self.path, 1)
        path_row.addWidget(self.choose)
        rows: tuple[tuple[str, str, QWidget, QLineEdit], ...] = (
            ("url", tr("&Server address"), self.url, self.url),
            ("fingerprint", tr("Certificate &fingerprint"), self.fingerprint, self.fingerprint),
            ("username", tr("&Username"), self.username, self.username),
            ("password", tr("&Password"), self.password, self.password),
        )
        for field, text, widget, buddy in rows:
            label = QLabel(text)
            label.setBuddy(buddy)
            form.addRow(label, widget)
            self.errors[field] = FieldError(f"{field}JoinError")
            form.addRow("", self.errors[field])

        label = QLabel(tr("Sa&ve as"))
        label.setBuddy(self.path)
        form.addRow(label, path_row)
        self.errors["path"] = FieldError("pathJoinError")
        form.addRow("", self.errors["path"])
        self.resume_note = named(QLabel(), "resumeJoinNote", tr("Resuming a join"))
        self.resume_note.setProperty("role", "muted")
        self.resume_note.setWordWrap(True)
        self.resume_note.setMinimumWidth(self.fingerprint.minimumWidth())
        self.resume_note.hide()
        form.addRow("", self.resume_note)
        for error in self.errors.values():
            # A wrapped label's minimum width is one word, and the form reserves the
            # height of that many lines: as wide as the fields, it takes the lines it needs.
            error.setMinimumWidth(self.fingerprint.minimumWidth())
        layout.addLayout(form)
        self.url.textChanged.connect(self._follow_url)
        self.path.textEdited.connect(self._path_edited)
        self.path.textChanged.connect(self._update_resume_note)
        self.choose.clicked.connect(self._choose_path)

    def _build_status(self, layout: QVBoxLayout) -> None:
        self.error = FieldError("joinError")
        self.error.setProperty("role", "banner")
        layout.addWidget(self.error)
        self.notice = named(QLabel(), "joinNotice", tr("Status of the join"))
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.stage = named(QLabel(), "joinStage", tr("What is happening"))
        self.stage.setProperty("role", "muted")
        self.stage.hide()
        layout.addWidget(self.stage)
        self.progress = named(QProgressBar(), "joinProgress", tr("Progress of the join"))
        # The percentage is in the stage label above, not on the bar: Qt draws the bar's
        # text in one colour, unreadable over either the dark fill or the light rest.
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout.addWidget(self.progress)

    def _build_buttons(self, layout: QVBoxLayout) -> None:
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.connect_button = named(
            buttons.addButton(tr("Connect"), QDialogButtonBox.ButtonRole.AcceptRole),
            "connectButton", tr("Connect"))
        self.cancel_button = named(
            buttons.addButton(tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole),
            "joinCancelButton", tr("Cancel"))
        enter_submits(self.connect_button, self.cancel_button, self.choose)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        chain = (self.url, self.fingerprint, self.username, self.password, self.path,
                 self.choose, self.connect_button, self.cancel_button)
        for first, second in pairwise(chain):
            self.setTabOrder(first, second)

    # -- the file -------------------------------------------------------------------

    def _follow_url(self) -> None:
        if not self._path_chosen:
            self.path.setText(str(suggested_path(self.folder, self.url.text())))

    def _path_edited(self) -> None:
        self._path_chosen = True

    def _choose_path(self) -> None:
        chosen = ask_save_path(self, tr("Where should the team database be saved?"),
                               self._path() or suggested_path(self.folder, self.url.text()),
                               tr("Boligsag database (*.db)"), suffix="db",
                               confirm_overwrite=False)
        if chosen is not None:
            self._path_chosen = True
            self.path.setText(str(chosen))

    def _path(self) -> Path | None:
        return with_suffix(self.path.text()) if self.path.text().strip() else None

    def resuming(self) -> bool:
        """The chosen file exists: Forbind resumes the join it holds (the service
        refuses a file that is anything else)."""
        path = self._path()
        return path is not None and path.is_file()

    def _update_resume_note(self) -> None:
        resuming = self.resuming()
        self.resume_note.setText(tr(
            "This file already exists. If it holds a join that was interrupted, Connect "
            "resumes it; the server address and fingerprint may then be left empty, as "
            "the file holds them.") if resuming else "")
        self.resume_note.setVisible(resuming)
        self.connect_button.setText(tr("Resume") if resuming else tr("Connect"))
        self._grow()

    # -- checking -------------------------------------------------------------------

    def problems(self) -> dict[str, str]:
        """Danish messages by field; the address and fingerprint rules are the
        service's own (server_link.normalise_url, pinning.normalise_fingerprint)."""
        found: dict[str, str] = {}
        url, fingerprint = self.url.text().strip(), self.fingerprint.text().strip()
        if not (self.resuming() and not url and not fingerprint):
            try:
                normalise_url(url)
            except InvalidServerAddress as error:
                found["url"] = error.message()
            try:
                normalise_fingerprint(fingerprint)
            except InvalidFingerprint as error:
                found["fingerprint"] = error.message()
        if not self.username.text().strip():
            found["username"] = tr("Enter your username on the team server.")
        if not self.password.text():
            found["password"] = tr("Enter your password on the team server.")
        path = self._path()
        if path is None:
            found["path"] = tr("Choose where to save the team database.")
        elif path.is_dir():
            found["path"] = tr("This is a folder. Add a file name, e.g. {name}.",
                               name=suggested_path(self.folder, url).name)
        elif path.parent.exists() and not path.parent.is_dir():
            found["path"] = tr("The folder {folder} cannot be used.", folder=str(path.parent))
        return found

    def request(self) -> JoinRequest:
        path = self._path()
        assert path is not None
        url, fingerprint = self.url.text().strip(), self.fingerprint.text().strip()
        if self.resuming() and not url and not fingerprint:
            return JoinRequest(path, None, None, self.username.text().strip(),
                               self.password.text())
        return JoinRequest(path, normalise_url(url), normalise_fingerprint(fingerprint),
                           self.username.text().strip(), self.password.text())

    # -- joining --------------------------------------------------------------------

    def busy(self) -> bool:
        return self._task is not None

    def submit(self) -> None:
        if self.busy():
            return
        messages = self.problems()
        for field, error in self.errors.items():
            error.show_message(messages.get(field, ""))
        if messages:
            self._widget_of(next(f for f in FIELDS if f in messages)).setFocus()
            return
        request = self.request()
        services = self._services or JoinServices.default()
        self.error.clear_message()
        self.notice.hide()
        self._set_busy(True)
        self._task = run_in_background(
            self, lambda task: run_join(task, request, services),
            on_success=self._finished, on_failure=self._failed, on_progress=self._progress)

    def cancel_join(self) -> None:
        """Annuller while joining: the join stops at its next step, keeping what it
        fetched; the dialog stays open to say so."""
        if self._task is None:
            return
        self._task.cancel()
        self.cancel_button.setEnabled(False)
        self.stage.setText(tr("Stopping…"))

    def _progress(self, done: int, total: int, stage: str) -> None:
        if self._task is None:
            return
        if stage in (CONNECTING, OPENING):
            self.progress.setRange(0, 0)  # a busy bar: nothing to count yet
            if not self._task.is_cancelled():
                self.stage.setText(tr("Connecting to the team server…") if stage == CONNECTING
                                   else tr("Opening the team database…"))
            return
        if stage == DOWNLOADING and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            text = tr("Fetching a copy of the team's data: {done} of {total} MB ({percent} %)",
                      done=number_text(done / 1000, 1), total=number_text(total / 1000, 1),
                      percent=min(done, total) * 100 // total)
        elif total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
            text = tr("Fetching the team's data: {done} of {total} records ({percent} %)",
                      done=number_text(done, 0), total=number_text(total, 0),
                      percent=min(done, total) * 100 // total)  # 100 % only when done
        else:
            self.progress.setRange(0, 0)
            text = tr("Fetching the team's data: {done} records so far",
                      done=number_text(done, 0))
        if not self._task.is_cancelled():
            self.stage.setText(text)

    def _finished(self, outcome: JoinOutcome) -> None:
        self._task = None
        self._set_busy(False)
        if outcome.ctx is None:
            self._stopped()
            return
        password = self.password.text()
        self.password.clear()
        self.joined.emit(outcome.ctx, password)
        self.accept()

    def kept_path(self) -> Path | None:
        """The file a stopped join was kept in (to resume), if the last join stopped."""
        return self._stopped_at

    def _stopped(self) -> None:
        self._update_resume_note()
        self._stopped_at = self._path() if self.resuming() else None
        if self.resuming():
            self.notice.setText(tr(
                "The join was stopped. What was fetched is kept in {path}. Choose Resume "
                "now or later (open this dialog again with the same file) to fetch the "
                "rest.", path=self.path.text().strip()))
        else:
            self.notice.setText(tr("The join was stopped before anything was saved."))
        self.notice.show()
        self._grow()
        self.connect_button.setFocus()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self._update_resume_note()
        # A join that failed after its file was made (a lost connection) resumes too.
        self._stopped_at = self._path() if self.resuming() else None
        # The service's own words: a SyncClientError's user_message(), another
        # UserError's message(); anything else is a bug, said calmly (ui/errors.py).
        text = error.user_message() if isinstance(error, SyncClientError) else error_text(error)
        self.error.show_message(text)
        if isinstance(error, FingerprintMismatch):
            self.fingerprint.setFocus()
            self.fingerprint.selectAll()
        elif isinstance(error, LoginRefused):
            retry_password(self.password, self.connect_button)
        elif isinstance(error, UserError):
            self.connect_button.setFocus()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.url, self.fingerprint, self.username, self.password, self.path,
                       self.choose, self.connect_button):
            widget.setEnabled(not busy)
        self.cancel_button.setEnabled(True)
        self.progress.setVisible(busy)
        self.stage.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
            self.stage.setText(tr("Connecting to the team server…"))
            self.cancel_button.setFocus()
        else:
            self.connect_button.setDefault(True)

    def _grow(self) -> None:
        # As FieldError does: once the new lines are laid out, the dialog grows to
        # show them whole instead of squeezing the form.
        QTimer.singleShot(0, self, lambda: grow_to_fit(self))

    def _widget_of(self, field: str) -> QWidget:
        return {"url": self.url, "fingerprint": self.fingerprint, "username": self.username,
                "password": self.password, "path": self.path}[field]

    # -- closing --------------------------------------------------------------------

    def reject(self) -> None:
        # Never close while the join runs: Esc and Annuller stop it instead, and the
        # dialog says what was kept.
        if self.busy():
            self.cancel_join()
            return
        super().reject()
