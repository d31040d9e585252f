"""Every page can be used by keyboard alone (issue 14 §5): Tab from the navigation
walks the page's focus chain, reaches every control a mouse user could use, in reading
order, and each has a name a screen reader says."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import getCppPointer


@dataclass(frozen=True)
class Stop:
    """One widget the focus reached, where it is in the window and what it is called."""

    widget: QWidget
    rect: QRect
    spoken: str

    def __str__(self) -> str:
        name = self.widget.objectName() or type(self.widget).__name__
        return f"{name} at ({self.rect.x()}, {self.rect.y()})"


def spoken_name(widget: QWidget) -> str:
    """What a screen reader announces: Qt's accessible name, which falls back to a
    button's text or a field's buddy label."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface else ""


def _stop(widget: QWidget, window: QWidget) -> Stop:
    return Stop(widget, QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()),
                spoken_name(widget))


def tab_chain(qtbot: QtBot, window: QWidget, page: QWidget) -> list[Stop]:
    """The page's widgets in the order Tab reaches them, starting at the navigation."""
    start = QApplication.focusWidget()
    assert start is not None
    stops: list[Stop] = []
    for _ in range(200):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is None or focused is start:
            break
        if page.isAncestorOf(focused) and (not stops or stops[-1].widget is not focused):
            stops.append(_stop(focused, window))  # a date edit's sections count once
    return stops


def reachable(page: QWidget) -> Iterator[QWidget]:
    """Every control on the page a mouse user could click into."""
    for widget in page.findChildren(QWidget):
        if (widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.focusProxy() is None
                and not (isinstance(widget, QAbstractScrollArea) and widget.parent()
                         and isinstance(widget.parentWidget(), QAbstractScrollArea))):
            yield widget


def out_of_reading_order(stops: list[Stop]) -> list[str]:
    """Pairs where Tab goes up to a widget lying wholly above the last one without moving
    on to a column to its right: reading goes down a column, then on to the next column
    to the right, never back up into the same or an earlier column."""
    wrong = []
    for before, after in pairwise(stops):
        above = after.rect.bottom() < before.rect.top()
        next_column = after.rect.left() > before.rect.right()
        if above and not next_column:
            wrong.append(f"{before} -> {after}")
    return wrong


def test_tab_reaches_every_control_of_every_page_in_reading_order_with_a_name(
        qtbot: QtBot, demo_window: QWidget) -> None:
    window = demo_window
    nav = window.findChild(QWidget, "navigationList")
    problems: dict[str, list[str]] = {}
    for page in list(window.pages):  # type: ignore[attr-defined]
        window.show_page(page.page_id)  # type: ignore[attr-defined]
        qtbot.wait(400)  # the page's rows load off the GUI thread
        nav.setFocus(Qt.FocusReason.OtherFocusReason)
        stops = tab_chain(qtbot, window, page)
        reached = {id(stop.widget) for stop in stops}
        missed = [str(_stop(w, window)) for w in reachable(page) if id(w) not in reached]
        nameless = [str(stop) for stop in stops if not stop.spoken]
        page_problems = ([f"not reached: {m}" for m in missed]
                         + [f"no name: {n}" for n in nameless]
                         + [f"out of order: {o}" for o in out_of_reading_order(stops)])
        if page_problems:
            problems[page.page_id] = page_problems
    assert problems == {}


def dialog_problems(qtbot: QtBot, dialog: QWidget) -> list[str]:
    """The same three checks for a dialog, from where it puts the cursor when it opens."""
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5_000)
    first = dialog.focusWidget()
    assert first is not None, f"{dialog.objectName()} opens with no field focused"
    stops = [_stop(first, dialog)]
    for _ in range(200):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is None or focused is first or not dialog.isAncestorOf(focused):
            break
        if stops[-1].widget is not focused:
            stops.append(_stop(focused, dialog))
    # Tab goes round: a dialog that opens with the cursor in a later field (the one to
    # fill first) wraps from its last button to its first field, which is no disorder.
    # The first in reading order: leftmost of the top row (widgets of one row differ by a
    # few pixels in height, a check box against a line edit).
    top = min(stop.rect.top() for stop in stops)
    first_in_reading = min((i for i, stop in enumerate(stops) if stop.rect.top() <= top + 12),
                           key=lambda i: stops[i].rect.left())
    stops = stops[first_in_reading:] + stops[:first_in_reading]
    reached = {id(stop.widget) for stop in stops}
    return ([f"not reached: {_stop(w, dialog)}" for w in reachable(dialog)
             if id(w) not in reached]
            + [f"no name: {stop}" for stop in stops if not stop.spoken]
            + [f"out of order: {o}" for o in out_of_reading_order(stops)])


def _windows() -> dict[int, QWidget]:
    """The visible top-level windows by their C++ address (a Python id can be reused by
    the next temporary wrapper)."""
    return {getCppPointer(w)[0]: w for w in QApplication.topLevelWidgets() if w.isVisible()}


def _open_dialog(qtbot: QtBot, window: QWidget, page_id: str, action_name: str) -> QWidget:
    window.show_page(page_id)  # type: ignore[attr-defined]
    qtbot.wait(300)
    return _trigger_dialog(qtbot, window, action_name)


def _trigger_dialog(qtbot: QtBot, window: QWidget, action_name: str) -> QWidget:
    """Trigger the window's action and return the window it opens."""
    action = window.findChild(QAction, action_name)
    assert action is not None and action.isEnabled(), action_name
    before = _windows()
    action.trigger()
    qtbot.waitUntil(lambda: bool(_windows().keys() - before.keys()), timeout=10_000)
    opened = _windows()
    return next(opened[key] for key in opened.keys() - before.keys())


DIALOGS = [("people", "actionNewPerson"), ("contacts", "actionContactsLogContact"),
           ("referrals", "actionNewReferral"), ("start", "actionChangePassword")]


@pytest.mark.parametrize(("page_id", "action_name"), DIALOGS)
def test_tab_walks_each_dialog_in_reading_order_with_names(
        qtbot: QtBot, demo_window: QWidget, page_id: str, action_name: str) -> None:
    dialog = _open_dialog(qtbot, demo_window, page_id, action_name)
    problems = dialog_problems(qtbot, dialog)
    dialog.close()
    assert not problems, "\n".join(problems)


def _open_first_person(qtbot: QtBot, window: QWidget) -> QWidget:
    window.show_page("people")  # type: ignore[attr-defined]
    table = window.findChild(QWidget, "peopleTable")
    qtbot.waitUntil(lambda: table.model().rowCount() > 0, timeout=10_000)
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    page = window.page("people")  # type: ignore[attr-defined]
    qtbot.waitUntil(page.showing_person, timeout=10_000)
    qtbot.wait(400)  # the person's sections load off the GUI thread
    return page


def test_tab_walks_a_persons_page_in_reading_order_with_names(
        qtbot: QtBot, demo_window: QWidget) -> None:
    window = demo_window
    page = _open_first_person(qtbot, window)
    window.findChild(QWidget, "navigationList").setFocus(Qt.FocusReason.OtherFocusReason)
    stops = tab_chain(qtbot, window, page)
    reached = {id(stop.widget) for stop in stops}
    problems = ([f"not reached: {_stop(w, window)}" for w in reachable(page)
                 if id(w) not in reached]
                + [f"no name: {stop}" for stop in stops if not stop.spoken]
                + [f"out of order: {o}" for o in out_of_reading_order(stops)])
    assert stops and not problems, "\n".join(problems)


PERSON_DIALOGS = ["actionEditPerson", "actionLogContactWithPerson", "actionPersonNewConsent",
                  "actionPersonNewReferral", "actionEditHousehold", "actionNewJob"]


@pytest.mark.parametrize("action_name", PERSON_DIALOGS)
def test_tab_walks_each_dialog_of_a_persons_page(
        qtbot: QtBot, demo_window: QWidget, action_name: str) -> None:
    window = demo_window
    _open_first_person(qtbot, window)
    dialog = _trigger_dialog(qtbot, window, action_name)
    problems = dialog_problems(qtbot, dialog)
    dialog.close()
    assert not problems, "\n".join(problems)
