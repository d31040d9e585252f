"""Text that fits (issue 9 item 5): the key date of a consent is never cut, a long
recipient ends in "…" with its whole name as the tooltip, and a timeline note is cut
between words with "…"."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QTableView, QToolTip
from pytestqt.qtbot import QtBot

from boligsag.services.consents import withdraw_consent
from boligsag.services.contact_rows import ContactDraft
from boligsag.services.contacts import log_contact
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.service_catalogue import ServiceInput, list_services, update_service
from boligsag.ui.contacts.models import ContactColumn
from boligsag.ui.elide import elide_column
from boligsag.ui.shell.main_window import MainWindow
from boligsag.ui.widgets import FieldError

from .helpers import click
from .test_contacts import open_contacts
from .test_people_support import make_person, open_person
from .test_referrals_support import adult, consent, service_id

LONG_NAME = "Ungdommens Uddannelsesvejledning, Vejledningscenter Syd og Vest"
NOTE = ("Talte om huslejerestancen og aftalte en afdragsordning med boligselskabet; "
        "hun kommer igen på tirsdag med kontoudtogene fra banken.")


def rename_service(ctx: AppContext, code: str, name: str) -> int:
    service = next(s for s in list_services(ctx) if s.code == code)
    update_service(ctx, service.id, ServiceInput(name=name, unit=service.unit),
                   version=service.version)
    return service.id


def test_a_consents_state_and_date_are_never_cut(
        qtbot: QtBot, ctx: AppContext, clock: FixedClock, main_window: MainWindow) -> None:
    person = adult(ctx)
    clock.advance(days=-400)
    consent(ctx, person, service_id(ctx, "ssp"))  # expired by now
    clock.advance(days=400)
    withdrawn = consent(ctx, person, rename_service(ctx, "jobcentre", LONG_NAME))
    withdraw_consent(ctx, withdrawn.id, version=withdrawn.version)
    page = open_person(qtbot, main_window, person)
    view = page.person_view
    view.tabs.setCurrentWidget(view.consents)
    panel = view.consents
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5_000)
    table = panel.table
    states = [panel.model.index(r, 1).data() for r in range(2)]
    assert sorted(states) == ["Tilbagekaldt 25.11.2026", "Udløbet 20.10.2026"]
    for column in (1, 2):  # "Tilbagekaldt 25.11.2026" in bold, and the period
        assert table.columnWidth(column) >= table.sizeHintForColumn(column)

    # The long recipient is cut with "…"; hovering shows the whole name.
    row = next(r for r in range(2) if panel.model.index(r, 0).data() == LONG_NAME)
    cell = table.visualRect(panel.model.index(row, 0))
    assert cell.width() < table.fontMetrics().horizontalAdvance(LONG_NAME)
    where = cell.center()
    QApplication.sendEvent(table.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, where, table.viewport().mapToGlobal(where)))
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2_000)
    assert QToolTip.text() == LONG_NAME
    QToolTip.hideText()


def test_a_timeline_note_is_cut_between_words_with_an_ellipsis(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    person = adult(ctx)
    log_contact(ctx, ContactDraft("phone", person_ids=(person,), duration_minutes=15,
                                  occurred_at=datetime(2026, 11, 24, 9, 0), note=NOTE))
    page = open_person(qtbot, main_window, person)
    timeline = page.person_view.timeline
    subtitle = timeline.model.items()[0].subtitle
    shown_note = subtitle.split(" – ", 1)[1]
    assert shown_note.endswith("…")
    kept = shown_note.removesuffix("…")
    assert NOTE.startswith(kept) and NOTE[len(kept)] == " "  # ends at a whole word


def test_messages_under_fields_are_shown_whole(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    """Saving an empty consent shows four messages at once: the dialog grows so that
    no message, check box or hint is cut through a line."""
    main_window.resize(1366, 768)
    person = adult(ctx)
    view = open_person(qtbot, main_window, person).person_view
    view.tabs.setCurrentWidget(view.consents)
    click(qtbot, view.consents, "newConsentPanelButton")
    dialog = view.consents.dialog
    qtbot.waitExposed(dialog)
    click(qtbot, dialog, "consentSaveButton")
    qtbot.waitUntil(lambda: dialog.errors.message_for("purpose") != "", timeout=5_000)

    def cut() -> list[str]:
        return [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QCheckBox)
                if w.isVisible() and w.text()
                and w.height() < (w.heightForWidth(w.width()) if w.hasHeightForWidth()
                                  else w.minimumSizeHint().height())]

    qtbot.waitUntil(lambda: cut() == [], timeout=2_000)
    errors = [e for e in dialog.findChildren(FieldError) if e.isVisible()]
    assert len(errors) >= 3 and all(e.wordWrap() for e in errors)
    dialog.reject()


def test_the_shared_eliding_delegate_explains_only_cut_cells(qtbot: QtBot) -> None:
    """ui/elide.ElidedDelegate, for lists whose model has no tooltips of its own."""
    model = QStandardItemModel(1, 2)
    model.setItem(0, 0, QStandardItem(LONG_NAME))
    model.setItem(0, 1, QStandardItem("Kort"))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    for column in (0, 1):
        elide_column(view, column)
    view.setColumnWidth(0, 120)
    view.setColumnWidth(1, 120)
    view.resize(400, 200)
    view.show()
    qtbot.waitExposed(view)

    def hover(column: int) -> None:
        where = view.visualRect(model.index(0, column)).center()
        QApplication.sendEvent(view.viewport(), QHelpEvent(
            QEvent.Type.ToolTip, where, view.viewport().mapToGlobal(where)))

    hover(0)
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2_000)
    assert QToolTip.text() == LONG_NAME
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=2_000)
    hover(1)
    assert not QToolTip.isVisible()


def test_a_cut_cell_in_the_contacts_list_shows_its_whole_text(
        qtbot: QtBot, ctx: AppContext, main_window: MainWindow) -> None:
    main_window.resize(1366, 768)
    people = tuple(make_person(ctx, first, "Abdirahman-Christensen")
                   for first in ("Mohammed", "Fadumo", "Hodan", "Ilhan"))
    log_contact(ctx, ContactDraft("phone", person_ids=people, duration_minutes=15,
                                  occurred_at=datetime(2026, 11, 24, 9, 0)))
    page = open_contacts(qtbot, main_window)
    table, model = page.table, page.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=5_000)
    index = model.index(0, ContactColumn.PEOPLE)
    names = index.data()
    cell = table.visualRect(index)
    assert cell.width() < table.fontMetrics().horizontalAdvance(names)  # it is cut
    where = cell.center()
    QApplication.sendEvent(table.viewport(), QHelpEvent(
        QEvent.Type.ToolTip, where, table.viewport().mapToGlobal(where)))
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2_000)
    assert QToolTip.text() == names
    QToolTip.hideText()
