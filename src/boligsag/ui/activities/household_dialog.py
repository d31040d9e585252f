"""Parent guidance: enroll a family, parents and children together, with the topics
the guidance is about (sundhedspleje, dagtilbud, skole, sprog, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.activities import ActivityChoices, ActivityRow
from boligsag.services.context import AppContext
from boligsag.services.enrollments import enroll_household
from boligsag.services.households import (
    HouseholdDetail,
    HouseholdRow,
    find_households,
    get_household,
)
from boligsag.ui.background import run_in_background
from boligsag.ui.event_filter import survives_teardown
from boligsag.ui.events import AppEvents
from boligsag.ui.widgets import form_layout, named

from .dialog_base import ServiceDialog
from .enroll_dialogs import add_row
from .forms import CheckGrid, calm_list, combo, date_edit, from_qdate, text_area

CHILD_AGE = 18


class HouseholdEnrollDialog(ServiceDialog):
    def __init__(self, ctx: AppContext, events: AppEvents | None, activity: ActivityRow,
                 choices: ActivityChoices, parent: QWidget | None = None) -> None:
        super().__init__(ctx, events, "householdEnrollDialog", tr("Enroll a family"), parent,
                         icon="people", text=tr(
                             "Find the household, tick the parents and children who take "
                             "part, and choose what the guidance is about."),
                         save_text=tr("Enroll the family"))
        self.activity = activity
        self.household: HouseholdDetail | None = None
        self._query = 0
        self.set_form_width(640)
        form = form_layout(8)

        finder = QWidget()
        column = QVBoxLayout(finder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.search = named(QLineEdit(), "householdSearchEdit", tr("Search for a household"))
        self.search.setPlaceholderText(tr("Family name or street"))
        self.search.setClearButtonEnabled(True)
        self.matches = calm_list(named(QListWidget(), "householdMatches",
                                       tr("Matching households")))
        self.matches.setFixedHeight(110)
        self.matches.hide()
        column.addWidget(self.search)
        column.addWidget(self.matches)
        add_row(self, form, tr("&Household"), finder, "household_id")

        self.members_box = QWidget()
        self.members = QVBoxLayout(self.members_box)
        self.members.setContentsMargins(0, 0, 0, 0)
        self.members.setSpacing(4)
        self.members_hint = named(QLabel(tr("Choose a household first.")), "householdMembersHint",
                                  tr("Members"))
        self.members_hint.setProperty("role", "muted")
        self.members.addWidget(self.members_hint)
        self.member_boxes: list[tuple[QCheckBox, int]] = []
        add_row(self, form, tr("Members"), self.members_box, "person_ids")

        self.topics = CheckGrid("householdTopics", tr("Topics"),
                                ((c.label, c.id) for c in choices.parent_guidance_topics))
        add_row(self, form, tr("Topics"), self.topics, "topic_ids")
        self.start = date_edit("householdStartEdit", tr("Start date"), ctx.today())
        add_row(self, form, tr("&Start date"), self.start, "start_date")
        self.guide = combo("householdGuideCombo", tr("Guide"),
                           ((c.label, c.id) for c in choices.mentors), none_label=tr("No guide"))
        add_row(self, form, tr("&Guide"), self.guide, "mentor_user_id")
        self.goals = text_area("householdGoalsEdit", tr("Goals"), 64)
        add_row(self, form, tr("&Goals"), self.goals, "goals")
        self.layout_.addLayout(form)
        self.finish_layout()

        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self._find)
        self.search.textEdited.connect(self._search_edited)
        self.search.installEventFilter(self)
        self.matches.itemActivated.connect(self._pick)
        self.matches.itemClicked.connect(self._pick)
        self.search.setFocus()

    # -- finding the household ------------------------------------------------------------

    def _search_edited(self, _text: str) -> None:
        if self.household is not None:  # typing again means another household
            self.household = None
            self._show_members(())
            self.members_hint.setText(tr("Choose a household first."))
        self._timer.start()

    def _find(self) -> None:
        text = self.search.text().strip()
        self._query += 1
        number = self._query
        if not text:
            self._show_matches([], number)
            return
        run_in_background(self, lambda _task: find_households(self.ctx, text, limit=8),
                          on_success=lambda rows: self._show_matches(rows, number),
                          on_failure=self.errors.show)

    def _show_matches(self, rows: list[HouseholdRow], number: int) -> None:
        if number != self._query:
            return
        self.matches.clear()
        for row in rows:
            place = " ".join(p for p in (row.street, row.postal_code, row.city) if p)
            item = QListWidgetItem(f"{row.name} · {place}" if place else row.name)
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.matches.addItem(item)
        if rows:
            self.matches.setCurrentRow(0)
        self.matches.setVisible(bool(rows))

    @survives_teardown
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and isinstance(event, QKeyEvent) \
                and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                    self.matches.isVisible() or self.household is None):
                item = self.matches.currentItem()
                if self.matches.isVisible() and item is not None:
                    self._pick(item)
                return True  # Enter picks the household; it never saves half a form
            if event.key() == Qt.Key.Key_Down and self.matches.isVisible():
                self.matches.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _pick(self, item: QListWidgetItem) -> None:
        self.household = None
        household_id = item.data(Qt.ItemDataRole.UserRole)
        self.search.setText(item.text().split(" · ")[0])
        self.matches.hide()
        run_in_background(self, lambda _task: get_household(self.ctx, household_id),
                          on_success=self._show_household, on_failure=self.errors.show)

    def _show_household(self, detail: HouseholdDetail) -> None:
        self.household = detail
        self._show_members(detail.members)
        self.members_hint.setText(tr("The household has no members yet."))
        if self.member_boxes:
            self.member_boxes[0][0].setFocus()

    def _show_members(self, members: Any) -> None:
        for box, _ in self.member_boxes:
            box.deleteLater()
        self.member_boxes = []
        for person in members:
            if person.age is None:
                text = person.full_name
            elif person.age < CHILD_AGE:
                text = tr("{name}, {age} years (child)", name=person.full_name, age=person.age)
            else:
                text = tr("{name}, {age} years", name=person.full_name, age=person.age)
            box = named(QCheckBox(text), f"householdMember_{person.id}", person.full_name)
            box.setChecked(True)
            self.members.addWidget(box)
            self.member_boxes.append((box, person.id))
        self.members_hint.setVisible(not self.member_boxes)

    # -- saving ---------------------------------------------------------------------------

    def prepare(self) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None:
        if self.household is None:
            self.errors.show_field("household_id", tr("Choose a household from the list."))
            return None
        people = tuple(pid for box, pid in self.member_boxes if box.isChecked())
        if not people:
            self.errors.show_field("person_ids", tr("Tick at least one member of the family."))
            return None
        return enroll_household, (
            self.ctx, self.activity.id, self.household.household.id, people,
            from_qdate(self.start.date())), {
            "topic_ids": tuple(self.topics.values()), "goals": self.goals.toPlainText(),
            "mentor_user_id": self.guide.currentData()}
