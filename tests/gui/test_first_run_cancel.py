"""Leaving the first-run wizard never loses typing without asking: Esc, Annuller or the
window's close button ask first when something was entered (Fortsæt is the default, so
Enter goes back to the form), and close at once when nothing was."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from boligsag.app_settings import AppSettings
from boligsag.ui.shell.controller import AppController
from boligsag.ui.shell.first_run import FirstRunWizard

from .helpers import child, type_into

QUESTION = "Vil du afbryde opsætningen? Det, du har skrevet, gemmes ikke."


def start_wizard(qtbot: QtBot, tmp_path: Path,
                 settings: AppSettings) -> tuple[AppController, FirstRunWizard]:
    """The wizard as the first start of Boligsag shows it."""
    controller = AppController(settings, tmp_path / "data" / "boligsag.db")
    controller.start()
    wizard = controller.wizard
    assert wizard is not None
    qtbot.waitExposed(wizard)
    return controller, wizard


def question(qtbot: QtBot, wizard: FirstRunWizard) -> QMessageBox:
    box: list[QMessageBox] = []

    def shown() -> bool:
        box[:] = [b for b in wizard.findChildren(QMessageBox, "cancelSetupQuestion")
                  if shiboken6.isValid(b) and b.isVisible()]
        return bool(box)

    qtbot.waitUntil(shown)
    return box[0]


def test_nothing_typed_closes_without_a_question(qtbot: QtBot, tmp_path: Path,
                                                 settings: AppSettings) -> None:
    controller, wizard = start_wizard(qtbot, tmp_path, settings)
    qtbot.mouseClick(child(wizard, QPushButton, "wizardNextButton"), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.organisation
    with qtbot.waitSignal(wizard.rejected, timeout=2_000):
        qtbot.keyClick(wizard.organisation.name, Qt.Key.Key_Escape)
    assert controller.exit_code == 0  # Boligsag quits, as it did before


def test_typed_answers_are_kept_unless_the_user_chooses_to_cancel(
        qtbot: QtBot, tmp_path: Path, settings: AppSettings) -> None:
    controller, wizard = start_wizard(qtbot, tmp_path, settings)
    rejected: list[bool] = []
    wizard.rejected.connect(lambda: rejected.append(True))
    qtbot.mouseClick(child(wizard, QPushButton, "wizardNextButton"), Qt.MouseButton.LeftButton)
    name = type_into(qtbot, wizard, "organisationNameEdit", "Boligsocial indsats Ærtebjerg")

    qtbot.keyClick(name, Qt.Key.Key_Escape)
    box = question(qtbot, wizard)
    assert f"{box.text()} {box.informativeText()}" == QUESTION
    assert {b.text() for b in box.buttons()} == {"Afbryd opsætning", "Fortsæt"}
    assert box.defaultButton().text() == "Fortsæt"
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter = Fortsæt
    qtbot.waitUntil(lambda: not box.isVisible())
    assert wizard.isVisible() and not rejected
    assert wizard.currentPage() is wizard.organisation
    assert name.text() == "Boligsocial indsats Ærtebjerg"
    assert controller.exit_code is None

    wizard.close()  # the window's close button asks the same
    box = question(qtbot, wizard)
    assert wizard.isVisible() and not rejected
    cancel = next(b for b in box.buttons() if b.text() == "Afbryd opsætning")
    with qtbot.waitSignal(wizard.rejected, timeout=2_000):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert controller.exit_code == 0
