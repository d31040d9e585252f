"""A referral's raw UUID is never on screen (issue 9, 9e): the details pane shows the short
reference the letter prints, and "Kopiér reference" (a link and Ctrl+Shift+C) puts that
reference with the full id on the clipboard, where it helps (a reply, the command line)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.ui.main_window import MainWindow
from boligsag.ui.pages.referrals import ReferralsPage

from .helpers import child, click
from .test_referrals_support import adult, consent, give_address, referral

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def visible_texts(root: QWidget) -> list[str]:
    texts = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        texts.append(widget.toolTip())
    return texts


def test_details_show_the_short_reference_and_copy_the_full_id(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    jobcentre = give_address(ctx)
    person_id = adult(ctx)
    row = referral(ctx, person_id, jobcentre, consent(ctx, person_id, jobcentre).id)
    main_window.show_page("referrals")
    page = main_window.page("referrals")
    assert isinstance(page, ReferralsPage)
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    assert page.select_referral(row.id)
    details = page.details
    qtbot.waitUntil(lambda: details.details is not None, timeout=5_000)

    short = row.uuid.split("-")[0].upper()
    assert child(details, QLabel, "referralValue_reference").text() == short
    shown = visible_texts(details)
    assert not [text for text in shown if UUID.search(text)]

    QGuiApplication.clipboard().clear()
    click(qtbot, details, "copyReferenceButton")  # "Kopiér reference"
    expected = f"Reference {short} (id {row.uuid})"
    assert QGuiApplication.clipboard().text() == expected
    assert child(details, QAbstractButton, "copyReferenceButton").text() == "Kopieret"
    assert not [text for text in visible_texts(details) if UUID.search(text)]

    # The same from the keyboard, anywhere in the pane.
    QGuiApplication.clipboard().clear()
    action = child(details, QAction, "actionCopyReference")
    assert action.text() == "Kopiér &reference"
    child(details, QAbstractButton, "showLetterButton").setFocus()
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow, timeout=5_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5_000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == expected
