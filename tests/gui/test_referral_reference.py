"""A referral's raw UUID is never on screen (issue 9, 9e): the details pane shows the short
reference the letter prints, and "Kopiér reference" (a link and Ctrl+Shift+C) puts that
reference with the full id on the clipboard, where it helps (a reply, the command line).
The letter shown from the pane prints that reference, and names the service once."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from boligsag.services.context import AppContext
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.ui.pages.referrals import ReferralsPage
from boligsag.ui.referrals.details import ReferralDetailsPane
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child, click
from .test_referrals_support import add_staff, adult, consent, give_address, referral

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


def open_details(qtbot: QtBot, window: MainWindow, referral_id: int
                 ) -> ReferralDetailsPane:
    window.show_page("referrals")
    page = window.page("referrals")
    assert isinstance(page, ReferralsPage)
    qtbot.waitUntil(lambda: not page.model.loading, timeout=10_000)
    assert page.select_referral(referral_id)
    details = page.details
    qtbot.waitUntil(lambda: details.details is not None, timeout=5_000)
    return details


def test_details_show_the_short_reference_and_copy_the_full_id(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    jobcentre = give_address(ctx)
    person_id = adult(ctx)
    row = referral(ctx, person_id, jobcentre, consent(ctx, person_id, jobcentre).id)
    details = open_details(qtbot, main_window, row.id)

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


def test_the_letter_names_the_service_once_and_prints_the_short_reference(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext) -> None:
    jobcentre = give_address(ctx)
    service = next(s for s in list_services(ctx) if s.id == jobcentre)
    update_service(ctx, jobcentre, ServiceInput(  # as an administrator would name it
        name="Jobcenter", unit="Jobcenter Odense", street=service.street,
        postal_code=service.postal_code, city=service.city,
        contact_person=service.contact_person, phone=service.phone,
        secure_email=service.secure_email), version=service.version)
    person_id = adult(ctx)
    row = referral(ctx, person_id, jobcentre, consent(ctx, person_id, jobcentre).id,
                   add_staff(ctx))  # the letter's contact person, with a phone
    details = open_details(qtbot, main_window, row.id)
    click(qtbot, details, "showLetterButton")
    qtbot.waitUntil(lambda: details.preview is not None, timeout=10_000)
    preview = details.preview
    qtbot.waitUntil(lambda: preview.document.status() == QPdfDocument.Status.Ready,
                    timeout=10_000)
    lines = preview.document.getAllText(0).text().splitlines()
    block = lines[:next(i for i, line in enumerate(lines) if "Buen 1" in line) + 1]
    assert sum(line.count("Jobcenter") for line in block) == 1, block
    assert any(line.startswith("Jobcenter Odense") for line in block), block
    reference = row.uuid.split("-")[0].upper()
    assert any(f"Vores ref.: {reference}" in line for line in lines), lines
    assert not UUID.search("\n".join(lines))
    preview.reject()
