"""The referrals list: a lazy table model that passes Qt's model tester, pages with
``fetchMore``, sorts and filters in SQL; the filter bar; the page's actions."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import ReferralStatus
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.people import PersonDraft, create_person
from boligsag.services.referrals import change_status
from boligsag.ui.pages.referrals import ReferralsPage
from boligsag.ui.referrals import model as model_module
from boligsag.ui.referrals.model import OVERDUE_ROLE, Column, ReferralFilter, ReferralsModel
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child
from .test_referrals_support import (
    consent,
    give_address,
    referral,
    wait_loaded,
)

NAMES = ["Åse Østergaard", "Bo Ærø", "Ümit Çelik", "Şükrü Yılmaz", "Nguyễn Thị Hằng",
         "Anna Andersen", "Carl Clausen", "Dorte Dam", "Emil Eskildsen", "Fatima Farah",
         "Gustav Gram", "Hodan Hassan"]


@pytest.fixture
def referrals(ctx: AppContext, clock: FixedClock) -> list[int]:
    """Twelve referrals: every third one sent ten days ago (the rest stay drafts)."""
    jobcentre = give_address(ctx)
    ids = []
    clock.advance(days=-10)
    for number, name in enumerate(NAMES):
        first, last = name.rsplit(" ", 1)
        person = create_person(ctx, PersonDraft(first, last, birth_date=date(1990, 1, 1)))
        given = consent(ctx, person.person.id, jobcentre)
        row = referral(ctx, person.person.id, jobcentre, given.id)
        if number % 3 == 0:
            change_status(ctx, row.id, ReferralStatus.SENT)
        ids.append(row.id)
    clock.advance(days=10)
    return ids


def loaded_model(qtbot: QtBot, ctx: AppContext, **filter_args: object) -> ReferralsModel:
    model = ReferralsModel(ctx)
    model.filter = ReferralFilter(**filter_args)  # type: ignore[arg-type]
    model.reload()
    wait_loaded(qtbot, model)
    return model


def names(model: ReferralsModel) -> list[str]:
    return [model.index(r, Column.PERSON).data() for r in range(model.rowCount())]


def test_the_model_passes_the_model_tester_while_paging(
        qtbot: QtBot, qtmodeltester, ctx: AppContext, referrals: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_module, "PAGE_SIZE", 5)
    model = ReferralsModel(ctx)
    qtmodeltester.check(model)
    model.reload()
    wait_loaded(qtbot, model)
    assert model.total == 12
    assert model.rowCount() < 12  # one page of 5 (the tester may already fetch one more)
    for _page in range(3):
        qtbot.waitUntil(lambda: not model.fetching, timeout=5_000)
        model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: model.rowCount() == 12, timeout=5_000)
    assert not model.canFetchMore(QModelIndex())
    assert sorted(model.row_at(r).id for r in range(12)) == sorted(referrals)
    # Ids and frozen rows only: a row is a dataclass, never an ORM instance.
    assert type(model.index(0, 0).data(model_module.ROW_ROLE)).__name__ == "ReferralRow"
    model.sort(Column.PERSON, Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)


def test_sorting_happens_in_sql(qtbot: QtBot, ctx: AppContext, referrals: list[int]) -> None:
    model = loaded_model(qtbot, ctx)
    model.sort(Column.PERSON, Qt.SortOrder.AscendingOrder)
    wait_loaded(qtbot, model)
    # Danish order by last name: Çelik among the C's, Hằng beside Hassan, Æ and Ø last.
    by_last_name = ["Anna Andersen", "Ümit Çelik", "Carl Clausen", "Dorte Dam",
                    "Emil Eskildsen", "Fatima Farah", "Gustav Gram", "Nguyễn Thị Hằng",
                    "Hodan Hassan", "Şükrü Yılmaz", "Bo Ærø", "Åse Østergaard"]
    assert names(model) == by_last_name
    model.sort(Column.PERSON, Qt.SortOrder.DescendingOrder)
    wait_loaded(qtbot, model)
    assert names(model) == by_last_name[::-1]


def test_filters_by_status_and_overdue(qtbot: QtBot, ctx: AppContext, referrals: list[int],
                                       clock: FixedClock) -> None:
    model = loaded_model(qtbot, ctx, statuses=(ReferralStatus.SENT,))
    assert model.total == 4
    assert {model.row_at(r).status for r in range(4)} == {ReferralStatus.SENT}
    # Drafts made ten days ago passed their 7-day limit; sent ones have 14 days.
    model = loaded_model(qtbot, ctx, overdue_only=True)
    assert model.total == 8
    assert all(model.index(r, 0).data(OVERDUE_ROLE) for r in range(8))
    assert model.index(0, Column.DUE).data() == "3 dage over"
    clock.advance(days=5)
    model = loaded_model(qtbot, ctx, overdue_only=True)
    assert model.total == 12


def test_the_filter_bar_and_the_overdue_marking(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, referrals: list[int]) -> None:
    main_window.show_page("referrals")
    page = main_window.page("referrals")
    assert isinstance(page, ReferralsPage)
    wait_loaded(qtbot, page.model)
    assert page.count.text() == "12 henvisninger"
    status = child(page, QComboBox, "statusFilter")
    status.setCurrentIndex(status.findData("sent"))
    qtbot.waitUntil(lambda: page.count.text() == "4 henvisninger", timeout=5_000)
    child(page, QCheckBox, "overdueFilter").setChecked(True)
    qtbot.waitUntil(lambda: page.count.text() == "0 henvisninger", timeout=5_000)
    assert page.action_overdue.isChecked()
    assert page.message.text() == "Ingen henvisninger passer til filtrene."
    status.setCurrentIndex(status.findData("draft"))
    qtbot.waitUntil(lambda: page.count.text() == "8 henvisninger", timeout=5_000)
    index = page.model.index(0, Column.DUE)
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None  # overdue rows stand out
    assert index.data().endswith("dage over")
    staff = child(page, QComboBox, "staffFilter")
    assert staff.findText("Åse Nørgaard") >= 0
    service = child(page, QComboBox, "serviceFilter")
    service.setCurrentIndex(service.findText("Sundhedsplejen"))
    qtbot.waitUntil(lambda: page.count.text() == "0 henvisninger", timeout=5_000)


def test_page_actions_are_named_and_show_their_shortcuts(
        qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.show_page("referrals")
    page = main_window.page("referrals")
    actions = {a.objectName(): a for a in page.actions()}
    assert set(actions) == {"actionNewReferral", "actionShowLetter", "actionOverdueOnly",
                            "actionRefreshReferrals"}
    assert "(Ctrl+Skift+N)" in actions["actionNewReferral"].toolTip()  # Danish key names
    assert "(Ctrl+P)" in actions["actionShowLetter"].toolTip()
    for action in actions.values():
        assert action.property("accessibleName")
    assert main_window.page_menu.actions() == page.actions()
    for widget in (page.table, page.details, page.filters, page.new_button):
        assert widget.objectName() and widget.accessibleName()
    wait_loaded(qtbot, page.model)


def test_a_change_elsewhere_refreshes_the_list_and_keeps_the_choice(
        qtbot: QtBot, main_window: MainWindow, ctx: AppContext, referrals: list[int]) -> None:
    main_window.show_page("referrals")
    page = main_window.page("referrals")
    wait_loaded(qtbot, page.model)
    assert page.model.total == 12
    assert page.select_referral(referrals[4])
    change_status(ctx, referrals[1], ReferralStatus.CANCELLED)
    main_window.events.announce(frozenset(change_status.changes))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.model.total == 11, timeout=5_000)
    selected = page.table.selectionModel().selectedRows()
    assert [i.data(model_module.ID_ROLE) for i in selected] == [referrals[4]]
