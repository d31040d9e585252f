"""The test attacker: a reader with one whole export and the linear programs of
``boligsag.summaries.disclosure``, who reads every mark as the export's legend says.

Old publications printed "<5" for a count from 1 to 4 (and could withhold a 0 as
".."); the current ones print ".." for every withheld figure and never withhold a 0.
The attacker is told which by the marks it finds, as a reader would be by the legend.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligsag.summaries.disclosure import Bounds, Model, Shown
from boligsag.summaries.disclosure_build import Layout, build
from boligsag.summaries.disclosure_lp import Audit, Auditor
from boligsag.summaries.model import CellRef, Summary
from boligsag.summaries.published import PublishedSummary

THRESHOLD = 5


@dataclass
class Findings:
    """What the attacker learnt: withheld counts known exactly, narrowed to fewer than 3
    values, and truly small counts (withheld or derived) shown to be 1-4."""

    exact: list[CellRef]
    narrow: list[CellRef]
    small: list[CellRef]
    derived: list[tuple[int, Bounds]]  # derived counts (overlaps, complements) leaked
    withheld: int  # withheld count cells, for the figures in the report

    @property
    def leaks(self) -> bool:
        return bool(self.exact or self.narrow or self.small or self.derived)


def reader_view(summary: Summary, published: PublishedSummary) -> tuple[Layout, Shown, int]:
    layout = build(summary, THRESHOLD)
    marks = {cell_mark(published, ref) for ref in layout.variables} - {""}
    old_style = f"<{THRESHOLD}" in marks
    hidden: set[int] = set()
    bounds: dict[int, tuple[int, int | None]] = {}
    cells = 0
    for ref, var in layout.variables.items():
        mark = cell_mark(published, ref)
        if not mark:
            continue
        cells += 1
        hidden.add(var)
        # A figure repeated in several tables has the same mark in each.
        if mark == f"<{THRESHOLD}":
            bounds[var] = (1, THRESHOLD - 1)
        else:
            bounds[var] = (0 if old_style else 1, None)
    withheld = {index for ref, index in layout.ratios.items() if cell_mark(published, ref)}
    return layout, Shown(frozenset(hidden), frozenset(withheld), bounds), cells


def cell_mark(published: PublishedSummary, ref: CellRef) -> str:
    return published.table(ref.table).cell(ref.row, ref.column).mark


def attack(summary: Summary, published: PublishedSummary) -> Findings:
    layout, shown, cells = reader_view(summary, published)
    audit = Auditor(layout.model).audit(shown)
    return findings(layout, audit, cells)


def _only_small(b: Bounds) -> bool:
    """Known to be 1..THRESHOLD-1: neither 0 nor THRESHOLD or more is possible."""
    return b.lo >= 1 and b.hi is not None and b.hi < THRESHOLD


def findings(layout: Layout, audit: Audit, cells: int) -> Findings:
    model: Model = layout.model
    name = {var: ref for ref, var in reversed(list(layout.variables.items()))}
    exact, narrow, small = [], [], []
    for var, b in sorted(audit.cells.items()):
        if b.width == 1:
            exact.append(name[var])
        elif b.width < 3:
            narrow.append(name[var])
        if 0 < model.values[var] < THRESHOLD and _only_small(b):
            small.append(name[var])
    derived = [(i, b) for i, b in sorted(audit.derived.items())
               if 0 < round(model.evaluate(model.derived[i])) < THRESHOLD
               and (b.width < 3 or _only_small(b))]
    return Findings(exact, narrow, small, derived, cells)


def leaks_quickly(summary: Summary, published: PublishedSummary) -> tuple[list[int], list[int]]:
    """The same verdict as ``attack(...).leaks`` (withheld counts and derived counts the
    reader narrows too far), with far fewer LPs: for exports too large for ``attack``
    in a test (``Auditor.failures`` proves a count safe from any feasible points that
    lie far enough apart, and solves its LPs only where they don't)."""
    layout, shown, _ = reader_view(summary, published)
    model = layout.model
    primary = {v for v, value in enumerate(model.values)
               if model.published[v] and 0 < value < THRESHOLD}
    derived = {i for i, terms in enumerate(model.derived)
               if 0 < round(model.evaluate(terms)) < THRESHOLD}
    return Auditor(model).failures(shown, THRESHOLD, primary, derived)
