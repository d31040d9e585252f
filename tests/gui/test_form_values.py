"""ui/form_values.py: what a form's fields hold, which the user changed, and putting the
user's changes back on top of a refilled form (the stale notice's "keep mine")."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from boligsag.services.casework_common import PersonRef
from boligsag.ui import form_values
from boligsag.ui.contacts.person_chips import PersonChips


class Form(QWidget):
    def __init__(self, ctx: object) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.name, self.note = QLineEdit(), QPlainTextEdit()
        self.kind = QComboBox()
        self.kind.addItems(["Telefon", "Fremmøde"])
        self.minutes, self.day = QSpinBox(), QDateEdit(QDate(2026, 11, 24))
        self.minutes.setMaximum(600)
        self.done, self.a, self.b = QCheckBox("Udført"), QRadioButton("A"), QRadioButton("B")
        self.a.setChecked(True)
        self.tree = QTreeWidget()
        for text in ("Skole", "Job"):
            item = QTreeWidgetItem([text])
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
        self.people = PersonChips(ctx)  # type: ignore[arg-type]
        for widget in (self.name, self.note, self.kind, self.minutes, self.day, self.done,
                       self.a, self.b, self.tree, self.people):
            layout.addWidget(widget)

    def fill(self, name: str, minutes: int, people: tuple[PersonRef, ...]) -> None:
        """Like an editor's fill: every field from the stored record."""
        self.name.setText(name)
        self.note.setPlainText("")
        self.kind.setCurrentIndex(0)
        self.minutes.setValue(minutes)
        self.day.setDate(QDate(2026, 11, 24))
        self.done.setChecked(False)
        self.a.setChecked(True)
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setCheckState(0, Qt.CheckState.Unchecked)
        self.people.set_form_value(people)


HANNE, ALI = PersonRef(1, "Hanne Ærbø"), PersonRef(2, "Ali Aydın")


def test_the_users_changes_go_back_on_top_of_theirs(qtbot: QtBot, ctx: object) -> None:
    form = Form(ctx)
    qtbot.addWidget(form)
    form.fill("Første", 15, (HANNE,))
    before = form_values.read(form)
    assert form_values.changed(before, form_values.read(form)) == {}

    # The user: a note, a later day, Fremmøde, B, a topic, Ali instead of Hanne.
    form.note.setPlainText("Mit notat")
    form.day.setDate(QDate(2026, 11, 25))
    form.kind.setCurrentIndex(1)
    form.b.setChecked(True)
    form.tree.topLevelItem(1).setCheckState(0, Qt.CheckState.Checked)
    form.people.set_form_value((ALI,))
    mine = form_values.changed(before, form_values.read(form))
    assert form.name not in mine and form.minutes not in mine
    assert {form.note, form.day, form.kind, form.b, form.tree, form.people} <= set(mine)

    form.fill("Rettet af kollega", 45, (HANNE,))  # their version
    form_values.put_back(mine)
    assert (form.name.text(), form.minutes.value()) == ("Rettet af kollega", 45)  # theirs
    assert form.note.toPlainText() == "Mit notat"
    assert form.day.date() == QDate(2026, 11, 25)
    assert form.kind.currentText() == "Fremmøde"
    assert form.b.isChecked() and not form.a.isChecked()
    assert form.tree.topLevelItem(1).checkState(0) == Qt.CheckState.Checked
    assert form.people.person_ids() == (ALI.id,)
