"""The warning before a new person is created who may already be registered.

Lists each match with why it matches (same CPR number; similar name and same birth
date; same name), and offers to open the existing person instead — the usual right
answer — or to create the new one anyway. A person with the same CPR number cannot be
created twice, so then only "Åbn eksisterende" and "Tilbage" are offered.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boligsag.formatting import short_date
from boligsag.i18n import tr
from boligsag.services.people import DuplicateCandidate, DuplicateReason
from boligsag.ui.theme import ERROR, GRIDLINE, PRIMARY_SOFT, SURFACE, WARNING
from boligsag.ui.widgets import DialogHeader, named


def reason_text(reason: DuplicateReason) -> str:
    return {
        DuplicateReason.SAME_CPR: tr("Same CPR number"),
        DuplicateReason.SIMILAR_NAME_SAME_BIRTH_DATE: tr("Similar name and same birth date"),
        DuplicateReason.SAME_NAME: tr("Same name"),
    }[DuplicateReason(reason)]


def candidate_facts(person: DuplicateCandidate) -> str:
    facts = []
    if person.birth_date is not None:
        facts.append(tr("born {date}", date=short_date(person.birth_date)))
    if person.cpr_masked:
        facts.append(person.cpr_masked)
    if person.address:
        facts.append(person.address)
    if person.phone:
        facts.append(person.phone)
    return " · ".join(facts)


def candidate_widget(person: DuplicateCandidate) -> QWidget:
    """Name in bold, the facts to tell people apart, and why it matches."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(10, 6, 10, 6)
    layout.setSpacing(2)
    top = QHBoxLayout()
    name = QLabel(person.full_name)
    name.setStyleSheet("font-weight: bold; background: transparent;")
    reason = QLabel(reason_text(person.reason))
    strong = person.reason == DuplicateReason.SAME_CPR
    reason.setStyleSheet(f"color: {ERROR if strong else WARNING}; background: transparent;")
    top.addWidget(name)
    top.addStretch(1)
    top.addWidget(reason)
    facts = QLabel(candidate_facts(person))
    facts.setProperty("role", "muted")
    facts.setStyleSheet("background: transparent;")
    layout.addLayout(top)
    layout.addWidget(facts)
    return widget


class DuplicateDialog(QDialog):
    open_existing = Signal(int)  # the person's id
    create_anyway = Signal()

    def __init__(self, candidates: list[DuplicateCandidate], name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "duplicateDialog", tr("Possible duplicate"))
        self.setWindowTitle(tr("Possible duplicate"))
        self.setMinimumWidth(600)
        self.candidates = candidates
        same_cpr = any(c.reason == DuplicateReason.SAME_CPR for c in candidates)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(26, 22, 26, 18)
        layout.setSpacing(12)
        text = (tr("A person with this CPR number is already registered. Open that person "
                   "instead: one person, one record.") if same_cpr else
                tr("{name} may already be registered. Open the existing person if it is the "
                   "same one; two records for one person split their history.", name=name))
        layout.addWidget(DialogHeader("people", tr("Is this someone already registered?"),
                                      text))
        self.list = named(QListWidget(), "duplicateList", tr("Possible matches"))
        self.list.setStyleSheet(f"QListWidget {{ outline: 0; background: {SURFACE}; }} "
                                f"QListWidget::item {{ border-bottom: 1px solid {GRIDLINE}; }} "
                                f"QListWidget::item:selected {{ background: {PRIMARY_SOFT}; }}")
        for candidate in candidates:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, candidate.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, " – ".join((
                candidate.full_name, candidate_facts(candidate),
                reason_text(candidate.reason))))
            row = candidate_widget(candidate)
            item.setSizeHint(QSize(200, 58))
            self.list.addItem(item)
            self.list.setItemWidget(item, row)
        self.list.setCurrentRow(0)
        self.list.setFixedHeight(min(len(candidates), 4) * 58 + 6)
        self.list.itemActivated.connect(lambda _item: self._open())
        layout.addWidget(self.list)
        if same_cpr:
            refused = named(QLabel(tr("A second registration with the same CPR number is not "
                                      "possible.")), "duplicateRefused", tr("Explanation"))
            refused.setProperty("role", "muted")
            refused.setWordWrap(True)
            layout.addWidget(refused)

        buttons = QDialogButtonBox()
        self.open_button = named(buttons.addButton(tr("Open existing"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole),
                                 "duplicateOpenButton", tr("Open existing"))
        self.open_button.setDefault(True)
        self.create_button = named(buttons.addButton(tr("Create anyway"),
                                                     QDialogButtonBox.ButtonRole.ActionRole),
                                   "duplicateCreateButton", tr("Create anyway"))
        self.create_button.setAutoDefault(False)
        self.create_button.setVisible(not same_cpr)
        back = named(buttons.addButton(tr("Back to the form"),
                                       QDialogButtonBox.ButtonRole.RejectRole),
                     "duplicateBackButton", tr("Back to the form"))
        back.setAutoDefault(False)
        self.open_button.clicked.connect(self._open)
        self.create_button.clicked.connect(self._create)
        back.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.list.setFocus()

    def chosen_id(self) -> int:
        item = self.list.currentItem() or self.list.item(0)
        return int(item.data(Qt.ItemDataRole.UserRole))

    def _open(self) -> None:
        person_id = self.chosen_id()
        self.accept()
        self.open_existing.emit(person_id)

    def _create(self) -> None:
        self.accept()
        self.create_anyway.emit()
