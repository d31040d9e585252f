"""The linear-programming attacker on whole exports of the demo data (issue 10 §4): the
year's all-teams export and every period the summary page offers as a preset. With
everything one export prints and its legend, the attacker recovers no withheld count
exactly, narrows none to fewer than 3 values and shows none of the small ones to be
1-4; while marks like the old ones ("<5") would have told the small ones apart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.services.summaries.choices import load_filter_choices
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.published import publish

from ..unit.disclosure_attacker import attack, leaks_quickly
from . import test_summaries
from .test_summaries import TODAY, YEAR

# The demo database of the summary tests (module-scoped there), bound here: the encrypted
# file only. The attack reads published figures, which test_summary_backends proves equal
# on PostgreSQL, so a second backend would double the slowest module for nothing new.
demo_path = test_summaries.demo_path
laptop_demo = test_summaries.laptop_demo


@pytest.fixture(scope="module")
def demo(laptop_demo: AppContext) -> AppContext:
    return laptop_demo


def test_the_years_all_teams_export_gives_nothing_away(demo: AppContext) -> None:
    summary = compute_summary(demo, YEAR)
    found = attack(summary, publish(summary))
    assert found.withheld > 100
    assert not found.exact and not found.narrow and not found.small and not found.derived


def test_every_preset_period_gives_nothing_away(demo: AppContext) -> None:
    plan = load_filter_choices(demo).plan_period([])
    assert plan is not None
    presets = {
        "this year": (date(TODAY.year, 1, 1), TODAY),
        "last 12 months": (TODAY.replace(year=TODAY.year - 1) + timedelta(days=1), TODAY),
        "plan period": plan,
        "last 10 years": (TODAY.replace(year=TODAY.year - 10) + timedelta(days=1), TODAY),
    }
    for name, (start, end) in presets.items():
        summary = compute_summary(demo, SummaryFilter(start, end))
        assert leaks_quickly(summary, publish(summary)) == ([], []), name


def test_a_mark_of_its_own_for_small_counts_would_give_them_away(demo: AppContext) -> None:
    """Sanity of the attacker and the reason for one mark: the same cells withheld, but
    marked as before ("<5": 1 to 4, where the count is small), leak every small one."""
    from boligsag.summaries.disclosure_lp import Auditor

    from ..unit.disclosure_attacker import findings, reader_view

    summary = compute_summary(demo, YEAR)
    layout, shown, cells = reader_view(summary, publish(summary))
    model = layout.model
    old = type(shown)(shown.hidden, shown.withheld_ratios,
                      {v: (1, 4) for v in shown.hidden if model.values[v] < 5})
    found = findings(layout, Auditor(model).audit(old), cells)
    assert len(found.small) == sum(1 for v in shown.hidden if model.values[v] < 5)
