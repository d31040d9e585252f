"""A volunteer (bydelsmor) logs in, sees almost nothing but her own conversations, and
fills in the short conversation form: age group and gender, topics, "henvist til"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QRadioButton,
    QTableView,
)
from pytestqt.qtbot import QtBot

import boligsag.ui.shell.main_window as main_window_module
from boligsag.app_settings import AppSettings
from boligsag.domain.enums import Gender, Role
from boligsag.services.activity_queries import my_network_mother_conversations
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.network_mothers import (
    NetworkMotherDraft,
    log_network_mother_conversation,
    network_mother_choices,
)
from boligsag.services.unlock import UnlockOptions, lock, unlock
from boligsag.services.users import create_user
from boligsag.ui.events import AppEvents
from boligsag.ui.network_mothers import VolunteerPage
from boligsag.ui.network_mothers.page import ConversationsModel
from boligsag.ui.shell.main_window import MainWindow

from ..conftest import CreatedDb
from .helpers import child, click, type_text
from .test_activities_support import dialog
from .test_activities_support import trigger as trigger_action

PASSWORD = "et-langt-kodeord-1"


@pytest.fixture
def volunteer(ctx: AppContext, created_db: CreatedDb, clock: FixedClock
              ) -> Iterator[AppContext]:
    create_user(ctx, "fatma", "Fatma Şahin", Role.VOLUNTEER, PASSWORD)
    context = unlock(created_db.path, "fatma", PASSWORD, clock=clock,
                     options=UnlockOptions(integrity_check=False))
    yield context
    lock(context)


@pytest.fixture
def volunteer_window(qtbot: QtBot, volunteer: AppContext, settings: AppSettings) -> MainWindow:
    assert VolunteerPage in main_window_module.PAGES  # registered for volunteers
    window = MainWindow(volunteer, AppEvents(), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_volunteer_logs_a_conversation(qtbot: QtBot, volunteer_window: MainWindow,
                                         volunteer: AppContext, ctx: AppContext) -> None:
    # A staff member's conversation form is not the volunteer's to see.
    log_network_mother_conversation(ctx, NetworkMotherDraft("25-39", Gender.FEMALE))
    nav = child(volunteer_window, QListWidget, "navigationList")
    pages = [nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(nav.count())]
    assert "network_mothers" in pages and "activities" not in pages and "people" not in pages
    assert "my_cases" not in pages  # Mine sager is about people: not for a volunteer
    trigger_action(volunteer_window, "actionShow_network_mothers")
    page = volunteer_window.page("network_mothers")
    assert isinstance(page, VolunteerPage)
    qtbot.waitUntil(lambda: page.loaded)
    assert page.empty.isVisible() and not child(page, QTableView, "conversationsTable").isVisible()

    click(qtbot, page, "newConversationButton")
    form = dialog(qtbot, page, QDialog, "networkMotherDialog")
    qtbot.waitUntil(lambda: form.choices is not None)
    click(qtbot, form, "networkMotherSaveButton")
    age_error = child(form, QLabel, "networkMotherError_age_group")
    qtbot.waitUntil(age_error.isVisible)
    assert age_error.text() == "Vælg en aldersgruppe."
    assert child(form, QLabel, "networkMotherError_gender").text() == "Vælg køn."

    age = child(form, QComboBox, "conversationAgeGroupCombo")
    age.setCurrentIndex(age.findData("25-39"))
    assert age.currentText() == "25–39 år"
    woman = child(form, QRadioButton, "conversationGender_female")
    assert woman.text() == "Kvinde"
    click(qtbot, form, "conversationGender_female")
    choices = network_mother_choices(volunteer)
    health = next(t for f in choices.focus_areas for t in f.topics if t.label == "Dagtilbud")
    health_area = next(f for f in choices.focus_areas if health in f.topics)
    child(form, QCheckBox, f"conversationTopics_{health_area.code}_{health.id}").click()
    service = child(form, QComboBox, "conversationServiceCombo")
    service.setCurrentIndex(service.findText("Sundhedsplejen"))
    type_text(qtbot, child(form, QLineEdit, "conversationReferredTextEdit"), "og lægen")
    note = child(form, QLineEdit, "conversationNoteEdit")
    type_text(qtbot, note, "Mor til tre, ny i området")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        qtbot.keyClick(note, Qt.Key.Key_Return)  # Enter saves

    table = child(page, QTableView, "conversationsTable")
    qtbot.waitUntil(lambda: table.model().rowCount() == 1)
    assert table.isVisible() and not page.empty.isVisible()
    assert [table.model().index(0, c).data() for c in range(5)] == [
        "25.11.2026 kl. 10.30", "25–39 år", "Kvinde", "Dagtilbud", "Sundhedsplejen · og lægen"]
    (mine,) = my_network_mother_conversations(volunteer)
    assert (mine.anonymous, mine.people, mine.staff_name) == (True, (), "Fatma Şahin")
    assert mine.occurred_at == datetime(2026, 11, 25, 10, 30)

    table.setFocus()
    table.selectRow(0)
    trigger_action(volunteer_window, "actionEditConversation")
    form = dialog(qtbot, page, QDialog, "networkMotherDialog")
    qtbot.waitUntil(lambda: form.choices is not None)
    note = child(form, QLineEdit, "conversationNoteEdit")
    assert note.text() == "Mor til tre, ny i området"
    assert child(form, QRadioButton, "conversationGender_female").isChecked()
    note.clear()
    type_text(qtbot, note, "Mor til tre")
    with qtbot.waitSignal(form.accepted, timeout=5_000):
        click(qtbot, form, "networkMotherSaveButton")
    qtbot.waitUntil(lambda: my_network_mother_conversations(volunteer)[0].note == "Mor til tre")


def test_conversations_model_passes_the_qt_model_tests(  # type: ignore[no-untyped-def]
        qtmodeltester, volunteer: AppContext) -> None:
    log_network_mother_conversation(volunteer, NetworkMotherDraft("65+", Gender.MALE))
    model = ConversationsModel()
    model.set_rows(my_network_mother_conversations(volunteer))
    qtmodeltester.check(model)
    assert model.index(0, 1).data() == "65 år og derover"
