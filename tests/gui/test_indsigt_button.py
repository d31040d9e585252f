"""The access report from the person page (issue 13 §3): the administrator's
"Indsigt…" button renders the report off the GUI thread and opens it in the letter
preview (print and save audited there); a staff member has no such button."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.letters import LetterKind
from boligsag.services.people import PersonDraft, create_person
from boligsag.ui.events import AppEvents
from boligsag.ui.letters.preview import LetterPreviewDialog
from boligsag.ui.people.person_view import PersonView
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_people_support import open_person


def _preview() -> LetterPreviewDialog | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, LetterPreviewDialog) and w.isVisible()), None)


def test_the_access_report_opens_in_the_preview(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    who = create_person(ctx, PersonDraft("Hanne", "Ærbø")).person.id
    page = open_person(qtbot, main_window, who)
    main_window.resize(1366, 740)
    Path("/tmp/shots/indsigt").mkdir(parents=True, exist_ok=True)
    main_window.grab().save("/tmp/shots/indsigt/person_page.png")
    click(qtbot, page.person_view, "person_indsigtButton")
    qtbot.waitUntil(lambda: _preview() is not None, timeout=15_000)
    dialog = _preview()
    assert dialog is not None and dialog.letter.kind is LetterKind.INDSIGT
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready,
                    timeout=10_000)
    assert dialog.windowTitle() == "Indsigtsrapport – forhåndsvisning"
    dialog.grab().save("/tmp/shots/indsigt/preview.png")
    dialog.reject()


def test_a_staff_member_has_no_access_report_button(qtbot: QtBot, ctx: AppContext) -> None:
    staff = dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor, role=Role.STAFF))
    view = PersonView(staff, AppEvents())
    qtbot.addWidget(view)
    view.show()
    assert not child(view, QPushButton, "person_indsigtButton").isVisible()
    assert child(view, QPushButton, "person_remindButton").isVisible()
