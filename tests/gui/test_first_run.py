"""The first-run wizard, typed into like a new administrator would."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QWizard,
)
from pytestqt.qtbot import QtBot

from boligsag.storage import keys
from boligsag.ui.recovery_sheet import new_printer, render, sheet_html
from boligsag.ui.shell import first_run
from boligsag.ui.shell.first_run import FirstRunWizard

from .helpers import child, click, type_into

PASSWORD = "sommerfugl over Ærø"


def new_wizard(qtbot: QtBot, tmp_path: Path) -> FirstRunWizard:
    wizard = FirstRunWizard(tmp_path / "data" / "boligsag.db")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def next_page(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    click(qtbot, wizard, "wizardNextButton")


def error_text(wizard: FirstRunWizard, name: str) -> str:
    label = child(wizard, QLabel, name)
    return label.text() if label.isVisible() else ""


def fill_until_administrator(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    next_page(qtbot, wizard)  # welcome
    type_into(qtbot, wizard, "organisationNameEdit", "Boligsocial indsats Ærtebjerg")
    type_into(qtbot, wizard, "organisationPostalCodeEdit", "5210")
    type_into(qtbot, wizard, "organisationCityEdit", "Odense NV")
    next_page(qtbot, wizard)
    type_into(qtbot, wizard, "planNameEdit", "Helhedsplan Ærtebjerg 2023–2026")
    next_page(qtbot, wizard)
    edit = type_into(qtbot, wizard, "areaNameEdit", "Ærtebjerg Øst")
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # Return adds the area, it does not go on
    type_into(qtbot, wizard, "areaNameEdit", "Søndergården")
    click(qtbot, wizard, "addAreaButton")
    assert wizard.currentPage() is wizard.areas
    assert child(wizard, QListWidget, "areasList").count() == 2
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.administrator


def test_each_page_shows_the_danish_message_beside_the_field(qtbot: QtBot,
                                                              tmp_path: Path) -> None:
    wizard = new_wizard(qtbot, tmp_path)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.organisation
    type_into(qtbot, wizard, "organisationPostalCodeEdit", "52")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.organisation
    assert error_text(wizard, "organisation_nameError") == "Skriv organisationens navn."
    assert error_text(wizard, "organisation_postal_codeError") == \
        "Et dansk postnummer har fire cifre."
    type_into(qtbot, wizard, "organisationNameEdit", "Boligsocial indsats Ærtebjerg")
    type_into(qtbot, wizard, "organisationPostalCodeEdit", "5210")
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.plan
    next_page(qtbot, wizard)
    assert error_text(wizard, "plan_nameError") == "Skriv helhedsplanens navn."
    type_into(qtbot, wizard, "planNameEdit", "Helhedsplan")
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.areas
    assert error_text(wizard, "areasError") == "Skriv mindst ét boligområde."


def test_administrator_page_checks_password_length_and_repeat(qtbot: QtBot,
                                                               tmp_path: Path) -> None:
    wizard = new_wizard(qtbot, tmp_path)
    fill_until_administrator(qtbot, wizard)
    type_into(qtbot, wizard, "adminFullNameEdit", "Åse Nørgaard")
    type_into(qtbot, wizard, "adminUsernameEdit", "åse nørgaard")
    type_into(qtbot, wizard, "adminPasswordEdit", "kort")
    assert "For kort" in child(wizard, QLabel, "adminPasswordHint").text()
    click(qtbot, wizard, "wizardCommitButton")
    assert wizard.currentPage() is wizard.administrator
    assert error_text(wizard, "usernameError").startswith("Et brugernavn må kun")
    assert error_text(wizard, "adminPasswordError") == "Adgangskoden skal være på mindst 10 tegn."
    type_into(qtbot, wizard, "adminUsernameEdit", "aase")
    type_into(qtbot, wizard, "adminPasswordEdit", PASSWORD)
    type_into(qtbot, wizard, "adminRepeatEdit", "noget andet helt")
    click(qtbot, wizard, "wizardCommitButton")
    assert error_text(wizard, "adminRepeatError") == "De to adgangskoder er ikke ens."
    assert wizard.result_ is None and not (tmp_path / "data").exists()


def test_wizard_creates_the_database_and_shows_its_recovery_key(qtbot: QtBot,
                                                                tmp_path: Path) -> None:
    wizard = new_wizard(qtbot, tmp_path)
    fill_until_administrator(qtbot, wizard)
    type_into(qtbot, wizard, "adminFullNameEdit", "Şükrü Ødegård")
    type_into(qtbot, wizard, "adminUsernameEdit", "sukru")
    type_into(qtbot, wizard, "adminPasswordEdit", PASSWORD)
    type_into(qtbot, wizard, "adminRepeatEdit", PASSWORD)
    click(qtbot, wizard, "wizardCommitButton")
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.recovery, timeout=15_000)

    shown = child(wizard, QLabel, "recoveryKeyLabel").text()
    assert wizard.result_ is not None
    store = keys.KeyStore.load(wizard.result_.keys_path)
    # The key on screen (two lines of four groups) opens the key file it was made for.
    assert store.unwrap_with_recovery(shown.replace("\n", "-"))
    assert store.unwrap_for_user("sukru", PASSWORD)[1] == store.unwrap_with_recovery(shown)

    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the key is confirmed
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # must not lose the only sight of the key
    assert wizard.isVisible()
    reminder = child(wizard, QMessageBox, "keyNotConfirmedMessage")
    assert "Udskriv eller skriv gendannelsesnøglen ned" in reminder.text()
    qtbot.mouseClick(reminder.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert child(wizard, QPushButton, "printRecoveryKeyButton").isEnabled()
    confirm = child(wizard, QCheckBox, "recoveryConfirmCheck")
    confirm.setFocus()
    qtbot.keyClick(confirm, Qt.Key.Key_Space)  # the keyboard way to tick it
    assert confirm.isChecked()
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.database_created) as created:
        qtbot.mouseClick(finish, Qt.MouseButton.LeftButton)
    assert created.args[0].path == tmp_path / "data" / "boligsag.db"


def test_recovery_sheet_prints_the_key_on_one_page(qtbot: QtBot, tmp_path: Path) -> None:
    key = "0E3S-F5B6-RC0Y-PZJE-P55Y-YT1P-RTWB-JV7Z"  # made up: the test prints to a PDF
    printer = new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "sheet.pdf"))

    render(printer, sheet_html(key, "Boligsocialt Hus Ærtebjerg", "db-id", "/x.db",
                               date(2026, 3, 2)))
    reader = PdfReader(tmp_path / "sheet.pdf")
    assert len(reader.pages) == 1
    # pypdf reports word gaps as tabs and the "fl" ligature as one glyph.
    text = " ".join(unicodedata.normalize("NFKC", reader.pages[0].extract_text()).split())
    assert "0E3S-F5B6-RC0Y-PZJE" in text and "P55Y-YT1P-RTWB-JV7Z" in text
    assert "Ærtebjerg" in text and "2. marts 2026" in text


def test_a_failed_creation_can_be_retried_or_cancelled(qtbot: QtBot, tmp_path: Path,
                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    attempts: list[int] = []

    def full_disk(path: Path, data: object) -> object:
        attempts.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(first_run, "create_database", full_disk)
    wizard = new_wizard(qtbot, tmp_path)
    fill_until_administrator(qtbot, wizard)
    type_into(qtbot, wizard, "adminFullNameEdit", "Åse Nørgaard")
    type_into(qtbot, wizard, "adminUsernameEdit", "aase")
    type_into(qtbot, wizard, "adminPasswordEdit", PASSWORD)
    type_into(qtbot, wizard, "adminRepeatEdit", PASSWORD)
    click(qtbot, wizard, "wizardCommitButton")
    qtbot.waitUntil(lambda: error_text(wizard, "creatingError") != "", timeout=10_000)
    assert error_text(wizard, "creatingError") == \
        "Filen kunne ikke læses eller skrives: No space left on device"
    click(qtbot, wizard, "retryCreateButton")
    qtbot.waitUntil(lambda: len(attempts) == 2 and error_text(wizard, "creatingError") != "",
                    timeout=10_000)
    click(qtbot, wizard, "wizardCancelButton")  # what was typed would be lost: it asks
    question = child(wizard, QMessageBox, "cancelSetupQuestion")
    qtbot.waitUntil(question.isVisible)
    with qtbot.waitSignal(wizard.rejected):
        click(qtbot, question, "cancelSetupButton")


def test_an_existing_database_is_never_overwritten(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "boligsag.db.keys").write_text("{}")
    wizard = new_wizard(qtbot, tmp_path)
    next_page(qtbot, wizard)
    assert wizard.currentPage() is wizard.welcome
    assert error_text(wizard, "locationError").startswith("Der findes allerede en database på")
