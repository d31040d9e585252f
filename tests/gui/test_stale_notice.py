"""An open editor whose record a colleague changed (a sync brought it) says so at once,
without a save: a banner in the form offers to load their changes (after a question
when something was typed) or to keep the user's changes, which then save on top of
theirs. A record deleted meanwhile says so and offers to close; the typing stays.

Each case opens a real editor from the main window's events, types into one field, has
the colleague's change saved in another unit of work and announced on
``AppEvents.changed`` as the sync controller does after a sync."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.services.changes import Entity
from boligsag.services.context import AppContext
from boligsag.services.people import get_person, update_person
from boligsag.ui.activities.session_dialog import SessionDialog
from boligsag.ui.errors import stale_form_text
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.stale_notice import StaleNotice, changed_text, deleted_text
from boligsag.ui.sync.entities import entities_for

from . import test_stale_dialogs as stale_dialogs
from .helpers import child, type_text
from .stale_notice_support import (
    CASES,
    SHOTS,
    SYNCED,
    TYPED,
    Case,
    colleague_saves,
    contact,
    household,
    open_editor_and_type,
    session,
    text_of,
)
from .test_activities_support import person
from .test_people_support import open_person


@pytest.mark.parametrize("open_editor", CASES, ids=[c.__name__ for c in CASES])
def test_the_banner_shows_and_keeping_mine_saves_on_top_of_theirs(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    notice, field = open_editor_and_type(qtbot, case)
    colleague_saves(qtbot, main_window, case, notice)
    assert child(notice, QLabel, "staleNoticeText").text() == changed_text(SYNCED, SYNCED)
    assert "(synkroniseret 10.14)" in changed_text(SYNCED, SYNCED)
    assert TYPED in text_of(field)  # nothing typed is touched by the banner
    SHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)  # the dialog grows by the banner
    name = "banner.png" if open_editor is contact else f"banner_{open_editor.__name__}.png"
    case.editor.grab().save(str(SHOTS / name))

    child(notice, QAbstractButton, "staleKeepButton").click()
    assert not notice.isVisible()
    assert TYPED in text_of(field)
    if case.merges:
        assert case.theirs_shown()  # their change is in the fields the user left alone
    with qtbot.waitSignal(case.editor.accepted, timeout=5_000):
        child(case.editor, QAbstractButton, case.save).click()
    typed, theirs_kept = case.stored()
    assert TYPED in typed and theirs_kept


@pytest.mark.parametrize("open_editor", CASES, ids=[c.__name__ for c in CASES])
def test_loading_theirs_asks_first_when_something_was_typed(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    notice, field = open_editor_and_type(qtbot, case)
    colleague_saves(qtbot, main_window, case, notice)

    child(notice, QAbstractButton, "staleReloadButton").click()
    question = notice.question
    assert question is not None and question.isVisible()
    if open_editor is contact:
        SHOTS.mkdir(parents=True, exist_ok=True)
        question.grab().save(str(SHOTS / "reload_question.png"))
    child(question, QAbstractButton, "staleCancelButton").click()  # changed my mind
    assert notice.isVisible() and TYPED in text_of(field)

    child(notice, QAbstractButton, "staleReloadButton").click()
    assert notice.question is not None
    child(notice.question, QAbstractButton, "staleDiscardButton").click()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5_000)
    assert TYPED not in text_of(field)
    assert case.theirs_shown()
    # And the form now saves at the new version: no "someone else changed it".
    with qtbot.waitSignal(case.editor.accepted, timeout=5_000):
        child(case.editor, QAbstractButton, case.save).click()


@pytest.mark.parametrize("open_editor", CASES, ids=[c.__name__ for c in CASES])
def test_nothing_typed_loads_theirs_without_a_question(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    case.editor.show()
    qtbot.waitExposed(case.editor)
    if isinstance(case.editor, SessionDialog):
        qtbot.waitUntil(case.editor.loaded, timeout=5_000)
    qtbot.waitUntil(child(case.editor, QAbstractButton, case.save).isEnabled, timeout=5_000)
    qtbot.wait(100)  # choices that load after the form shows (a job's schemes, consents)
    notice = child(case.editor, StaleNotice, "staleNotice")
    colleague_saves(qtbot, main_window, case, notice)
    child(notice, QAbstractButton, "staleReloadButton").click()
    assert notice.question is None and not notice.isVisible()
    qtbot.waitUntil(case.theirs_shown, timeout=5_000)


def test_the_editors_own_save_and_unrelated_changes_show_no_banner(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    case = contact(ctx, main_window)
    notice, _field = open_editor_and_type(qtbot, case)
    main_window.events.announce(frozenset({Entity.JOBS}))
    main_window.events.announce(case.entities)  # a contact changed, but not this one
    qtbot.wait(200)
    assert not notice.isVisible()


DELETABLE = [contact, household, session]


@pytest.mark.parametrize("open_editor", DELETABLE, ids=[c.__name__ for c in DELETABLE])
def test_a_deleted_record_says_so_and_keeps_the_typing(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    notice, field = open_editor_and_type(qtbot, case)
    assert case.delete is not None
    case.delete()
    main_window.events.announce(case.entities)
    qtbot.waitUntil(notice.isVisible, timeout=5_000)
    assert child(notice, QLabel, "staleNoticeText").text() == deleted_text()
    assert not child(notice, QAbstractButton, "staleKeepButton").isVisible()
    assert not child(notice, QAbstractButton, "staleReloadButton").isVisible()
    assert TYPED in text_of(field)
    if open_editor is contact:
        SHOTS.mkdir(parents=True, exist_ok=True)
        qtbot.wait(50)
        case.editor.grab().save(str(SHOTS / "deleted.png"))
    with qtbot.waitSignal(case.editor.rejected, timeout=5_000):
        child(notice, QAbstractButton, "staleCloseButton").click()


# Editors whose fields are the user's own (a step's date and note, an ending, a withdrawal
# date, a new leisure job): only "keep" is offered, and the save then goes through or is
# judged by the service on its merits, never refused as "someone else changed it".
KEEP_ONLY = {stale_dialogs.referral_step: Entity.REFERRALS,
             stale_dialogs.consent_withdrawal: Entity.CONSENTS,
             stale_dialogs.move_to_leisure_job: Entity.JOBS,
             stale_dialogs.end_enrollment: Entity.ENROLLMENTS}


@pytest.mark.parametrize("open_editor", list(KEEP_ONLY),
                         ids=[c.__name__ for c in KEEP_ONLY])
def test_an_editor_of_its_own_fields_offers_only_to_keep_them(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], stale_dialogs.Case]) -> None:
    case = open_editor(ctx, main_window)
    editor = case.editor
    assert isinstance(editor, QDialog)
    editor.show()
    qtbot.waitExposed(editor)
    save = child(editor, QAbstractButton, case.save)
    qtbot.waitUntil(save.isEnabled, timeout=5_000)
    notice = child(editor, StaleNotice, "staleNotice")
    case.change()
    main_window.events.announce(frozenset({KEEP_ONLY[open_editor]}))
    qtbot.waitUntil(notice.isVisible, timeout=5_000)
    assert not child(notice, QAbstractButton, "staleReloadButton").isVisible()
    child(notice, QAbstractButton, "staleKeepButton").click()
    assert not notice.isVisible()
    save.click()

    def answered() -> bool:
        return not editor.isVisible() or any(
            label.isVisible() and label.text() for label in editor.findChildren(QLabel)
            if label.objectName().endswith("Error") or "Error_" in label.objectName())

    qtbot.waitUntil(answered, timeout=5_000)
    assert not any(label.isVisible() and label.text() == stale_form_text()
                   for label in editor.findChildren(QLabel))


def test_the_household_dialogs_own_saves_show_no_banner(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    """Adding a member saves at once while the dialog stays open: that is not a
    colleague's change."""
    case = household(ctx, main_window)
    notice, _field = open_editor_and_type(qtbot, case)
    person(ctx, "Elif", "Yılmaz")
    picker = child(case.editor, QLineEdit, "householdAddPersonEdit")
    picker.setFocus()
    type_text(qtbot, picker, "Eli")
    results = child(case.editor, QListWidget, "householdAddPersonResults")
    qtbot.waitUntil(lambda: results.isVisible() and results.count() == 1, timeout=5_000)
    qtbot.keyClick(picker, Qt.Key.Key_Return)
    members = child(case.editor, QListWidget, "householdMembersList")
    qtbot.waitUntil(lambda: members.count() == 2, timeout=5_000)
    qtbot.wait(300)
    assert not notice.isVisible()


def test_an_open_person_page_shows_a_colleagues_change_at_once(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    """The page (no form: nothing typed to keep) reloads through its Reloader."""
    who = person(ctx, "Lærke", "Bøgh")
    open_person(qtbot, main_window, who)
    detail = get_person(ctx, who)
    update_person(ctx, who, detail.person.version,
                  replace(detail.to_draft(), phone="99 88 77 66"))
    main_window.events.announce(entities_for({"people"}))  # as after a sync
    phone = child(main_window, QLabel, "personValue_phone")
    qtbot.waitUntil(lambda: "99 88 77 66" in phone.text(), timeout=5_000)


def test_a_closed_editor_reads_nothing_when_changes_arrive(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    case = contact(ctx, main_window)
    notice, _field = open_editor_and_type(qtbot, case)
    case.editor.reject()  # closed, but still a child of the window
    checks: list[int] = []
    monkeypatch.setattr(notice, "check", lambda: checks.append(1))
    case.change()
    main_window.events.announce(case.entities)
    assert checks == []
