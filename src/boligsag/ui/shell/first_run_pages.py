"""The question pages of the first-run wizard: welcome, organisation, plan, areas,
first administrator. Each page shows the service's own validation messages beside its
fields (``validate_setup`` is the single source of the rules)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from boligsag.formatting import qt_date_pattern
from boligsag.i18n import current_language, tr
from boligsag.resources import load_json
from boligsag.services.database_files import database_exists
from boligsag.services.setup import PLAN_PERIODS
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.fields import PostalTown
from boligsag.ui.file_dialogs import ask_save_path
from boligsag.ui.password_fields import NewPasswordFields
from boligsag.ui.sync_join.start_choice import StartChoice
from boligsag.ui.widgets import FieldError, form_layout, named

if TYPE_CHECKING:
    from boligsag.ui.shell.first_run import FirstRunWizard


def page_title(text: str) -> str:
    """Wizard titles in rich text: a clear heading instead of Qt's small bold line."""
    return f"<span style='font-size:15pt; font-weight:bold'>{escape(text)}</span>"


class QuestionPage(QWizardPage):
    """A page with a form whose fields get error labels by service field name."""

    fields: tuple[str, ...] = ()  # the SetupInput fields this page is responsible for

    def __init__(self, object_name: str, title: str, subtitle: str) -> None:
        super().__init__()
        named(self, object_name, title)
        self.setTitle(page_title(title))
        self.setSubTitle(subtitle)
        self.errors: dict[str, FieldError] = {}
        self.form = form_layout()

    def wizard_(self) -> FirstRunWizard:
        return self.wizard()  # type: ignore[return-value]

    def add_field(self, label: str, widget: QWidget, field: str | None = None) -> None:
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.form.addRow(caption, widget)
        if field is not None:
            error = FieldError(f"{field}Error")
            self.errors[field] = error
            self.form.addRow("", error)

    def show_errors(self, messages: dict[str, str]) -> bool:
        """Show this page's messages; True when the page has none."""
        mine = {name: text for name, text in messages.items() if name in self.errors}
        for name, error in self.errors.items():
            error.show_message(mine.get(name, ""))
        return not mine

    def validatePage(self) -> bool:
        return self.show_errors(self.wizard_().problems(self.fields))


def line_edit(object_name: str, accessible: str, placeholder: str = "") -> QLineEdit:
    edit = named(QLineEdit(), object_name, accessible)
    edit.setPlaceholderText(placeholder)
    return edit


class WelcomePage(QWizardPage):
    def __init__(self, db_path_text: Callable[[], str], choose: Callable[[str], None],
                 join: Callable[[], None] | None = None) -> None:
        """``join`` opens the "Forbind til teamserver…" dialog (ui/sync_join) when the
        user chooses to connect to a team instead of creating a database."""
        super().__init__()
        named(self, "welcomePage", tr("Welcome to Boligsag"))
        self.setTitle(page_title(tr("Welcome to Boligsag")))
        self.setSubTitle(tr("Let us set up Boligsag for your team. It takes a few minutes."))
        self._path_text, self._choose, self._join = db_path_text, choose, join
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.choice = StartChoice()
        self.choice.setVisible(join is not None)
        self.choice.changed.connect(self._choice_changed)
        layout.addWidget(self.choice)
        self.intro = intro = QLabel(tr(
            "<p>You will be asked for:</p><ol>"
            "<li>your organisation's name and address, for letterheads,</li>"
            "<li>the housing-social plan and its LBF period,</li>"
            "<li>the housing areas the plan covers,</li>"
            "<li>the first administrator's username and password.</li></ol>"
            "<p>Then Boligsag creates an encrypted database on this computer and shows a "
            "<b>recovery key</b>. Have a printer ready, or pen and paper: the key is the "
            "only way in if every password is forgotten.</p>"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.location = named(QLabel(), "databaseLocationLabel", tr("Database location"))
        self.location.setProperty("role", "small")
        self.location.setWordWrap(True)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.choose_button = named(QPushButton(tr("Choose another location…")),
                                   "chooseLocationButton", tr("Choose another location"))
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self._choose_location)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(self.choose_button)
        layout.addStretch(1)
        layout.addLayout(row)
        self.location_error = FieldError("locationError")
        layout.addWidget(self.location_error)

    def initializePage(self) -> None:
        self.location.setText(tr("The database will be saved as {path}", path=self._path_text()))

    def _choice_changed(self, joining: bool) -> None:
        # Joining makes no database here: what the wizard would ask and where it would
        # save is not shown, and Next opens the join dialog.
        for widget in (self.intro, self.location, self.choose_button):
            widget.setVisible(not joining)
        self.location_error.clear_message()
        wizard = self.wizard()
        if wizard is not None:
            text = tr("Co&nnect…") if joining else tr("&Next")
            button = wizard.button(QWizard.WizardButton.NextButton)
            wizard.setButtonText(QWizard.WizardButton.NextButton, text)
            button.setAccessibleName(text.replace("&", ""))
            # The wizard keeps a button's width: room for the longer of the two texts.
            button.setMinimumWidth(max(button.minimumWidth(), button.sizeHint().width()))

    def validatePage(self) -> bool:
        if self._join is not None and self.choice.joining():
            self._join()
            return False
        # Checked here, not after the commit page: there, going back is no longer possible.
        path = Path(self._path_text())
        if database_exists(path):
            self.location_error.show_message(tr(
                "There is already a database at {path}. Choose another location.",
                path=str(path)))
            return False
        self.location_error.clear_message()
        return True

    def _choose_location(self) -> None:
        # No "replace?" question: Boligsag never replaces a database anyway.
        chosen = ask_save_path(self, tr("Where should the database be saved?"),
                               Path(self._path_text()), tr("Boligsag database (*.db)"),
                               confirm_overwrite=False)
        if chosen is not None:
            self._choose(str(chosen))
            self.initializePage()


class OrganisationPage(QuestionPage):
    fields = ("organisation_name", "organisation_postal_code")

    def __init__(self) -> None:
        super().__init__("organisationPage", tr("Organisation"), tr(
            "The name and address appear on letters and reports."))
        self.name = line_edit("organisationNameEdit", tr("Organisation name"),
                              tr("e.g. Boligsocial indsats Sydbyen"))
        self.street = line_edit("organisationStreetEdit", tr("Street address"))
        self.postal_code = line_edit("organisationPostalCodeEdit", tr("Postal code"))
        self.postal_code.setMaxLength(4)
        self.city = line_edit("organisationCityEdit", tr("City"))
        self.municipality = line_edit("municipalityEdit", tr("Municipality"),
                                      tr("e.g. Aarhus Kommune"))
        self.phone = line_edit("organisationPhoneEdit", tr("Phone"))
        self.email = line_edit("organisationEmailEdit", tr("Email"))
        self.add_field(tr("&Name"), self.name, "organisation_name")
        self.add_field(tr("&Street address"), self.street)
        self.add_field(tr("&Postal code"), self.postal_code, "organisation_postal_code")
        self.add_field(tr("C&ity"), self.city)
        self.postal_town = PostalTown(self.postal_code, self.city, "organisationPostalCodeNote")
        self.form.addRow("", self.postal_town.note)
        self.add_field(tr("&Municipality"), self.municipality)
        self.add_field(tr("P&hone"), self.phone)
        self.add_field(tr("&Email"), self.email)
        self.setLayout(self.form)


class PlanPage(QuestionPage):
    fields = ("plan_name", "plan_period", "plan_end")

    def __init__(self) -> None:
        super().__init__("planPage", tr("Housing-social plan"), tr(
            "The plan funded by Landsbyggefonden. Its LBF period decides the focus areas "
            "that activities and summaries use."))
        self.name = line_edit("planNameEdit", tr("Plan name"),
                              tr("e.g. Helhedsplan for Sydbyen 2023–2026"))
        self.period = named(QComboBox(), "planPeriodCombo", tr("LBF period"))
        for period in PLAN_PERIODS:
            self.period.addItem(period.replace("-", "–"), period)
        self.start = self._date_edit("planStartEdit", tr("Start date"))
        self.end = self._date_edit("planEndEdit", tr("End date"))
        self.focus = named(QLabel(), "focusAreasPreview", tr("Focus areas of the period"))
        self.focus.setProperty("role", "muted")
        self.focus.setWordWrap(True)
        self.add_field(tr("Plan &name"), self.name, "plan_name")
        self.add_field(tr("LBF &period"), self.period, "plan_period")
        self.add_field(tr("&Start date"), self.start)
        self.add_field(tr("&End date"), self.end, "plan_end")
        self.form.addRow(tr("Focus areas"), self.focus)
        self.setLayout(self.form)
        self._dates_touched = False
        self.period.currentIndexChanged.connect(self._period_changed)
        self._period_changed()
        for edit in (self.start, self.end):
            edit.userDateChanged.connect(self._touch)

    def _date_edit(self, object_name: str, accessible: str) -> QDateEdit:
        edit = named(QDateEdit(), object_name, accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(qt_date_pattern())
        return edit

    def _touch(self) -> None:
        self._dates_touched = True

    def _period_changed(self) -> None:
        period: str = self.period.currentData()
        first, last = (int(year) for year in period.split("-"))
        if not self._dates_touched:
            # Prefill the whole period; most plans run for it, and it is easy to narrow.
            for edit, value in ((self.start, QDate(first, 1, 1)), (self.end, QDate(last, 12, 31))):
                edit.blockSignals(True)
                edit.setDate(value)
                edit.blockSignals(False)
        names = load_json("reference", "focus_areas.json")["periods"].get(period, [])
        key = "name_da" if current_language() == "da" else "name_en"
        self.focus.setText("\n".join(f"•  {entry[key]}" for entry in names))

    def dates(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()  # type: ignore[return-value]


class _ReturnAdds(QObject):
    """Return in the area field adds the area instead of pressing the wizard's Next."""

    def __init__(self, add: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._add = add

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and \
                event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                isinstance(watched, QLineEdit) and watched.text().strip():
            self._add()
            return True
        return False


class AreasPage(QuestionPage):
    fields = ("areas",)

    def __init__(self) -> None:
        super().__init__("areasPage", tr("Housing areas"), tr(
            "The housing areas (boligafdelinger) the plan covers. You can add more later."))
        self.entry = line_edit("areaNameEdit", tr("Housing area name"),
                               tr("e.g. Skovparken, afd. 12"))
        self.entry.installEventFilter(_ReturnAdds(self.add_area, self))
        self.add_button = named(QPushButton(tr("&Add")), "addAreaButton", tr("Add housing area"))
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_area)
        self.list = named(QListWidget(), "areasList", tr("Housing areas"))
        self.remove_button = named(QPushButton(tr("&Remove")), "removeAreaButton",
                                   tr("Remove the selected housing area"))
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.currentRowChanged.connect(
            lambda row: self.remove_button.setEnabled(row >= 0))
        self.remove_button.setEnabled(False)
        self.remove_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        caption = QLabel(tr("&Housing area"))
        caption.setBuddy(self.entry)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add_button)
        self.errors["areas"] = FieldError("areasError")
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.errors["areas"], 1)
        remove_row.addStretch(0)
        remove_row.addWidget(self.remove_button, 0,
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout()
        layout.setSpacing(8)
        layout.addWidget(caption)
        layout.addLayout(entry_row)
        layout.addWidget(self.list, 1)
        layout.addLayout(remove_row)
        self.setLayout(layout)

    def add_area(self) -> None:
        name = " ".join(self.entry.text().split())
        existing = {a.casefold() for a in self.areas()}
        if name and name.casefold() not in existing:
            self.list.addItem(name)
            self.errors["areas"].clear_message()
        self.entry.clear()
        self.entry.setFocus()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)

    def areas(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def validatePage(self) -> bool:
        if self.entry.text().strip():  # typed but not yet added: surely meant to be
            self.add_area()
        return super().validatePage()


class AdministratorPage(QuestionPage):
    fields = ("username", "full_name", "password", "repeat")

    def __init__(self) -> None:
        super().__init__("administratorPage", tr("First administrator"), tr(
            "This account creates the other users. Choose a password you will remember: "
            "it protects everything in the database."))
        self.full_name = line_edit("adminFullNameEdit", tr("Full name"))
        self.username = line_edit("adminUsernameEdit", tr("Username"), tr("e.g. mette.h"))
        self.add_field(tr("&Full name"), self.full_name, "full_name")
        self.add_field(tr("&Username"), self.username, "username")
        self.passwords = NewPasswordFields("admin", self)
        self.passwords.add_rows(self.form, tr("&Password"), tr("&Repeat password"))
        self.errors["password"] = self.passwords.password_error
        self.errors["repeat"] = self.passwords.repeat_error
        self.setLayout(self.form)
        self.setCommitPage(True)
