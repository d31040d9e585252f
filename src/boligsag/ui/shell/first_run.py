"""First-run wizard: organisation → plan → areas → administrator → create → recovery key.

The database is created off the GUI thread on the "creating" page. After that there is
no way back (the administrator page is the commit page), and the wizard cannot be
closed until the user confirms that the recovery key is printed or written down.
Before that, closing it (Esc, Annuller, the window's close button) asks first when
anything was typed or chosen, since all of it would be lost.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from boligsag.i18n import tr
from boligsag.services.errors import ValidationFailed
from boligsag.services.setup import SetupInput, SetupResult, create_database, validate_setup
from boligsag.ui.background import run_in_background
from boligsag.ui.errors import error_text
from boligsag.ui.icons import app_icon, icon
from boligsag.ui.recovery_sheet import key_lines, print_with_dialog, sheet_html
from boligsag.ui.shell.first_run_pages import (
    AdministratorPage,
    AreasPage,
    OrganisationPage,
    PlanPage,
    WelcomePage,
    page_title,
)
from boligsag.ui.sync_join.launcher import JoinLauncher
from boligsag.ui.theme import monospace_font
from boligsag.ui.widgets import FieldError, named


class CreatingPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        named(self, "creatingPage", tr("Creating the database"))
        self.setTitle(page_title(tr("Creating the database")))
        self.setSubTitle(tr("Boligsag encrypts the new database and its key file."))
        layout = QVBoxLayout(self)
        self.status = named(QLabel(tr("Creating the encrypted database…")), "creatingStatus",
                            tr("Status"))
        self.progress = named(QProgressBar(), "creatingProgress", tr("Progress"))
        self.progress.setRange(0, 0)  # Argon2id gives no progress to report: a busy bar
        self.error = FieldError("creatingError")
        self.error.setProperty("role", "banner")
        self.retry = named(QPushButton(tr("Try again")), "retryCreateButton", tr("Try again"))
        self.retry.hide()
        self.retry.clicked.connect(self.initializePage)
        self.busy = False
        layout.addStretch(1)
        for widget in (self.status, self.progress, self.error):
            layout.addWidget(widget)
        layout.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(2)

    def initializePage(self) -> None:
        wizard: FirstRunWizard = self.wizard()  # type: ignore[assignment]
        if wizard.result_ is not None:
            return
        self.error.clear_message()
        self.retry.hide()
        self.progress.show()
        self.busy = True
        wizard.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        data, path = wizard.setup_input(), wizard.db_path
        run_in_background(self, lambda _task: create_database(path, data),
                          on_success=self._created, on_failure=self._failed)

    def _created(self, result: SetupResult) -> None:
        self.busy = False
        wizard: FirstRunWizard = self.wizard()  # type: ignore[assignment]
        wizard.result_ = result
        self.progress.hide()
        self.status.setText(tr("The database has been created."))
        self.completeChanged.emit()
        QTimer.singleShot(0, wizard.next)  # nothing to read here: go on to the key

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self.wizard().button(QWizard.WizardButton.CancelButton).setEnabled(True)
        self.progress.hide()
        self.status.setText(tr("The database could not be created."))
        self.error.show_message(error_text(error))
        self.retry.show()
        self.retry.setFocus()

    def isComplete(self) -> bool:
        return self.wizard() is not None and self.wizard().result_ is not None  # type: ignore[attr-defined]


class RecoveryKeyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        named(self, "recoveryKeyPage", tr("Your recovery key"))
        self.setTitle(page_title(tr("Your recovery key")))
        self.setSubTitle(tr(
            "If every password is forgotten, this key is the only way into the data. "
            "It is shown only now."))
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.key_label = named(QLabel(), "recoveryKeyLabel", tr("Recovery key"))
        self.key_label.setProperty("role", "recoveryKey")
        self.key_label.setFont(monospace_font(22))
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                               Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout.addWidget(self.key_label)
        advice = QLabel(tr(
            "Print the key, or write it down by hand, and keep the paper locked away, apart "
            "from the computer. Do not save it in a file, an email or a photo."))
        advice.setWordWrap(True)
        layout.addWidget(advice)
        row = QHBoxLayout()
        self.print_button = named(QPushButton(icon("printer"), tr("&Print…")),
                                  "printRecoveryKeyButton", tr("Print the recovery key"))
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self._print)
        row.addWidget(self.print_button)
        self.printed_note = named(QLabel(), "printedNote", tr("Print status"))
        self.printed_note.setProperty("role", "muted")
        row.addWidget(self.printed_note, 1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.confirm = named(QCheckBox(tr("I have printed or &written down the key")),
                             "recoveryConfirmCheck", tr("I have printed or written down the key"))
        self.confirm.toggled.connect(self.completeChanged)
        layout.addWidget(self.confirm)

    def initializePage(self) -> None:
        result = self._wizard().result_
        assert result is not None
        self.key_label.setText("\n".join(key_lines(result.recovery_key)))

    def _wizard(self) -> FirstRunWizard:
        return self.wizard()  # type: ignore[return-value]

    def sheet(self) -> str:
        wizard = self._wizard()
        result = wizard.result_
        assert result is not None
        return sheet_html(result.recovery_key, wizard.organisation.name.text().strip(),
                          result.database_id, str(result.path), date.today())

    def _print(self) -> None:
        print_with_dialog(self, self.sheet(), lambda: self.printed_note.setText(
            tr("Sent to the printer. Check that the page came out readable.")))

    def isComplete(self) -> bool:
        return self.confirm.isChecked()


class FirstRunWizard(QWizard):
    """Emits :attr:`database_created` once the files exist, and is accepted when the
    user has confirmed the recovery key. Or, when the user chose to connect to a team
    on the first page, :attr:`team_joined` once the join dialog has opened the new
    replica (the controller then closes the wizard)."""

    database_created = Signal(object)  # SetupResult
    team_joined = Signal(object, str)  # AppContext, password (as AppEvents.team_joined)

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.result_: SetupResult | None = None
        named(self, "firstRunWizard", tr("Set up Boligsag"))
        self.setWindowTitle(tr("Set up Boligsag"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setTitleFormat(Qt.TextFormat.RichText)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, app_icon().pixmap(52, 52))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(720, 600)
        for button, text in ((QWizard.WizardButton.NextButton, tr("&Next")),
                             (QWizard.WizardButton.BackButton, tr("&Back")),
                             (QWizard.WizardButton.FinishButton, tr("&Finish")),
                             (QWizard.WizardButton.CancelButton, tr("Cancel")),
                             (QWizard.WizardButton.CommitButton, tr("&Create the database"))):
            self.setButtonText(button, text)
            named(self.button(button), f"wizard{button.name}", text)
        # The team database is suggested beside where this one would be saved.
        self.join_launcher = JoinLauncher(self, lambda: self.db_path.parent,
                                          self.team_joined.emit)
        self.welcome = WelcomePage(lambda: str(self.db_path), self._set_path,
                                   self.join_launcher.open)
        self.organisation = OrganisationPage()
        self.plan = PlanPage()
        self.areas = AreasPage()
        self.administrator = AdministratorPage()
        self.creating = CreatingPage()
        self.recovery = RecoveryKeyPage()
        for page in (self.welcome, self.organisation, self.plan, self.areas,
                     self.administrator, self.creating, self.recovery):
            self.addPage(page)
        self._untouched = self._answers()
        self._cancel_question: QMessageBox | None = None

    def _answers(self) -> tuple[object, ...]:
        """Everything the user can type or choose before the database exists, compared
        with how the wizard started to tell whether closing would lose anything."""
        values: list[object] = [self.db_path]
        for page in (self.organisation, self.plan, self.areas, self.administrator):
            values += [edit.text() for edit in page.findChildren(QLineEdit)]
            values += [combo.currentIndex() for combo in page.findChildren(QComboBox)]
            values += [edit.date() for edit in page.findChildren(QDateEdit)]
        values += [tuple(self.areas.areas())]
        return tuple(values)

    def has_answers(self) -> bool:
        return self._answers() != self._untouched

    def _set_path(self, name: str) -> None:
        path = Path(name)
        self.db_path = path if path.suffix else path.with_suffix(".db")

    def setup_input(self) -> SetupInput:
        org, plan, admin = self.organisation, self.plan, self.administrator
        start, end = plan.dates()
        extra = {
            "organisation_street": org.street.text().strip(),
            "organisation_postal_code": org.postal_code.text().strip(),
            "organisation_city": org.city.text().strip(),
            "organisation_phone": org.phone.text().strip(),
            "organisation_email": org.email.text().strip(),
        }
        return SetupInput(
            organisation_name=org.name.text().strip(),
            plan_name=plan.name.text().strip(),
            plan_period=plan.period.currentData(),
            plan_start=start,
            plan_end=end,
            areas=self.areas.areas(),
            admin_username=admin.username.text().strip(),
            admin_full_name=admin.full_name.text().strip(),
            admin_password=admin.passwords.text(),
            municipality=org.municipality.text().strip(),
            extra={k: v for k, v in extra.items() if v},
        )

    def problems(self, fields: tuple[str, ...]) -> dict[str, str]:
        """Translated messages for ``fields``: the service's rules plus the two checks
        only a form has (a postal code's shape, a repeated password)."""
        messages: dict[str, str] = {}
        try:
            validate_setup(self.setup_input())
        except ValidationFailed as failed:
            messages.update(failed.field_messages())
        postal = self.organisation.postal_code.text().strip()
        if postal and not re.fullmatch(r"\d{4}", postal):
            messages["organisation_postal_code"] = tr("A Danish postal code has four digits.")
        passwords = self.administrator.passwords
        if "password" not in messages and passwords.text() != passwords.repeat.text():
            messages["repeat"] = tr("The two passwords are not the same.")
        return {name: text for name, text in messages.items() if name in fields}

    def done(self, result: int) -> None:
        if result == QWizard.DialogCode.Accepted and self.result_ is not None:
            self.database_created.emit(self.result_)
        super().done(result)

    def reject(self) -> None:
        if self.result_ is not None:
            # The database exists; only an accepted Finish (key confirmed) closes now.
            box = QMessageBox(QMessageBox.Icon.Information, tr("Set up Boligsag"), tr(
                "The database has been created. Print or write down the recovery key and "
                "tick the box, then choose Finish."), QMessageBox.StandardButton.Ok, self)
            box.setObjectName("keyNotConfirmedMessage")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        if self.creating.busy:
            return  # creation is running; if it fails it removes its own files
        if not self.has_answers():
            super().reject()
            return
        self._ask_before_cancelling()

    def _ask_before_cancelling(self) -> None:
        if self._cancel_question is not None:
            self._cancel_question.raise_()
            return
        box = QMessageBox(QMessageBox.Icon.Question, tr("Set up Boligsag"),
                          tr("Do you want to cancel the set-up?"),
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(tr("What you have typed is not saved."))
        # Room for the sentence on one line (Qt sizes the box by its buttons).
        box.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 320px; }")
        named(box, "cancelSetupQuestion", tr("Cancel the set-up?"))
        leave = box.addButton(tr("Cancel set-up"), QMessageBox.ButtonRole.DestructiveRole)
        leave.setObjectName("cancelSetupButton")
        stay = box.addButton(tr("Continue"), QMessageBox.ButtonRole.RejectRole)
        stay.setObjectName("continueSetupButton")
        # Going on is the safe answer: Enter and Esc both keep what was typed.
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            self._cancel_question = None
            if box.clickedButton() is leave:
                super(FirstRunWizard, self).reject()

        box.finished.connect(answered)
        self._cancel_question = box
        box.open()
