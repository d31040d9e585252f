"""An open editor whose record a colleague changed (a sync brought it) says so at once,
without a save: a banner in the form offers to load their changes (after a question
when something was typed) or to keep the user's changes, which then save on top of
theirs. A record deleted meanwhile says so and offers to close; the typing stays.

Each case opens a real editor from the main window's events, types into one field, has
the colleague's change saved in another unit of work and announced on
``AppEvents.changed`` as the sync controller does after a sync."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QDialog, QLabel, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services import org_settings
from boligsag.services.changes import Entity
from boligsag.services.contacts import ContactDraft, delete_contact, get_contact, log_contact
from boligsag.services.contacts import update_contact
from boligsag.services.context import AppContext
from boligsag.ui.contacts.contact_dialog import ContactDialog
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.stale_notice import StaleNotice, changed_text, deleted_text

from .helpers import child, type_text
from .test_activities_support import person

TYPED = "Mit notat æøå"
SYNCED = datetime(2026, 11, 25, 10, 14)  # the test clock's day
SHOTS = Path("/tmp/shots/H")


@dataclass
class Case:
    """An open editor, the text field the user types in, the colleague's change (and
    how to tell it is shown), what is stored now, and the save button."""

    editor: QDialog
    field: str
    change: Callable[[], object]
    entities: frozenset[Entity]
    theirs_shown: Callable[[], bool]
    stored: Callable[[], tuple[str, bool]]  # (the typed field as stored, theirs kept)
    save: str
    delete: Callable[[], object] | None = None


def contact(ctx: AppContext, window: MainWindow) -> Case:
    who = person(ctx, "Hanne", "Ærbø")
    row = log_contact(ctx, ContactDraft("phone", person_ids=(who,), duration_minutes=15,
                                        occurred_at=datetime(2026, 11, 24, 9, 0)))
    dialog = ContactDialog(ctx, window.events, window, contact=get_contact(ctx, row.id))

    def stored() -> tuple[str, bool]:
        now = get_contact(ctx, row.id)
        return now.note, now.duration_minutes == 45

    return Case(dialog, "quickLogNoteEdit", lambda: update_contact(
        ctx, row.id, row.version, replace(row.to_draft(), duration_minutes=45)),
        frozenset({Entity.CONTACTS}),
        lambda: child(dialog, QWidget, "quickLogDurationSpin").value() == 45,  # type: ignore[attr-defined]
        stored, "quickLogSaveButton",
        delete=lambda: delete_contact(ctx, row.id, get_contact(ctx, row.id).version))


CASES = [contact]


def _open(qtbot: QtBot, case: Case) -> tuple[StaleNotice, QWidget]:
    editor = case.editor
    editor.show()
    qtbot.waitExposed(editor)
    qtbot.waitUntil(child(editor, QAbstractButton, case.save).isEnabled, timeout=5_000)
    notice = child(editor, StaleNotice, "staleNotice")
    assert not notice.isVisible()
    field = child(editor, QWidget, case.field)
    field.setFocus()
    type_text(qtbot, field, TYPED)
    return notice, field


def _text(field: QWidget) -> str:
    return field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()  # type: ignore[attr-defined]


def _colleague_saves(qtbot: QtBot, window: MainWindow, case: Case,
                     notice: StaleNotice) -> None:
    case.change()
    with window.ctx.db.writing(None) as session:  # the sync that brought it, at 10.14
        org_settings.set_setting(session, "sync_last_success", SYNCED.isoformat())
    window.events.announce(case.entities)  # as the sync controller does after a sync
    qtbot.waitUntil(notice.isVisible, timeout=5_000)


@pytest.mark.parametrize("open_editor", CASES, ids=[c.__name__ for c in CASES])
def test_the_banner_shows_and_keeping_mine_saves_on_top_of_theirs(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    notice, field = _open(qtbot, case)
    _colleague_saves(qtbot, main_window, case, notice)
    assert child(notice, QLabel, "staleNoticeText").text() == changed_text(SYNCED, SYNCED)
    assert "(synkroniseret 10.14)" in changed_text(SYNCED, SYNCED)
    assert _text(field).endswith(TYPED)  # nothing typed is touched by the banner
    if case.editor is not None and open_editor is CASES[0]:
        SHOTS.mkdir(parents=True, exist_ok=True)
        qtbot.wait(50)  # the dialog grows by the banner
        case.editor.grab().save(str(SHOTS / "banner.png"))

    child(notice, QAbstractButton, "staleKeepButton").click()
    assert not notice.isVisible()
    assert _text(field).endswith(TYPED)
    assert case.theirs_shown()  # their change is in the fields the user left alone
    with qtbot.waitSignal(case.editor.accepted, timeout=5_000):
        child(case.editor, QAbstractButton, case.save).click()
    typed, theirs_kept = case.stored()
    assert typed.endswith(TYPED) and theirs_kept


@pytest.mark.parametrize("open_editor", CASES, ids=[c.__name__ for c in CASES])
def test_loading_theirs_asks_first_when_something_was_typed(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext,
        open_editor: Callable[[AppContext, MainWindow], Case]) -> None:
    case = open_editor(ctx, main_window)
    notice, field = _open(qtbot, case)
    _colleague_saves(qtbot, main_window, case, notice)

    child(notice, QAbstractButton, "staleReloadButton").click()
    question = notice.question
    assert question is not None and question.isVisible()
    child(question, QAbstractButton, "staleCancelButton").click()  # changed my mind
    assert notice.isVisible() and _text(field).endswith(TYPED)

    child(notice, QAbstractButton, "staleReloadButton").click()
    assert notice.question is not None
    child(notice.question, QAbstractButton, "staleDiscardButton").click()
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=5_000)
    assert TYPED not in _text(field)
    assert case.theirs_shown()
    # And the form now saves at the new version: no "someone else changed it".
    with qtbot.waitSignal(case.editor.accepted, timeout=5_000):
        child(case.editor, QAbstractButton, case.save).click()


def test_nothing_typed_loads_theirs_without_a_question(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    case = contact(ctx, main_window)
    case.editor.show()
    qtbot.waitExposed(case.editor)
    notice = child(case.editor, StaleNotice, "staleNotice")
    _colleague_saves(qtbot, main_window, case, notice)
    child(notice, QAbstractButton, "staleReloadButton").click()
    assert notice.question is None and not notice.isVisible()
    assert case.theirs_shown()


def test_the_editors_own_save_and_unrelated_changes_show_no_banner(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    case = contact(ctx, main_window)
    notice, _field = _open(qtbot, case)
    main_window.events.announce(frozenset({Entity.JOBS}))
    main_window.events.announce(case.entities)  # a contact changed, but not this one
    qtbot.wait(200)
    assert not notice.isVisible()


def test_a_deleted_record_says_so_and_keeps_the_typing(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    case = contact(ctx, main_window)
    notice, field = _open(qtbot, case)
    assert case.delete is not None
    case.delete()
    main_window.events.announce(case.entities)
    qtbot.waitUntil(notice.isVisible, timeout=5_000)
    assert child(notice, QLabel, "staleNoticeText").text() == deleted_text()
    assert not child(notice, QAbstractButton, "staleKeepButton").isVisible()
    assert _text(field).endswith(TYPED)
    SHOTS.mkdir(parents=True, exist_ok=True)
    qtbot.wait(50)
    case.editor.grab().save(str(SHOTS / "deleted.png"))
    with qtbot.waitSignal(case.editor.rejected, timeout=5_000):
        child(notice, QAbstractButton, "staleCloseButton").click()
