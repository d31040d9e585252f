"""Shared set-up for the activities, sessions, jobs and network-mother GUI tests:
records made through the services, and driving the main window by object names."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from boligsag.domain.enums import ActivityKind, ActivityMode
from boligsag.services.activities import (
    ActivityDraft,
    ActivityRow,
    activity_choices,
    create_activity,
)
from boligsag.services.context import AppContext
from boligsag.services.enrollments import EnrollmentDraft, enroll
from boligsag.services.people import PersonDraft, create_person
from boligsag.ui.pages.activities import ActivitiesPage
from boligsag.ui.shell.main_window import MainWindow

from .helpers import child

D = TypeVar("D", bound=QDialog)


# -- data ----------------------------------------------------------------------------------


def person(ctx: AppContext, first: str, last: str, born: date | None = None) -> int:
    return create_person(ctx, PersonDraft(first, last, birth_date=born)).person.id


def activity(ctx: AppContext, name: str, kind: ActivityKind = ActivityKind.MENTORING,
             mode: ActivityMode = ActivityMode.COURSE) -> ActivityRow:
    focus = activity_choices(ctx).focus_areas[0].id
    return create_activity(ctx, ActivityDraft(name, kind, mode, focus,
                                              start_date=date(2026, 1, 1)))


def enroll_people(ctx: AppContext, activity_id: int, *people: int) -> None:
    for person_id in people:
        enroll(ctx, EnrollmentDraft(activity_id, person_id, date(2026, 9, 1)))


# -- driving the window --------------------------------------------------------------------


def trigger(window: QWidget, name: str) -> None:
    action = child(window, QAction, name)
    assert action.isEnabled(), f"{name} is disabled"
    action.trigger()


def open_activities(qtbot: QtBot, window: MainWindow) -> ActivitiesPage:
    trigger(window, "actionShow_activities")
    page = window.page("activities")
    assert isinstance(page, ActivitiesPage)
    qtbot.waitUntil(lambda: page.loaded and page.choices is not None, timeout=10_000)
    return page


def choose_activity(qtbot: QtBot, page: ActivitiesPage, activity_id: int) -> None:
    row = page.model.find(activity_id)
    assert row >= 0, "the activity is not listed"
    page.table.setFocus()
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: page.detail.activity is not None
                    and page.detail.activity.id == activity_id)


def dialog(qtbot: QtBot, parent: QObject, kind: type[D], name: str) -> D:
    """The visible dialog ``name`` among ``parent``'s children."""
    found: list[D] = []

    def shown() -> bool:
        found[:] = [d for d in parent.findChildren(kind, name)
                    if shiboken6.isValid(d) and d.isVisible()]
        return bool(found)

    qtbot.waitUntil(shown, timeout=5_000)
    return found[0]
