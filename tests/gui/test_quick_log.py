"""Ctrl+L from anywhere: a contact logged with the keyboard alone, anonymous
counselling, the person chips, messages in place, and the person page's prefill."""

from __future__ import annotations

from datetime import date, datetime

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QLabel, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import Gender
from boligsag.services.contacts import ContactFilters, list_contacts
from boligsag.services.context import AppContext
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_people_support import focused, make_person, open_person, press, top_dialog, type_keys

CTRL = Qt.KeyboardModifier.ControlModifier


def quick_log(qtbot: QtBot, window: MainWindow) -> QDialog:
    qtbot.keyClick(window, Qt.Key.Key_L, CTRL)
    return top_dialog(qtbot, QDialog, "quickLogDialog")


def closed(dialog: QDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_log_a_contact_with_the_keyboard_alone(qtbot: QtBot, ctx: AppContext,
                                               main_window: MainWindow) -> None:
    zeynep = make_person(ctx, "Zeynep", "Aydın", date(1979, 3, 3))
    make_person(ctx, "Zoran", "Petrović", date(1960, 1, 1))
    dialog = quick_log(qtbot, main_window)  # Ctrl+L on the start page
    assert focused(qtbot).objectName() == "quickLogPersonEdit"
    type_keys(qtbot, "Zey")
    press(qtbot, Qt.Key.Key_Return)  # typed fast: the first match becomes a chip
    chips = dialog.people
    qtbot.waitUntil(lambda: chips.person_ids() == (zeynep,), timeout=5_000)
    assert focused(qtbot).objectName() == "quickLogPersonEdit"  # ready for one more
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot).objectName() == "quickLogAnonymousCheck"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot).objectName() == "quickLogChannel"
    press(qtbot, Qt.Key.Key_T)  # T: telefon
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot).objectName() == "quickLogTopicTree"
    type_keys(qtbot, "sko")  # filters to "Skole og fravær"
    press(qtbot, Qt.Key.Key_Space)
    assert child(dialog, QLabel, "quickLogTopicSummary").text() == "Valgt: Skole og fravær"
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot) is child(dialog, QSpinBox, "quickLogDurationSpin")
    focused(qtbot).selectAll()  # type: ignore[attr-defined]
    type_keys(qtbot, "30")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot).objectName() == "quickLogNoteEdit"
    type_keys(qtbot, "Mor ringede om fravær. Møde med skolen torsdag.")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot).objectName() == "quickLogFollowUpCheck"
    press(qtbot, Qt.Key.Key_Space)  # follow up, in a week by default
    press(qtbot, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)

    qtbot.waitUntil(lambda: main_window.statusBar().currentMessage() ==
                    "Kontakt gemt: Telefon med Zeynep Aydın.", timeout=5_000)
    (row,) = list_contacts(ctx).items
    assert (row.channel, row.duration_minutes, row.people_names, row.follow_up_date,
            row.occurred_at, [t.label for t in row.topics]) == (
        "phone", 30, "Zeynep Aydın", date(2026, 12, 2), datetime(2026, 11, 25, 10, 30),
        ["Skole og fravær"])
    # ... and on the person's timeline.
    page = open_person(qtbot, main_window, zeynep)
    (item,) = page.person_view.timeline.model.items()
    assert item.title == "Kontakt (Telefon)"
    assert item.subtitle.startswith("Skole og fravær · 30 min. · Åse Nørgaard – Mor ringede")


def test_anonymous_counselling_by_age_group_and_gender(qtbot: QtBot, ctx: AppContext,
                                                       main_window: MainWindow) -> None:
    dialog = quick_log(qtbot, main_window)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused(qtbot) is child(dialog, QCheckBox, "quickLogAnonymousCheck")
    press(qtbot, Qt.Key.Key_Space)
    assert not dialog.people.isEnabled()
    age = child(dialog, QComboBox, "quickLogAgeGroupCombo")
    assert focused(qtbot) is age and age.isVisible()
    for _step in range(4):  # Vælg… → 0–5 → 6–9 → 10–13 → 14–17 år
        press(qtbot, Qt.Key.Key_Down)
    assert age.currentText() == "14–17 år"
    press(qtbot, Qt.Key.Key_Tab)
    gender = child(dialog, QComboBox, "quickLogGenderCombo")
    assert focused(qtbot) is gender
    press(qtbot, Qt.Key.Key_Down)
    assert gender.currentText() == "Kvinde"
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    (row,) = list_contacts(ctx, ContactFilters(anonymous=True)).items
    assert (row.anonymous, row.age_group, row.gender, row.people) == (
        True, "14-17", Gender.FEMALE, ())
    assert main_window.statusBar().currentMessage() == "Anonym kontakt gemt (Fremmøde)."


def test_chips_and_messages_in_place(qtbot: QtBot, ctx: AppContext,
                                     main_window: MainWindow) -> None:
    mads = make_person(ctx, "Mads", "Ørsted", date(2000, 2, 2))
    make_person(ctx, "Maja", "Ørsted", date(2003, 3, 3))
    dialog = quick_log(qtbot, main_window)
    chips = dialog.people
    press(qtbot, Qt.Key.Key_Return)  # nobody chosen: the service says so, in place
    error = child(dialog, QLabel, "quickLogError_person_ids")
    qtbot.waitUntil(error.isVisible, timeout=5_000)
    assert error.text() == "Vælg mindst én person, eller markér kontakten som anonym."
    assert dialog.isVisible()

    type_keys(qtbot, "ørs")
    qtbot.waitUntil(lambda: not chips.searching() and chips.popup.isVisible(), timeout=5_000)
    assert chips.popup.count() == 2  # Mads and Maja, in name order
    press(qtbot, Qt.Key.Key_Down)  # the second match
    press(qtbot, Qt.Key.Key_Return)
    assert [p.name for p in chips.people()] == ["Maja Ørsted"]
    type_keys(qtbot, "mads")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(chips.people()) == 2, timeout=5_000)
    assert chips.person_ids()[1] == mads
    press(qtbot, Qt.Key.Key_Backspace)  # in the empty field: the last chip goes
    assert [p.name for p in chips.people()] == ["Maja Ørsted"]

    type_keys(qtbot, "xq")  # text that is no one
    qtbot.waitUntil(lambda: not chips.searching(), timeout=5_000)
    press(qtbot, Qt.Key.Key_Return)  # nothing to take
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Return)
    assert error.text() == "Vælg personen på listen med Enter, eller slet teksten."
    assert list_contacts(ctx).items == ()
    press(qtbot, Qt.Key.Key_Escape)  # Esc cancels
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    assert list_contacts(ctx).items == ()


def test_ctrl_l_on_a_person_page_chooses_that_person(qtbot: QtBot, ctx: AppContext,
                                                     main_window: MainWindow) -> None:
    noor = make_person(ctx, "Noor", "Haddad", date(1992, 12, 12))
    page = open_person(qtbot, main_window, noor)
    dialog = quick_log(qtbot, main_window)
    assert dialog.people.person_ids() == (noor,)
    assert focused(qtbot) is child(dialog, QWidget, "quickLogChannel")
    press(qtbot, Qt.Key.Key_H)  # hjemmebesøg
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: closed(dialog), timeout=5_000)
    qtbot.waitUntil(lambda: [i.title for i in page.person_view.timeline.model.items()]
                    == ["Kontakt (Hjemmebesøg)"], timeout=5_000)
