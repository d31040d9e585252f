"""Anonymous drop-in head counts: age groups down, genders across, totals at the edges.
Tab walks the grid row by row; typing replaces the number in the focused cell."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSpinBox, QWidget

from boligsag.domain.enums import Gender
from boligsag.formatting import number_text
from boligsag.i18n import tr
from boligsag.services.casework_common import Choice
from boligsag.services.sessions import HeadCountEntry
from boligsag.ui.widgets import named

from .forms import plain_spin

MAX_COUNT = 999


class HeadCountGrid(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "headCountGrid", tr("Head counts by age group and gender"))
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(6)
        self.spins: dict[tuple[str, str], QSpinBox] = {}
        self.row_totals: dict[str, QLabel] = {}
        self.column_totals: dict[str, QLabel] = {}
        self.total = named(QLabel("0"), "headCountTotal", tr("Total"))
        self.age_groups: tuple[Choice, ...] = ()
        self.genders: tuple[Choice, ...] = ()

    def build(self, age_groups: tuple[Choice, ...], genders: tuple[Choice, ...]) -> None:
        """Lay out the grid once the sheet says which age groups and genders exist."""
        if self.spins:
            return
        self.age_groups, self.genders = age_groups, genders
        for column, gender in enumerate(genders, start=1):
            self.grid.addWidget(self._heading(gender.label), 0, column)
        self.grid.addWidget(self._heading(tr("Total")), 0, len(genders) + 1)
        previous: QWidget | None = None
        for row, age in enumerate(age_groups, start=1):
            label = QLabel(age.label)
            self.grid.addWidget(label, row, 0)
            for column, gender in enumerate(genders, start=1):
                spin = named(QSpinBox(), f"headCount_{age.code}_{gender.code}",
                             tr("{age_group}, {gender}", age_group=age.label,
                                gender=gender.label))
                spin.setRange(0, MAX_COUNT)
                plain_spin(spin, 84)
                spin.setAlignment(Qt.AlignmentFlag.AlignRight)
                spin.valueChanged.connect(self._recount)
                self.grid.addWidget(spin, row, column)
                self.spins[(age.code, gender.code)] = spin
                if previous is not None:
                    QWidget.setTabOrder(previous, spin)
                previous = spin
            total = named(QLabel("0"), f"headCountRowTotal_{age.code}",
                          tr("Total {age_group}", age_group=age.label))
            total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            total.setProperty("role", "muted")
            self.grid.addWidget(total, row, len(genders) + 1)
            self.row_totals[age.code] = total
        last = len(age_groups) + 1
        total_heading = self._heading(tr("Total"))
        total_heading.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.grid.addWidget(total_heading, last, 0)
        for column, gender in enumerate(genders, start=1):
            total = named(QLabel("0"), f"headCountColumnTotal_{gender.code}",
                          tr("Total {gender}", gender=gender.label))
            total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            total.setContentsMargins(0, 0, 10, 0)
            total.setProperty("role", "muted")
            self.grid.addWidget(total, last, column)
            self.column_totals[gender.code] = total
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total.setProperty("role", "cardTitle")
        self.grid.addWidget(self.total, last, len(genders) + 1)
        self.grid.setColumnStretch(len(genders) + 2, 1)
        self.grid.setRowStretch(last + 1, 1)

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "overline")
        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        label.setContentsMargins(0, 0, 10, 0)
        return label

    def first_spin(self) -> QSpinBox | None:
        return next(iter(self.spins.values()), None)

    def values(self) -> tuple[HeadCountEntry, ...]:
        return tuple(HeadCountEntry(age, Gender(gender), spin.value())
                     for (age, gender), spin in self.spins.items() if spin.value())

    def set_values(self, entries: tuple[HeadCountEntry, ...]) -> None:
        counts = {(e.age_group, str(e.gender)): e.count for e in entries}
        for key, spin in self.spins.items():
            spin.blockSignals(True)
            spin.setValue(counts.get(key, 0))
            spin.blockSignals(False)
        self._recount()

    def total_count(self) -> int:
        return sum(spin.value() for spin in self.spins.values())

    def _recount(self) -> None:
        number = partial(number_text, decimals=0)
        for age in self.age_groups:
            self.row_totals[age.code].setText(number(sum(
                self.spins[(age.code, g.code)].value() for g in self.genders)))
        for gender in self.genders:
            self.column_totals[gender.code].setText(number(sum(
                self.spins[(a.code, gender.code)].value() for a in self.age_groups)))
        self.total.setText(number(self.total_count()))
        self.changed.emit()
