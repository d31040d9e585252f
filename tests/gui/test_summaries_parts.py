"""The parts of the Opgørelser screen on their own: the table model (Qt's model
tester), the records model, the multi-select, the filter presets, the choices and
drill-down rows service, naming for tests and screen readers, and the Danish catalogue."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QDateEdit,
    QTabBar,
    QTableView,
)
from pytestqt.qtbot import QtBot

from boligsag.i18n import placeholders
from boligsag.services.context import AppContext
from boligsag.services.errors import PermissionDenied
from boligsag.services.summaries import compute_summary, drill_down
from boligsag.services.summaries.choices import (
    describe_records,
    load_filter_choices,
    record_headings,
)
from boligsag.summaries.model import TOTAL, CellRef
from boligsag.summaries.published import publish
from boligsag.ui.pages.summaries import SummariesPage
from boligsag.ui.summaries.drill_dialog import RecordsModel
from boligsag.ui.summaries.filter_bar import SummaryFilterBar
from boligsag.ui.summaries.multi_select import MultiSelect
from boligsag.ui.summaries.table_model import CELL_REF_ROLE, SummaryTableModel
from boligsag.ui.summaries.view import exact_table, shown

from . import test_summaries_support as support
from .helpers import click_list_row
from .test_summaries_support import LAST_YEAR, TODAY

# The shared fixtures, bound here so pytest finds them in this module.
lead_ctx = support.lead_ctx
lead_page = support.lead_page
staff_ctx = support.staff_ctx
summary_demo = support.summary_demo

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "boligsag"
OWN_FILES = [SRC / "services" / "summaries" / "choices.py", SRC / "ui" / "pages" / "summaries.py",
             *sorted((SRC / "ui" / "summaries").glob("*.py"))]
CATALOGUE = ROOT / "resources" / "i18n" / "da" / "summaries_ui.json"
# The screen's texts about withheld figures (issue 10: one mark for all of them).
SUPPRESSION_CATALOGUE = ROOT / "resources" / "i18n" / "da" / "suppression.json"
# The texts of the published view that is prepared only when asked for.
LAZY_CATALOGUE = ROOT / "resources" / "i18n" / "da" / "summaries_lazy.json"


def test_the_table_model_passes_the_model_tester(qtmodeltester, lead_ctx: AppContext) -> None:
    summary = compute_summary(lead_ctx, LAST_YEAR)
    model = SummaryTableModel()
    qtmodeltester.check(model)  # empty
    model.set_table(exact_table(summary.table("participants")), drillable=True)
    qtmodeltester.check(model)
    grid = summary.table("participants")
    assert model.columnCount() == 1 + len(grid.columns) + 1  # labels, genders, total
    assert model.rowCount() == len(grid.rows) + 1
    total = model.index(model.rowCount() - 1, model.columnCount() - 1)
    assert total.data() == f"{grid.value(TOTAL, TOTAL):,}".replace(",", ".")
    assert total.data(Qt.ItemDataRole.FontRole).bold()
    assert total.data(CELL_REF_ROLE) == CellRef("participants", TOTAL, TOTAL)
    label = model.index(0, 0)
    assert label.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignLeft
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Aldersgruppe"
    # The published table: withheld cells carry their mark and say why.
    model.set_table(publish(summary).table("participants"), drillable=False)
    qtmodeltester.check(model)
    marks = [model.index(r, c) for r in range(model.rowCount())
             for c in range(1, model.columnCount()) if model.cell(r, c).mark]
    assert marks and all(i.data() == ".." for i in marks)
    assert "1 til 4" in marks[0].data(Qt.ItemDataRole.ToolTipRole)
    assert all(i.data(CELL_REF_ROLE) is None for i in marks)


def test_shares_hours_and_medians_read_in_danish(lead_ctx: AppContext) -> None:
    view = shown(compute_summary(lead_ctx, LAST_YEAR), None)
    model = SummaryTableModel()
    model.set_table(view.table("referrals_by_service"), drillable=True)
    total_row = model.rowCount() - 1
    share = model.index(total_row, 4).data()
    assert share.endswith(" %")
    model.set_table(view.table("contacts_by_channel"), drillable=True)
    hours = model.index(model.rowCount() - 1, 2).data()
    assert "," in hours  # one decimal, Danish comma


def test_the_records_model_passes_the_model_tester(qtmodeltester,
                                                   lead_ctx: AppContext) -> None:
    refs = drill_down(lead_ctx, LAST_YEAR, CellRef("referrals_by_status", TOTAL, TOTAL))
    model = RecordsModel()
    qtmodeltester.check(model)
    model.set_rows(refs[0].kind, describe_records(lead_ctx, refs))
    qtmodeltester.check(model)
    assert model.rowCount() == len(refs)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Oprettet"
    assert model.index(0, 0).data().count(".") == 2  # 12.03.2025


def test_describe_records_for_every_kind(lead_ctx: AppContext) -> None:
    cells = {
        "person": CellRef("participants", TOTAL, TOTAL),
        "contact": CellRef("contacts_by_channel", TOTAL, "contacts"),
        "session": CellRef("activities", TOTAL, "sessions"),
        "enrollment": CellRef("activities", TOTAL, "started"),
        "referral": CellRef("referral_flow", "sent", "referrals"),
        "job": CellRef("jobs", TOTAL, "started"),
    }
    for kind, ref in cells.items():
        refs = drill_down(lead_ctx, LAST_YEAR, ref)
        rows = describe_records(lead_ctx, refs)
        assert [r.id for r in rows] == [r.id for r in refs], kind
        if not rows:
            continue
        assert rows[0].kind == kind
        assert len(rows[0].cells) == len(record_headings(kind))
        if kind == "person":
            assert rows[0].person_id == rows[0].id and rows[0].cells[0]
    assert describe_records(lead_ctx, []) == []


def test_staff_may_not_describe_drill_down_records(lead_ctx: AppContext,
                                                   staff_ctx: AppContext) -> None:
    refs = drill_down(lead_ctx, LAST_YEAR, CellRef("participants", TOTAL, TOTAL))
    with pytest.raises(PermissionDenied):
        describe_records(staff_ctx, refs[:3])


def test_filter_choices(lead_ctx: AppContext) -> None:
    choices = load_filter_choices(lead_ctx)
    assert len(choices.plans) == 3 and choices.current_plan_id is not None
    assert choices.plan_period(()) == (date(2023, 1, 1), date(2026, 12, 31))
    oldest = min(choices.plans, key=lambda p: p.start)
    assert choices.plan_period([oldest.id])[0] == oldest.start
    # Two LBF periods: each focus area names its period.
    assert any("(2019–2026)" in f.label for f in choices.focus_areas)
    assert choices.areas and choices.activities and choices.staff


def test_presets(qtbot: QtBot, lead_ctx: AppContext) -> None:
    bar = SummaryFilterBar(lambda: TODAY)
    qtbot.addWidget(bar)
    bar.set_choices(load_filter_choices(lead_ctx))
    expected = {
        "this_year": (date(2026, 1, 1), TODAY),
        "last_year": (date(2025, 1, 1), date(2025, 12, 31)),
        "last_12_months": (date(2025, 11, 26), TODAY),
        "plan_period": (date(2023, 1, 1), date(2026, 12, 31)),
        "last_10_years": (date(2016, 11, 26), TODAY),
    }
    for key, period in expected.items():
        bar.presets[key].click()
        chosen = bar.current_filter()
        assert (chosen.date_from, chosen.date_to) == period, key
        assert bar.presets[key].isChecked()
    bar.set_period(date(2024, 2, 3), date(2024, 5, 6))
    assert not any(chip.isChecked() for chip in bar.presets.values())
    bar.set_period(date(2000, 1, 1), date(2026, 1, 1))
    assert bar.validate() is None
    assert "12 år" in bar.period_error.text()


def test_the_multi_select(qtbot: QtBot, lead_ctx: AppContext) -> None:
    select = MultiSelect("staffFilterTest", "Medarbejder")
    qtbot.addWidget(select)
    staff = load_filter_choices(lead_ctx).staff
    select.set_choices(staff)
    assert select.selected_ids() is None and select.text() == "Alle"
    select.open_popup()
    click_list_row(qtbot, select.list, 1)  # everyone but the first
    assert len(select.selected_ids() or ()) == len(staff) - 1
    click_list_row(qtbot, select.list, 0)  # "Alle" on again
    assert select.selected_ids() is None
    click_list_row(qtbot, select.list, 0)  # ...and off: nothing
    assert select.selected_ids() == () and select.text() == "Ingen valgt"
    click_list_row(qtbot, select.list, 2)
    assert select.selected_ids() == (staff[1].id,) and select.text() == staff[1].label
    select.list.setCurrentRow(3)
    qtbot.keyClick(select.list, Qt.Key.Key_Space)
    assert select.text() == "2 valgt"
    select.set_selected(None)
    assert select.filter_ids() == ()
    select.popup.hide()


def test_actions_and_widgets_are_named(lead_page: SummariesPage) -> None:
    actions = [a for a in lead_page.findChildren(QAction)
               if not a.objectName().startswith("_q_")]  # Qt's own (line-edit clear)
    assert {"actionComputeSummary", "actionExportXlsx", "actionExportCsv",
            "actionExportPdf"} <= {a.objectName() for a in actions}
    for action in actions:
        assert action.objectName(), action.text()
        assert action.property("accessibleName"), action.objectName()
    for kind in (QAbstractButton, QDateEdit, QTableView, QCheckBox):
        for widget in lead_page.findChildren(kind):
            if isinstance(widget.parent(), QTabBar) or widget.objectName().startswith("qt_"):
                continue  # Qt's own: the tab bar's scroll arrows, a table's corner
            assert widget.objectName(), repr(widget)
            assert widget.accessibleName(), widget.objectName()


def _message_ids(path: Path) -> dict[str, str]:
    found = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr"
                and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            found[node.args[0].value] = path.name
    return found


def test_every_text_of_the_screen_has_danish_with_the_same_placeholders() -> None:
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    for extra in (SUPPRESSION_CATALOGUE, LAZY_CATALOGUE):
        catalogue.update(json.loads(extra.read_text(encoding="utf-8")))
    ids: dict[str, str] = {}
    for path in OWN_FILES:
        ids.update(_message_ids(path))
    assert len(ids) > 100
    missing = [f"{msgid!r} ({where})" for msgid, where in ids.items() if msgid not in catalogue]
    assert missing == []
    differ = [msgid for msgid in ids if placeholders(catalogue[msgid]) != placeholders(msgid)]
    assert differ == []
    assert all(text.strip() for text in catalogue.values())
