"""The fields of a person, checked in place as they are typed.

The CPR number is optional; once it is a valid number, the birth date and gender it
carries are shown read-only beside it. Phone, postal code and e-mail are checked when
the field is left (the phone number is tidied to "12 34 56 78"); a known postal code
fills in the town. A birth date after today or more than 110 years back is not refused
but asked about on save (:meth:`PersonForm.birth_date_question`). The service checks
everything again on save; its messages land beside the same fields. A name or address
with characters letters cannot print (an emoji, Chinese) gets a warning under the
fields, from the service's own check; saving still works.
"""

from __future__ import annotations

import re
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.age import age_on
from boligsag.domain.cpr import (
    BirthDateDoubt,
    InvalidCpr,
    birth_date_doubt,
    decode_cpr,
)
from boligsag.domain.enums import Gender
from boligsag.formatting import qt_date_pattern, short_date
from boligsag.i18n import tr
from boligsag.services.casework_common import Choice, gender_choices, gender_label
from boligsag.services.people import PersonDetail, PersonDraft, unprintable_fields
from boligsag.services.person_fields import (
    is_valid_email,
    is_valid_postal_code,
    normalise_phone,
)
from boligsag.ui.activities.forms import FormErrors, text_area
from boligsag.ui.fields import PostalTown
from boligsag.ui.theme import DISABLED_FIELD, MUTED, WARNING
from boligsag.ui.widgets import FieldError, form_layout, named

_DATE = re.compile(r"^\s*(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})\s*$")


def parse_day(text: str) -> date | None:
    """"14-05-2011" (also with . or /); None for an empty field; ValueError otherwise."""
    if not text.strip():
        return None
    match = _DATE.match(text)
    if match is None:
        raise ValueError(text)
    day, month, year = (int(g) for g in match.groups())
    return date(year, month, day)


class PersonForm(QWidget):
    """``draft()`` reads the fields; ``fill()`` sets them from a saved person."""

    def __init__(self, today: date, areas: tuple[Choice, ...], errors: FormErrors,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.errors = errors
        # Birth dates that need no question again: the one saved with the person, and the
        # one the user last confirmed ("Ja, gem").
        self.saved_birth_date: date | None = None
        self.confirmed_birth_date: date | None = None
        named(self, "personForm", tr("Person"))
        # Derived from the CPR number: visibly not for typing in.
        self.setStyleSheet(f'QLineEdit[readOnly="true"], QComboBox:disabled {{ background: '
                           f'{DISABLED_FIELD}; color: {MUTED}; }}')
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        columns = QHBoxLayout()
        outer.addLayout(columns)
        columns.setSpacing(28)
        left, right = form_layout(8), form_layout(8)
        for form in (left, right):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.first_name = self._edit("personFirstNameEdit", tr("First name"), 80)
        self.last_name = self._edit("personLastNameEdit", tr("Last name"), 80)
        self.cpr = self._edit("personCprEdit", tr("CPR number"), 11)
        self.cpr.setPlaceholderText(tr("DDMMYY-SSSS (optional)"))
        self.birth_date = self._edit("personBirthDateEdit", tr("Birth date"), 10)
        self.birth_date.setPlaceholderText(qt_date_pattern().lower()
                                           .replace("yyyy", tr("yyyy")))
        self.gender = named(QComboBox(), "personGenderCombo", tr("Gender"))
        for choice in gender_choices():
            self.gender.addItem(choice.label, choice.code)
        self.gender.setCurrentIndex(self.gender.findData(str(Gender.UNKNOWN)))
        self.derived = named(QLabel(), "personCprDerived", tr("From the CPR number"))
        self.derived.setProperty("role", "small")
        self.derived.setWordWrap(True)
        self._row(left, tr("&First name"), self.first_name, "first_name")
        self._row(left, tr("&Last name"), self.last_name, "last_name")
        self._row(left, tr("&CPR number"), self.cpr, "cpr", extra=self.derived)
        self._row(left, tr("&Birth date"), self.birth_date, "birth_date")
        self._row(left, tr("&Gender"), self.gender, "gender")
        self.languages = self._edit("personLanguagesEdit", tr("Languages"), 120)
        self.languages.setPlaceholderText(tr("e.g. dansk, arabisk"))
        self._row(left, tr("L&anguages"), self.languages, "languages")
        self.print_warning = named(QLabel(), "personPrintWarning",
                                   tr("Characters letters cannot print"))
        self.print_warning.setWordWrap(True)
        self.print_warning.setStyleSheet(f"color: {WARNING};")
        self.print_warning.hide()
        outer.addWidget(self.print_warning)  # full width, under both columns

        self.phone = self._edit("personPhoneEdit", tr("Phone"), 20)
        self.phone.setPlaceholderText("12 34 56 78")
        self.email = self._edit("personEmailEdit", tr("E-mail"), 120)
        self.street = self._edit("personStreetEdit", tr("Street address"), 160)
        self.postal_code = self._edit("personPostalCodeEdit", tr("Postal code"), 4)
        self.postal_code.setFixedWidth(80)
        self.city = self._edit("personCityEdit", tr("Town"), 80)
        town = QHBoxLayout()
        town.setSpacing(8)
        town.addWidget(self.postal_code)
        town.addWidget(self.city, 1)
        self.area = named(QComboBox(), "personAreaCombo", tr("Housing area"))
        self.area.addItem(tr("Not chosen"), None)
        for choice in areas:
            self.area.addItem(choice.label, choice.id)
        self._row(right, tr("&Phone"), self.phone, "phone")
        self._row(right, tr("&E-mail"), self.email, "email")
        self._row(right, tr("&Address"), self.street, "street")
        self.postal_town = PostalTown(self.postal_code, self.city, "personPostalCodeNote")
        self._row(right, tr("Postal code and &town"), self.postal_code, "postal_code",
                  field=town, extra=self.postal_town.note)
        self._row(right, tr("Housing a&rea"), self.area, "area_id")
        self.restricted = named(QCheckBox(tr("Restricted case")), "personRestrictedCheck",
                                tr("Restricted case"))
        self.restricted.setToolTip(tr("Only you (the responsible staff member) and team leads "
                                      "can see a restricted case."))
        right.addRow("", self.restricted)
        self.note = text_area("personNoteEdit", tr("Note"), 62)
        self._row(right, tr("&Note"), self.note, "note")

        self.cpr.textChanged.connect(self._cpr_changed)
        self.phone.editingFinished.connect(self.check_phone)
        self.email.editingFinished.connect(self.check_email)
        self.postal_code.editingFinished.connect(self.check_postal_code)
        self.birth_date.editingFinished.connect(self.check_birth_date)
        for edit in (self.first_name, self.last_name, self.street, self.postal_code,
                     self.city):
            edit.textChanged.connect(self.check_printable)
        self._cpr_changed(self.cpr.text())

    # -- building -------------------------------------------------------------------------

    def _edit(self, object_name: str, accessible: str, length: int) -> QLineEdit:
        edit = named(QLineEdit(), object_name, accessible)
        edit.setMaxLength(length)
        return edit

    def _error(self, field: str, widget: QWidget) -> FieldError:
        return self.errors.add(field, FieldError(f"personError_{field}"), widget)

    def _row(self, form: QFormLayout, text: str, widget: QWidget | QPlainTextEdit,
             name: str, *, field: QHBoxLayout | None = None,
             extra: QWidget | None = None) -> None:
        """Label | the field with its message right under it (and ``extra`` below)."""
        label = QLabel(text)
        label.setBuddy(widget)
        label.setContentsMargins(0, 2, 0, 0)  # level with the field's text
        column = QWidget()
        stack = QVBoxLayout(column)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(3)
        if field is not None:
            stack.addLayout(field)
        else:
            stack.addWidget(widget)
        stack.addWidget(self._error(name, widget))
        if extra is not None:
            stack.addWidget(extra)
        form.addRow(label, column)

    def _say(self, field: str, text: str) -> None:
        error, _widget = self.errors.fields[field]
        error.show_message(text)

    # -- checks in place ------------------------------------------------------------------

    def _cpr_changed(self, text: str) -> None:
        self._say("cpr", "")
        digits = re.sub(r"\D", "", text)
        derived = None
        if len(digits) == 10:
            try:
                # Also after today: that is asked about on save, not refused while typing.
                derived = decode_cpr(text)
            except InvalidCpr as error:
                self._say("cpr", error.message())
        elif len(digits) > 10 or (text.strip() and not re.fullmatch(r"[\d\s-]*", text)):
            self._say("cpr", tr("A CPR number has 10 digits: DDMMYY-SSSS."))
        self.birth_date.setReadOnly(derived is not None)
        self.gender.setEnabled(derived is None)
        if derived is None:
            self.derived.setText(tr("Birth date and gender follow from a CPR number.")
                                 if not digits else "")
            self.derived.setVisible(not digits)
            return
        self.derived.show()
        self.birth_date.setText(short_date(derived.birth_date))
        self._say("birth_date", "")
        if self.gender.currentData() != str(Gender.OTHER):
            self.gender.setCurrentIndex(self.gender.findData(str(derived.gender)))
        text = tr("From the CPR number: born {date}, {gender}.",
                  date=short_date(derived.birth_date), gender=gender_label(derived.gender).lower())
        doubt = birth_date_doubt(derived.birth_date, self.today)
        if doubt is not None:
            text += " " + tr("Check the number: that date is unlikely.")
        self.derived.setStyleSheet(f"color: {WARNING};" if doubt else "")
        self.derived.setText(text)

    def check_phone(self) -> bool:
        phone = normalise_phone(self.phone.text())
        if phone is None:
            self._say("phone", tr("Enter a Danish phone number: 8 digits, e.g. 12 34 56 78."))
            return False
        self._say("phone", "")
        if phone != self.phone.text():
            self.phone.setText(phone)
        return True

    def check_email(self) -> bool:
        text = self.email.text().strip()
        ok = not text or is_valid_email(text)
        self._say("email", "" if ok else tr("Enter an e-mail address like name@example.dk."))
        return ok

    def check_postal_code(self) -> bool:
        text = self.postal_code.text().strip()
        ok = not text or is_valid_postal_code(text)
        self._say("postal_code", "" if ok else tr("A postal code has 4 digits."))
        return ok

    def check_birth_date(self) -> bool:
        if self.birth_date.isReadOnly():
            return True
        try:
            parse_day(self.birth_date.text())
        except ValueError:
            self._say("birth_date", tr("Write the date as {example}.",
                                       example=short_date(date(2010, 12, 31))))
            return False
        self._say("birth_date", "")
        return True

    def shown_birth_date(self) -> date | None:
        """The birth date the form would save: from the CPR number, or as typed."""
        try:
            if self.birth_date.isReadOnly():
                return decode_cpr(self.cpr.text()).birth_date
            return parse_day(self.birth_date.text())
        except (InvalidCpr, ValueError):
            return None  # the field's own message says what is wrong

    def birth_date_question(self) -> tuple[str, str] | None:
        """(title, text) of "Er CPR-nummeret rigtigt?" when the birth date to save is after
        today or more than 110 years back and the user has not confirmed it yet."""
        born = self.shown_birth_date()
        if born is None or born in (self.saved_birth_date, self.confirmed_birth_date):
            return None
        doubt = birth_date_doubt(born, self.today)
        if doubt is None:
            return None
        from_cpr = self.birth_date.isReadOnly()
        title = tr("Is the CPR number right?") if from_cpr else tr("Is the birth date right?")
        if doubt is BirthDateDoubt.FUTURE:
            text = (tr("The CPR number gives the birth date {date}, which is in the future.",
                       date=short_date(born)) if from_cpr else
                    tr("The birth date {date} is in the future.", date=short_date(born)))
        else:
            age = age_on(born, self.today)
            text = (tr("The CPR number gives the birth date {date}: the person would be "
                       "{age} years old.", date=short_date(born), age=age) if from_cpr else
                    tr("With the birth date {date} the person would be {age} years old.",
                       date=short_date(born), age=age))
        return title, text

    def confirm_birth_date(self) -> None:
        self.confirmed_birth_date = self.shown_birth_date()

    def doubtful_field(self) -> QLineEdit:
        """Where "Ret det" puts the cursor: the field the birth date came from."""
        return self.cpr if self.birth_date.isReadOnly() else self.birth_date

    def check_printable(self) -> None:
        """Warn (not refuse) while a name or address has characters letters print as
        "\ufffd"; the service decides which (``unprintable_fields``)."""
        found = unprintable_fields(PersonDraft(
            self.first_name.text(), self.last_name.text(), street=self.street.text(),
            postal_code=self.postal_code.text(), city=self.city.text()))
        self.print_warning.setVisible(bool(found))
        if not found:
            self.print_warning.setText("")
            return
        labels = {"first_name": tr("First name"), "last_name": tr("Last name"),
                  "street": tr("Street address"), "postal_code": tr("Postal code"),
                  "city": tr("Town")}
        characters = "".join(dict.fromkeys("".join(chars for _f, chars in found)))
        self.print_warning.setText(tr(
            "Letters cannot print {characters} ({fields}): they show \ufffd instead. "
            "You can still save.", characters=characters,
            fields=", ".join(labels[name].lower() for name, _c in found)))

    def check_all(self) -> bool:
        """The checks that need no database; the first failing field gets the focus."""
        results = [(self.check_phone(), self.phone), (self.check_email(), self.email),
                   (self.check_postal_code(), self.postal_code),
                   (self.check_birth_date(), self.birth_date)]
        failed = [widget for ok, widget in results if not ok]
        if failed:
            failed[0].setFocus()
        return not failed

    # -- values ---------------------------------------------------------------------------

    def draft(self) -> PersonDraft:
        born = None if self.birth_date.isReadOnly() else parse_day(self.birth_date.text())
        shown = self.shown_birth_date()
        gender = self.gender.currentData()
        return PersonDraft(
            first_name=self.first_name.text(), last_name=self.last_name.text(),
            cpr=self.cpr.text(), birth_date=born,
            gender=Gender(gender) if gender else None,
            phone=self.phone.text(), email=self.email.text(), street=self.street.text(),
            postal_code=self.postal_code.text(), city=self.city.text(),
            area_id=self.area.currentData(), languages=self.languages.text(),
            restricted=self.restricted.isChecked(), note=self.note.toPlainText(),
            birth_date_confirmed=shown is not None and shown in (
                self.saved_birth_date, self.confirmed_birth_date))

    def fill(self, detail: PersonDetail) -> None:
        p = detail.person
        self.first_name.setText(p.first_name)
        self.last_name.setText(p.last_name)
        self.cpr.setText(detail.cpr)
        if not detail.cpr:
            self.birth_date.setText(short_date(p.birth_date))
        self.gender.setCurrentIndex(max(0, self.gender.findData(str(p.gender))))
        self._cpr_changed(detail.cpr)
        self.saved_birth_date = p.birth_date
        self.phone.setText(p.phone)
        self.email.setText(detail.email)
        self.street.setText(p.street)
        self.postal_code.setText(p.postal_code)
        self.city.setText(p.city)
        self.area.setCurrentIndex(max(0, self.area.findData(detail.area_id)))
        self.languages.setText(detail.languages)
        self.restricted.setChecked(p.restricted)
        self.note.setPlainText(detail.note)
