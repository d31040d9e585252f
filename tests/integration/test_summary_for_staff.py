"""Who gets exact figures (issue 8, item 4.2): ``compute_summary`` itself withholds small
counts from anyone without the drill-down permission, with the suppression the exports
use (primary and secondary); a team lead keeps the exact figures."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from boligsag.domain.enums import Role
from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.summaries.model import TOTAL, Median, Share, Summary, ValueKind
from boligsag.summaries.published import Published, publish

from . import test_summaries
from .test_summaries import YEAR

# The demo database of the summary tests (module-scoped there, on each backend), bound
# here.
demo_path = test_summaries.demo_path
laptop_demo = test_summaries.laptop_demo
demo = test_summaries.demo


def as_role(ctx: AppContext, role: Role) -> AppContext:
    return dataclasses.replace(ctx, actor=dataclasses.replace(ctx.actor, role=role))


def count_cells(summary: Summary) -> Iterator[tuple[str, str, str, object]]:
    """(table, row, column, value) of every count, totals and grid row totals included."""
    for table in summary:
        for row in (*table.rows, *([table.total] if table.total else [])):
            for column in table.columns:
                if column.kind is ValueKind.COUNT:
                    yield table.key, row.key, column.key, table.value(row.key, column.key)
            if table.grid:
                yield table.key, row.key, TOTAL, table.value(row.key, TOTAL)


def small(summary: Summary) -> list[tuple[str, str, str, object]]:
    return [c for c in count_cells(summary) if isinstance(c[3], int) and 0 < c[3] < 5]


@pytest.fixture(scope="module")
def lead_summary(demo: AppContext) -> Summary:
    return compute_summary(as_role(demo, Role.TEAM_LEAD), YEAR)


@pytest.fixture(scope="module")
def staff_summary(demo: AppContext) -> Summary:
    return compute_summary(as_role(demo, Role.STAFF), YEAR)


def test_a_team_lead_gets_exact_small_counts(lead_summary: Summary) -> None:
    assert len(small(lead_summary)) > 20


def test_staff_get_no_small_count_anywhere(staff_summary: Summary) -> None:
    assert small(staff_summary) == []
    # Nor a share or median that carries its counts (numerator, denominator, n) along.
    assert not [v for t in staff_summary for r in (*t.rows, *([t.total] if t.total else []))
                for v in r.values if isinstance(v, Share | Median)]


def test_staff_figures_are_the_exports_figures(lead_summary: Summary,
                                               staff_summary: Summary) -> None:
    published = publish(lead_summary)

    def same(value: object, cell: Published) -> bool:
        if cell.mark:
            return getattr(value, "mark", None) == cell.mark
        if isinstance(cell.value, float):
            return isinstance(value, float) and abs(value - cell.value) < 1e-9
        return value == cell.value

    checked = 0
    for table in staff_summary:
        shown = published.table(table.key)
        columns = [c.key for c in shown.columns]
        for row in (*table.rows, *([table.total] if table.total else [])):
            for column in columns:
                cell = shown.cell(row.key, column)
                assert same(table.value(row.key, column), cell), (table.key, row.key, column)
                checked += 1
    assert checked > 500
    hidden = [c for c in count_cells(staff_summary) if getattr(c[3], "mark", None)]
    # One mark for every withheld count, small or not: "<5" would itself say "1 to 4".
    assert hidden and {c[3].mark for c in hidden} == {".."}
    for figure in staff_summary.key_figures:
        assert same(staff_summary.value(figure.ref), published.figure(figure.key).cell)
    assert not staff_summary.is_empty
