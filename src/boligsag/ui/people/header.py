"""The top of a person's page: who they are (name, age, masked CPR number with "Vis",
address, phone...) and their household with its members and parent–child links.

Names in the household card are links: Enter or a click opens that person.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.cpr import mask_cpr
from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.casework_common import gender_label
from boligsag.services.people import PersonDetail, RelationRow
from boligsag.services.people_queries import PersonPage
from boligsag.ui.theme import PRIMARY, WARNING, WARNING_BORDER, WARNING_SOFT
from boligsag.ui.widgets import named

LINKS = (Qt.TextInteractionFlag.LinksAccessibleByMouse
         | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)


def _card(object_name: str, accessible: str) -> tuple[QFrame, QVBoxLayout]:
    card = named(QFrame(), object_name, accessible)
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(8)
    return card, layout


def _overline(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setProperty("role", "overline")
    return label


def person_link(person_id: int, name: str) -> str:
    return (f"<a href='person:{person_id}' style='color:{PRIMARY}; text-decoration:none'>"
            f"{escape(name)}</a>")


def born_line(detail: PersonDetail) -> str:
    p = detail.person
    parts = []
    if p.birth_date is not None:
        parts.append(tr("{date} ({age} years)", date=short_date(p.birth_date), age=p.age)
                     if p.age is not None else short_date(p.birth_date))
    gender = gender_label(p.gender)
    if gender and p.gender != "unknown":
        parts.append(gender)
    return " · ".join(parts) or "–"


class PersonCard(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "personCard", tr("Person"))
        self.setProperty("role", "card")
        self.detail: PersonDetail | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 16, 22, 16)
        layout.setSpacing(10)
        title = QHBoxLayout()
        self.name = named(QLabel(), "personNameLabel", tr("Name"))
        self.name.setProperty("role", "pageTitle")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.restricted = named(QLabel(tr("Restricted case")), "personRestrictedBadge",
                                tr("Restricted case"))
        self.restricted.setStyleSheet(f"color: {WARNING}; background: {WARNING_SOFT}; border: "
                                      f"1px solid {WARNING_BORDER}; border-radius: 10px; "
                                      "padding: 2px 10px;")
        title.addWidget(self.name)
        title.addSpacing(10)
        title.addWidget(self.restricted, 0, Qt.AlignmentFlag.AlignVCenter)
        title.addStretch(1)
        layout.addLayout(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.values: dict[str, QLabel] = {}
        fields = (("born", tr("Born")), ("cpr", tr("CPR number")), ("phone", tr("Phone")),
                  ("email", tr("E-mail")), ("address", tr("Address")),
                  ("area", tr("Housing area")), ("languages", tr("Languages")),
                  ("responsible", tr("Responsible")))
        for number, (key, caption) in enumerate(fields):
            row, column = number % 4, (number // 4) * 2
            label = QLabel(caption)
            label.setProperty("role", "muted")
            value = named(QLabel(), f"personValue_{key}", caption)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.values[key] = value
            grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignTop)
            if key == "cpr":
                box = QHBoxLayout()
                box.setSpacing(8)
                box.addWidget(value)
                self.reveal = named(QPushButton(tr("Show")), "revealCprButton",
                                    tr("Show the whole CPR number"))
                self.reveal.setProperty("role", "link")
                self.reveal.setToolTip(tr("Viewing the person is recorded in the audit log."))
                self.reveal.setAutoDefault(False)
                self.reveal.clicked.connect(self.toggle_cpr)
                box.addWidget(self.reveal)
                box.addStretch(1)
                grid.addLayout(box, row, column + 1)
            else:
                grid.addWidget(value, row, column + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnMinimumWidth(2, 90)
        layout.addLayout(grid)
        self.note = named(QLabel(), "personNoteLabel", tr("Note"))
        self.note.setWordWrap(True)
        self.note.setProperty("role", "muted")
        layout.addWidget(self.note)
        self.cpr_shown = False

    def show_detail(self, detail: PersonDetail) -> None:
        self.detail = detail
        p = detail.person
        self.name.setText(p.full_name)
        self.name.setAccessibleName(p.full_name)
        self.restricted.setVisible(p.restricted)
        values = {
            "born": born_line(detail), "phone": p.phone or "–", "email": detail.email or "–",
            "address": p.address or "–", "area": detail.area_name or "–",
            "languages": detail.languages or "–",
            "responsible": detail.responsible_name or "–",
        }
        for key, text in values.items():
            self.values[key].setText(text)
        self.cpr_shown = False
        self._show_cpr()
        note = " ".join(detail.note.split())
        self.note.setText(tr("Note: {text}", text=note) if note else "")
        self.note.setVisible(bool(note))

    def toggle_cpr(self) -> None:
        self.cpr_shown = not self.cpr_shown
        self._show_cpr()

    def _show_cpr(self) -> None:
        cpr = self.detail.cpr if self.detail else ""
        self.reveal.setVisible(bool(cpr))
        if not cpr:
            self.values["cpr"].setText(tr("Not registered"))
            return
        self.values["cpr"].setText(cpr if self.cpr_shown else mask_cpr(cpr))
        self.reveal.setText(tr("Hide") if self.cpr_shown else tr("Show"))


def relation_line(rows: tuple[RelationRow, ...], parents: bool) -> str:
    parts = []
    for row in rows:
        other = row.parent if parents else row.child
        custody = tr("custody") if row.has_custody else tr("no custody")
        parts.append(f"{person_link(other.id, other.name)} ({escape(custody)})")
    return ", ".join(parts)


class HouseholdCard(QFrame):
    open_person = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "householdCard", tr("Household"))
        self.setProperty("role", "card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(6)
        layout.addWidget(_overline(tr("Household")))
        self.name = named(QLabel(), "householdNameLabel", tr("Household"))
        self.name.setProperty("role", "cardTitle")
        self.name.setWordWrap(True)
        self.members = named(QLabel(), "householdMembersLabel", tr("Members"))
        self.relations = named(QLabel(), "householdRelationsLabel", tr("Parents and children"))
        for label in (self.members, self.relations):
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(LINKS)
            label.linkActivated.connect(self._link)
        layout.addWidget(self.name)
        layout.addWidget(self.members)
        layout.addWidget(self.relations)
        layout.addStretch(1)
        self.edit_button = named(QPushButton(), "editHouseholdButton", tr("Household"))
        self.edit_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.edit_button)
        row.addStretch(1)
        layout.addLayout(row)

    def show_page(self, page: PersonPage) -> None:
        detail, household = page.detail, page.household
        me = detail.person.id
        if household is None:
            self.name.setText(tr("No household registered"))
            self.members.setText("")
        else:
            self.name.setText(household.household.name)
            names = []
            for member in household.members:
                age = tr(" ({age} years)", age=member.age) if member.age is not None else ""
                names.append(f"<b>{escape(member.full_name)}</b>{escape(age)}" if member.id == me
                             else person_link(member.id, member.full_name) + escape(age))
            if household.hidden_members:
                names.append(escape(tr("+ {count} in restricted cases",
                                       count=household.hidden_members)))
            self.members.setText("<br>".join(names))
        lines = []
        if detail.parents:
            lines.append(f"<b>{escape(tr('Parents'))}:</b> "
                         + relation_line(detail.parents, parents=True))
        if detail.children:
            lines.append(f"<b>{escape(tr('Children'))}:</b> "
                         + relation_line(detail.children, parents=False))
        self.relations.setText("<br>".join(lines))
        self.relations.setVisible(bool(lines))
        self.members.setVisible(household is not None)
        self.edit_button.setText(tr("Edit household…") if household else
                                 tr("Create household…"))
        self.edit_button.setAccessibleName(self.edit_button.text().rstrip("…"))

    def _link(self, href: str) -> None:
        if href.startswith("person:"):
            self.open_person.emit(int(href.split(":", 1)[1]))
