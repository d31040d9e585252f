"""The filter bar of the Opgørelser screen: a period (with quick presets) and a
selection of plans, areas, focus areas, activities and staff; "Beregn" or Enter.

Bad input never reaches the engine: an end before the start, a period too long, or a
list with nothing checked gets a message beside the field and a red outline.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boligsag.domain.age import anniversary
from boligsag.formatting import qt_date_pattern
from boligsag.i18n import tr
from boligsag.services.casework_common import Choice
from boligsag.services.errors import ValidationFailed
from boligsag.services.summaries import validate_filter
from boligsag.services.summaries.choices import FilterChoices, PlanChoice
from boligsag.summaries.filter import SummaryFilter
from boligsag.ui.theme import BORDER, ERROR, MUTED, PRIMARY, PRIMARY_SOFT, SURFACE
from boligsag.ui.widgets import FieldError, named

from .multi_select import MultiSelect

STYLE = f"""
QPushButton[role="chip"] {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 16px; padding: 5px 11px; min-height: 20px; color: {MUTED}; }}
QPushButton[role="chip"]:hover {{ border-color: {PRIMARY}; color: {PRIMARY}; }}
QPushButton[role="chip"]:checked {{ background: {PRIMARY_SOFT}; border-color: {PRIMARY};
    color: {PRIMARY}; }}
QPushButton[role="chip"]:focus {{ border: 2px solid {PRIMARY}; padding: 4px 10px; }}
QPushButton[role="multiSelect"] {{ text-align: left; padding: 6px 30px 6px 9px; }}
QPushButton[role="multiSelect"]:focus {{ padding: 5px 29px 5px 8px; }}
*[invalid="true"] {{ border: 2px solid {ERROR}; }}
"""

PRESETS = (
    ("this_year", "presetThisYear"),
    ("last_year", "presetLastYear"),
    ("last_12_months", "presetLast12Months"),
    ("plan_period", "presetPlanPeriod"),
    ("last_10_years", "presetLast10Years"),
)


def preset_label(key: str) -> str:
    return {
        "this_year": tr("This year"),
        "last_year": tr("Last year"),
        "last_12_months": tr("Last 12 months"),
        "plan_period": tr("Whole plan period"),
        "last_10_years": tr("Last 10 years"),
    }[key]


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class SummaryFilterBar(QFrame):
    compute_requested = Signal(object)  # SummaryFilter
    edited = Signal()

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "summaryFilterBar", tr("Period and selection"))
        self.setProperty("role", "card")
        self.setStyleSheet(STYLE)
        self.today = today
        self.choices: FilterChoices | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 10, 18, 10)
        outer.setSpacing(4)

        # Row 1: quick periods, then the dates they fill in.
        period = QHBoxLayout()
        period.setSpacing(12)
        chips = QHBoxLayout()
        chips.setSpacing(6)
        self.presets: dict[str, QPushButton] = {}
        for key, object_name in PRESETS:
            chip = named(QPushButton(preset_label(key)), object_name, preset_label(key))
            chip.setProperty("role", "chip")
            chip.setCheckable(True)
            chip.clicked.connect(lambda _c=False, k=key: self.apply_preset(k))
            chips.addWidget(chip)
            self.presets[key] = chip
        period.addLayout(_field(tr("Period"), chips))
        period.addStretch(1)
        self.date_from = self._date_edit("dateFrom", tr("From"))
        self.date_to = self._date_edit("dateTo", tr("To"))
        period.addLayout(_field(tr("From"), self.date_from))
        period.addLayout(_field(tr("To"), self.date_to))
        outer.addLayout(period)
        self.period_error = FieldError("periodError")
        outer.addWidget(self.period_error)

        # Row 2: the selection, then Beregn.
        selection = QHBoxLayout()
        selection.setSpacing(12)
        self.selects = {
            "plan": MultiSelect("planFilter", tr("Plan")),
            "area": MultiSelect("areaFilter", tr("Area")),
            "focus_area": MultiSelect("focusAreaFilter", tr("Focus area")),
            "activity": MultiSelect("activityFilter", tr("Activity")),
            "staff": MultiSelect("staffFilter", tr("Staff member")),
        }
        for key, select in self.selects.items():
            select.setMinimumWidth(124)
            select.changed.connect(lambda k=key: self._selection_changed(k))
            selection.addLayout(_field(select.accessibleName(), select), 1)
        selection.addSpacing(8)
        self.compute_button = named(QPushButton(tr("Compute")), "computeButton",
                                    tr("Compute the summary"))
        self.compute_button.setProperty("role", "primary")
        self.compute_button.setToolTip(tr("Compute the figures for the period and selection "
                                          "(Enter)"))
        self.compute_button.setMinimumWidth(120)
        self.compute_button.clicked.connect(self.request_compute)
        selection.addWidget(self.compute_button, 0, Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(selection)
        self.selection_error = FieldError("selectionError")
        outer.addWidget(self.selection_error)
        self.apply_preset("this_year")

    def _date_edit(self, object_name: str, accessible: str) -> QDateEdit:
        edit = named(QDateEdit(), object_name, accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(qt_date_pattern())
        edit.setMinimumDate(QDate(2000, 1, 1))
        edit.setMaximumDate(QDate(2099, 12, 31))
        edit.setMinimumWidth(124)
        edit.dateChanged.connect(lambda _d: self._dates_changed())
        return edit

    # -- choices and presets ------------------------------------------------------------

    def set_choices(self, choices: FilterChoices) -> None:
        self.choices = choices
        self.selects["plan"].set_choices([_plan(p) for p in choices.plans])
        self.selects["area"].set_choices(choices.areas)
        self.selects["focus_area"].set_choices(choices.focus_areas)
        self.selects["activity"].set_choices(choices.activities)
        self.selects["staff"].set_choices(choices.staff)
        self.presets["plan_period"].setEnabled(bool(choices.plans))

    def preset_period(self, key: str) -> tuple[date, date] | None:
        today = self.today()
        if key == "this_year":
            return date(today.year, 1, 1), today
        if key == "last_year":
            return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
        if key == "last_12_months":
            return anniversary(today, -1) + timedelta(days=1), today
        if key == "last_10_years":
            return anniversary(today, -10) + timedelta(days=1), today
        if key == "plan_period" and self.choices is not None:
            return self.choices.plan_period(self.selects["plan"].filter_ids())
        return None

    def apply_preset(self, key: str) -> None:
        period = self.preset_period(key)
        if period is not None:
            self.set_period(*period)
        self._mark_preset()

    def set_period(self, start: date, end: date) -> None:
        for edit, value in ((self.date_from, start), (self.date_to, end)):
            edit.blockSignals(True)
            edit.setDate(_qdate(value))
            edit.blockSignals(False)
        self._dates_changed()

    def _mark_preset(self) -> None:
        current = (_pydate(self.date_from.date()), _pydate(self.date_to.date()))
        for key, chip in self.presets.items():
            chip.setChecked(self.preset_period(key) == current)

    def _dates_changed(self) -> None:
        self._mark_preset()
        if self.period_error.isVisible():
            self.validate()
        self.edited.emit()

    def _selection_changed(self, key: str) -> None:
        if key == "plan" and self.presets["plan_period"].isChecked():
            self.apply_preset("plan_period")  # follow the plans chosen
        if self.selection_error.isVisible():
            self.validate()
        self.edited.emit()

    # -- the filter ---------------------------------------------------------------------

    def current_filter(self) -> SummaryFilter:
        ids = {key: select.filter_ids() for key, select in self.selects.items()}
        return SummaryFilter(_pydate(self.date_from.date()), _pydate(self.date_to.date()),
                             plan_ids=ids["plan"], area_ids=ids["area"],
                             focus_area_ids=ids["focus_area"], activity_ids=ids["activity"],
                             staff_ids=ids["staff"])

    def set_filter(self, summary_filter: SummaryFilter) -> None:
        self.set_period(summary_filter.date_from, summary_filter.date_to)
        for key, ids in (("plan", summary_filter.plan_ids), ("area", summary_filter.area_ids),
                         ("focus_area", summary_filter.focus_area_ids),
                         ("activity", summary_filter.activity_ids),
                         ("staff", summary_filter.staff_ids)):
            self.selects[key].set_selected(ids or None)

    def validate(self, *, focus: bool = False) -> SummaryFilter | None:
        """The filter, or None after showing what is wrong beside the field (and, when
        asked to compute, moving the focus there; never while the user is typing)."""
        period_message = ""
        summary_filter = self.current_filter()
        if summary_filter.date_to < summary_filter.date_from:
            period_message = tr("The period ends before it starts. Choose an end date on or "
                                "after {start}.", start=self.date_from.text())
        else:
            try:
                validate_filter(summary_filter)
            except ValidationFailed as error:
                period_message = " ".join(error.field_messages().values())
        empty = [select for select in self.selects.values() if select.selected_ids() == ()]
        selection_message = " ".join(
            tr("Nothing is chosen under {field}: tick at least one, or tick All.",
               field=select.accessibleName()) for select in empty)
        self._flag(self.date_to, bool(period_message))
        self.period_error.show_message(period_message)
        for select in self.selects.values():
            self._flag(select, select in empty)
        self.selection_error.show_message(selection_message)
        if focus and period_message:
            self.date_to.setFocus()
        elif focus and empty:
            empty[0].setFocus()
        return None if period_message or empty else summary_filter

    @staticmethod
    def _flag(widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", "true" if invalid else "false")
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def request_compute(self) -> None:
        summary_filter = self.validate(focus=True)
        if summary_filter is not None:
            self.compute_requested.emit(summary_filter)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # The date edits and buttons pass Enter on: it computes from anywhere in the bar.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.request_compute()
            event.accept()
            return
        super().keyPressEvent(event)


def _field(caption: str, field: QWidget | QHBoxLayout) -> QVBoxLayout:
    """A small caption above a field (its buddy, for Alt+letter and screen readers)."""
    box = QVBoxLayout()
    box.setSpacing(3)
    box.addStretch(1)  # fields of different heights line up at the bottom
    label = QLabel(caption)
    label.setProperty("role", "overline")
    box.addWidget(label)
    if isinstance(field, QWidget):
        label.setBuddy(field)
        box.addWidget(field)
    else:
        box.addLayout(field)
    return box


def _plan(plan: PlanChoice) -> Choice:
    return Choice(plan.id, "", plan.name)
