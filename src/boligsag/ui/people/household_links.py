"""Parent–child links inside a household: who is whose parent, and who holds parental
custody (forældremyndighed), which decides who may consent on a child's behalf.

Each command is saved at once (one small transaction) through ``run_service``; the
dialog shows the household again afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.i18n import tr
from boligsag.services.households import (
    HouseholdDetail,
    link_parent_child,
    set_custody,
    unlink_parent_child,
)
from boligsag.services.people import RelationRow
from boligsag.ui.activities.forms import calm_list
from boligsag.ui.widgets import named


def relation_text(relation: RelationRow) -> str:
    text = tr("{parent} is the parent of {child}", parent=relation.parent.name,
              child=relation.child.name)
    custody = tr("has custody") if relation.has_custody else tr("no custody")
    return f"{text} · {custody}"


class HouseholdLinks(QWidget):
    """``run(func, *args)`` is the dialog's way to call a service and reload."""

    def __init__(self, run: Callable[..., None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = run
        self._member_ids: list[int] = []
        named(self, "householdLinks", tr("Parents and children"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.list = named(QListWidget(), "householdLinksList", tr("Parent–child links"))
        self.list.setFixedHeight(96)
        calm_list(self.list)
        layout.addWidget(self.list)
        tools = QHBoxLayout()
        tools.setSpacing(8)
        self.custody_button = named(QPushButton(tr("Change custody")), "toggleCustodyButton",
                                    tr("Change custody"))
        self.unlink_button = named(QPushButton(tr("Remove link")), "unlinkButton",
                                   tr("Remove the link"))
        for button in (self.custody_button, self.unlink_button):
            button.setAutoDefault(False)
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)

        add = QHBoxLayout()
        add.setSpacing(8)
        self.parent_combo = named(QComboBox(), "linkParentCombo", tr("Parent"))
        self.child_combo = named(QComboBox(), "linkChildCombo", tr("Child"))
        for combo in (self.parent_combo, self.child_combo):
            combo.setMinimumWidth(215)
        between = QLabel(tr("is the parent of"))
        self.custody = named(QCheckBox(tr("Has custody")), "linkCustodyCheck",
                             tr("Has parental custody"))
        self.custody.setChecked(True)
        self.link_button = named(QPushButton(tr("Link")), "linkButton",
                                 tr("Link parent and child"))
        self.link_button.setAutoDefault(False)
        add.addWidget(self.parent_combo, 1)
        add.addWidget(between)
        add.addWidget(self.child_combo, 1)
        add.addWidget(self.custody)
        add.addWidget(self.link_button)
        layout.addLayout(add)

        self.link_button.clicked.connect(self.link)
        self.unlink_button.clicked.connect(self.unlink)
        self.custody_button.clicked.connect(self.toggle_custody)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self._update_buttons()

    def show_household(self, household: HouseholdDetail) -> None:
        chosen = self.current()
        self.list.clear()
        for relation in household.relations:
            item = QListWidgetItem(relation_text(relation))
            item.setData(Qt.ItemDataRole.UserRole, relation)
            self.list.addItem(item)
            if chosen is not None and relation.id == chosen.id:
                self.list.setCurrentItem(item)
        if not household.relations:
            item = QListWidgetItem(tr("No links yet: choose a parent and a child below."))
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        members = sorted(household.members, key=lambda m: (m.birth_date is None,
                                                           m.birth_date))
        ids = [m.id for m in members]
        parent_id, child_id = self.parent_combo.currentData(), self.child_combo.currentData()
        if ids != self._member_ids:  # new members: start again from oldest and youngest
            parent_id = child_id = None
        self._member_ids = ids
        for combo, wanted, people in ((self.parent_combo, parent_id, members),
                                      (self.child_combo, child_id, list(reversed(members)))):
            combo.clear()
            for member in people:
                age = tr(" ({age} years)", age=member.age) if member.age is not None else ""
                combo.addItem(member.full_name + age, member.id)
            combo.setCurrentIndex(max(0, combo.findData(wanted)))
        self.link_button.setEnabled(len(members) >= 2)
        self._update_buttons()

    def current(self) -> RelationRow | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        chosen = self.current() is not None
        self.unlink_button.setEnabled(chosen)
        self.custody_button.setEnabled(chosen)

    def link(self) -> None:
        parent_id, child_id = self.parent_combo.currentData(), self.child_combo.currentData()
        if parent_id is None or child_id is None:
            return
        self.run(link_parent_child, parent_id, child_id, has_custody=self.custody.isChecked())

    def unlink(self) -> None:
        relation = self.current()
        if relation is not None:
            self.run(unlink_parent_child, relation.id, relation.version)

    def toggle_custody(self) -> None:
        relation = self.current()
        if relation is not None:
            self.run(set_custody, relation.id, relation.version, not relation.has_custody)

