"""Suppression against a linear-programming attacker (issue 10 §4): the cases the issue
names, hypothesis-made exports against brute force, and the marks themselves."""

from __future__ import annotations

import math
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligsag.services.summaries.tables import Category, grid_table, measures_table
from boligsag.summaries.disclosure import (
    Linear,
    Model,
    Shown,
    active_constraints,
    components,
    free_variables,
)
from boligsag.summaries.disclosure_lp import Auditor
from boligsag.summaries.filter import FilterNames
from boligsag.summaries.model import TOTAL, Column, Label, Share, Summary, Table, ValueKind
from boligsag.summaries.published import publish

from .disclosure_attacker import THRESHOLD, attack, reader_view
from .test_export_suppression import PERIOD


def _label(text: str) -> Label:
    return Label(text, text)


def _cats(*keys: str) -> list[Category]:
    return [Category(k, _label(k)) for k in keys]


def summary_of(*tables: Table) -> Summary:
    return Summary(filter=PERIOD, names=FilterNames(), generated_at=datetime(2026, 1, 5, 9),
                   tables=tables, key_figures=())


def counts_table(values: list[int]) -> Table:
    rows = _cats(*(f"r{i}" for i in range(len(values))))
    return measures_table("channels", _label("Channels"), _label("Channel"), rows,
                          (Column("n", _label("Contacts")),),
                          {r.key: (v,) for r, v in zip(rows, values, strict=True)})


def follow_ups(rows: list[tuple[int, int]]) -> Table:
    """(answered, still employed) per milestone, a share of them, no total row."""
    cats = _cats(*(f"m{i}" for i in range(len(rows))))
    return measures_table(
        "follow_ups", _label("Follow-ups"), _label("Milestone"), cats,
        (Column("answered", _label("Answered"), additive=False),
         Column("still", _label("Still employed"), additive=False),
         Column("share", _label("Share"), ValueKind.SHARE, base="still",
                denominator="answered")),
        {c.key: (a, s, Share(s, a)) for c, (a, s) in zip(cats, rows, strict=True)},
        with_total=False)


def jobs(pocket: int, leisure: int, anyone: int, started: tuple[int, int]) -> Table:
    """Young people with each kind of job (unique people: the total counts a person
    with both kinds once) and jobs started (additive)."""
    cats = _cats("pocket", "leisure")
    return measures_table(
        "jobs", _label("Jobs"), _label("Kind"), cats,
        (Column("young", _label("Young people"), additive=False),
         Column("started", _label("Started"))),
        {"pocket": (pocket, started[0]), "leisure": (leisure, started[1])},
        total=(anyone, None))


def grid(values: list[list[int]]) -> Table:
    rows = _cats(*(f"g{i}" for i in range(len(values))))
    cols = [Column(f"c{j}", _label(f"C{j}")) for j in range(len(values[0]))]
    return grid_table("grid", _label("Grid"), _label("Row"), rows, cols,
                      {(r.key, c.key): values[i][j] for i, r in enumerate(rows)
                       for j, c in enumerate(cols)})


# -- the cases of the issue ---------------------------------------------------------------


def test_a_column_total_with_four_small_cells_pins_none_of_them() -> None:
    """Total 90, 86 visible and four "<5": under the old marks each is exactly 1."""
    summary = summary_of(counts_table([1, 1, 1, 1, 40, 46]))
    found = attack(summary, publish(summary))
    assert not found.leaks, found
    table = publish(summary).table("channels")
    assert {table.cell(f"r{i}", "n").mark for i in range(4)} == {".."}


def test_a_share_withheld_for_its_small_complement_leaves_no_pair_of_counts() -> None:
    """"Answered 15, still employed 12" tells that 3 did not keep the job."""
    summary = summary_of(follow_ups([(15, 12), (25, 20), (30, 24)]))
    published = publish(summary).table("follow_ups")
    assert published.cell("m0", "share").hidden
    assert published.cell("m0", "answered").hidden or published.cell("m0", "still").hidden
    assert not attack(summary, publish(summary)).leaks


def test_overlapping_job_columns_do_not_give_away_who_has_both() -> None:
    """Pocket-money 10 + leisure 12 - anyone 18 = 4 young people with both."""
    summary = summary_of(jobs(10, 12, 18, (7, 9)))
    found = attack(summary, publish(summary))
    assert not found.leaks, found
    young = publish(summary).table("jobs")
    assert any(young.cell(r, "young").hidden for r in ("pocket", "leisure", TOTAL))


def test_zeros_are_shown_and_every_withheld_count_has_one_mark() -> None:
    summary = summary_of(grid([[0, 3, 12], [7, 0, 20], [9, 14, 0]]), counts_table([2, 30, 0]))
    published = publish(summary)
    layout, shown, _ = reader_view(summary, published)
    marks = {published.table(ref.table).cell(ref.row, ref.column).mark
             for ref in layout.variables}
    assert marks == {"", ".."}
    assert all(layout.model.values[v] > 0 for v in shown.hidden)
    assert not attack(summary, published).leaks


def test_the_same_data_is_always_withheld_alike() -> None:
    def once() -> list[str]:
        summary = summary_of(grid([[1, 5, 9, 2], [6, 3, 8, 11], [4, 7, 1, 5]]),
                             jobs(6, 9, 12, (3, 8)))
        published = publish(summary)
        return [c.mark for t in published.tables for r in (*t.rows, t.total) if r
                for c in r.cells]

    assert once() == once()


# -- hypothesis-made exports against brute force ------------------------------------------

small_counts = st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12])


@st.composite
def exports(draw: st.DrawFn) -> Summary:
    rows, cols = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    values = [[draw(small_counts) for _ in range(cols)] for _ in range(rows)]
    pocket, leisure = draw(small_counts), draw(small_counts)
    both = draw(st.integers(0, min(pocket, leisure)))
    started = (draw(small_counts), draw(small_counts))
    answered = draw(st.lists(st.integers(1, 14), min_size=2, max_size=3))
    kept = [draw(st.integers(0, a)) for a in answered]
    return summary_of(grid(values), jobs(pocket, leisure, pocket + leisure - both, started),
                      follow_ups(list(zip(answered, kept, strict=True))))


def feasible_values(model: Model, shown: Shown, box: int) -> dict[int, set[int]] | None:
    """Every value each withheld count takes in some integer solution with all counts
    at most ``box``, by depth-first search (an equation with one unknown left is
    solved, not searched); None if that is too much work for a test."""
    constraints = active_constraints(model, shown)
    free = free_variables(model, shown)
    seen: dict[int, set[int]] = {v: set() for v in free}
    for variables in components(free, constraints):
        local = [c for c in constraints if any(v in variables for v, _ in c.terms)]
        if not _search(model, shown, free, local, variables, box, seen):
            return None
    return seen


def _search(model: Model, shown: Shown, free: set[int], local: list[Linear],
            variables: list[int], box: int, seen: dict[int, set[int]]) -> bool:
    budget = [20_000]

    def settle(assigned: dict[int, int]) -> dict[int, int] | None:
        """Solve equations with one unknown left; None if something contradicts."""
        assigned = dict(assigned)
        changed = True
        while changed:
            changed = False
            for c in local:
                unknown = [(v, k) for v, k in c.terms if v in free and v not in assigned]
                known = sum(k * (assigned[v] if v in free else model.values[v])
                            for v, k in c.terms if v not in free or v in assigned)
                if not unknown:
                    if not c.lo - 1e-9 <= known <= c.hi + 1e-9:
                        return None
                elif len(unknown) == 1 and c.lo == c.hi:
                    v, k = unknown[0]
                    x = (c.lo - known) / k
                    low, high = shown.bounds(v)
                    if abs(x - round(x)) > 1e-9 or not low <= x <= (high or box):
                        return None
                    assigned[v] = round(x)
                    changed = True
        return assigned

    def search(assigned: dict[int, int]) -> None:
        budget[0] -= 1
        settled = settle(assigned) if budget[0] >= 0 else None
        if settled is None:
            return
        todo = [v for v in variables if v not in settled]
        if not todo:
            for v in variables:
                seen[v].add(settled[v])
            return
        low, high = shown.bounds(todo[0])
        for x in range(int(low), min(box, int(high) if high is not None else box) + 1):
            search({**settled, todo[0]: x})

    search({})
    return budget[0] >= 0


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_random_exports_pass_the_attacker_whose_bounds_hold_every_solution(
        summary: Summary) -> None:
    published = publish(summary)
    found = attack(summary, published)
    assert not found.leaks, found
    layout, shown, _ = reader_view(summary, published)
    model = layout.model
    box = max(model.values) + 3
    solutions = feasible_values(model, shown, box)
    if solutions is None:
        return
    audit = Auditor(model).audit(shown)
    for var, bounds in audit.cells.items():
        assert model.values[var] in solutions[var]  # the truth is a solution
        for value in solutions[var]:
            assert bounds.lo <= value <= (math.inf if bounds.hi is None else bounds.hi), (
                var, value, bounds)


def test_the_auditor_is_sound_on_the_old_marks_too() -> None:
    """Brute force agrees with the LP where the old marks ("<5": 1-4) narrow a lot."""
    summary = summary_of(grid([[3, 10, 2], [20, 1, 30], [4, 50, 60]]))
    layout, shown, _ = reader_view(summary, publish(summary))
    old = Shown(shown.hidden, shown.withheld_ratios,
                {v: (1, 4) for v in shown.hidden if layout.model.values[v] < THRESHOLD})
    solutions = feasible_values(layout.model, old, max(layout.model.values) + 3)
    assert solutions is not None
    audit = Auditor(layout.model).audit(old)
    for var, bounds in audit.cells.items():
        assert min(solutions[var]) >= bounds.lo
        assert bounds.hi is None or max(solutions[var]) <= bounds.hi


def test_brute_force_finds_every_solution_of_a_tiny_system() -> None:
    # x + y = 5 with both withheld (each at least 1): x and y are each 1 to 4.
    model = Model()
    x, y, total = model.variable(2), model.variable(3), model.variable(5)
    model.require([(x, 1.0), (y, 1.0), (total, -1.0)], 0, 0)
    shown = Shown(frozenset({x, y}), frozenset())
    solutions = feasible_values(model, shown, 10)
    assert solutions is not None
    assert solutions[x] == {1, 2, 3, 4} and solutions[y] == {1, 2, 3, 4}
