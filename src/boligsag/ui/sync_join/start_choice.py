"""The first-run wizard's first question: make a new database here, or connect to a
team that already works with a team server (the "Forbind til teamserver…" dialog)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget

from boligsag.i18n import tr
from boligsag.ui.widgets import named


class StartChoice(QWidget):
    #: True when "connect to a team" is chosen.
    changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "startChoice", tr("How do you want to start?"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.create = named(QRadioButton(tr("&Create a new database on this computer")),
                            "createDatabaseChoice", tr("Create a new database"))
        self.join = named(QRadioButton(tr("C&onnect to a team on a team server")),
                          "joinTeamChoice", tr("Connect to a team"))
        self.join_hint = named(QLabel(tr(
            "For a team that already works with a team server. Your IT administrator "
            "gives you its address and certificate fingerprint.")), "joinTeamHint",
            tr("About connecting to a team"))
        self.join_hint.setProperty("role", "muted")
        self.join_hint.setWordWrap(True)
        self.join_hint.setContentsMargins(24, 0, 0, 0)  # under the radio button's text
        group = QButtonGroup(self)
        for button in (self.create, self.join):
            group.addButton(button)
        self.create.setChecked(True)
        layout.addWidget(self.create)
        layout.addWidget(self.join)
        layout.addWidget(self.join_hint)
        self.join.toggled.connect(self.changed)

    def joining(self) -> bool:
        return self.join.isChecked()
