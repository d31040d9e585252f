"""One exact :class:`Summary` as a disclosure :class:`Model`: every count it can publish,
and everything a reader of the whole export knows about how they hang together.

What is modelled, table by table:

- a grid (two-way table): every row and every column adds up to its total;
- a table with a total row: an additive count column adds up to the total; a column of
  unique people (not additive) has a total at least its largest row and at most the sum
  of its rows, and with exactly two rows their overlap (row 1 + row 2 - total, e.g. the
  young people with both kinds of job) is a derived count, audited like a printed one;
- a share: numerator <= denominator; when printed it fixes numerator / denominator; its
  complement (denominator - numerator) is a derived count. A denominator no table prints
  (the registered attendance behind an attendance rate) is a variable of its own, and a
  total row's share adds up the rows' numerators and denominators when the data does;
- ``Summary.links``: the same figure in several tables (or a key figure) is one variable.

Not modelled, so neither protected nor relied on: hours (a sum of durations ties no
count to another), medians (a median of days says nothing linear about the counts; it
is withheld with its count and whenever fewer than ``threshold`` durations lie behind
it, so a printed median tells only that its printed count is large), the order of the
referral flow's steps, and a month's new participants being among its participants.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boligsag.domain.suppression import DEFAULT_THRESHOLD, suppress_share

from .disclosure import Model, Ratio
from .model import TOTAL, CellRef, Column, Share, Summary, Table, ValueKind
from .numbers import shown_number


@dataclass
class Layout:
    """The model of one summary and where its variables are printed."""

    model: Model = field(default_factory=Model)
    variables: dict[CellRef, int] = field(default_factory=dict)  # every printed count
    ratios: dict[CellRef, int] = field(default_factory=dict)  # every share with a figure


def count_cells(summary: Summary) -> dict[CellRef, int]:
    """Every published count, by reference (a grid's row totals included)."""
    cells: dict[CellRef, int] = {}
    for table in summary:
        for row_key, values in _rows(table):
            for column, value in zip(table.columns, values, strict=True):
                if column.kind is ValueKind.COUNT and isinstance(value, int):
                    cells[CellRef(table.key, row_key, column.key)] = value
            if table.grid:
                cells[CellRef(table.key, row_key, TOTAL)] = sum(
                    v for v in values if isinstance(v, int))
    return cells


def build(summary: Summary, threshold: int = DEFAULT_THRESHOLD) -> Layout:
    counts = count_cells(summary)
    layout = Layout()
    model = layout.model
    # One variable per figure: the cells of a link (and of links that share a cell) are
    # one figure, named by the first of them in the order of the tables.
    root = {ref: ref for ref in counts}

    def find(ref: CellRef) -> CellRef:
        while root[ref] != ref:
            ref = root[ref]
        return ref

    order = {ref: i for i, ref in enumerate(counts)}
    for group in summary.links:
        present = [find(ref) for ref in group if ref in counts]
        first = min(present, key=order.__getitem__, default=None)
        for other in present:
            root[other] = first  # type: ignore[assignment]
    for ref in counts:
        first = find(ref)
        if first not in layout.variables:
            layout.variables[first] = model.variable(counts[first])
        layout.variables[ref] = layout.variables[first]
    for table in summary:
        if table.grid:
            _grid(layout, table)
        elif table.total is not None:
            for column in table.columns:
                if column.kind is ValueKind.COUNT:
                    _column(layout, table, column)
        for column in table.columns:
            if column.kind is ValueKind.SHARE:
                _shares(layout, table, column, threshold)
    return layout


def _rows(table: Table) -> list[tuple[str, tuple[object, ...]]]:
    rows = [(row.key, row.values) for row in table.rows]
    if table.total is not None:
        rows.append((TOTAL, table.total.values))
    return rows


def _grid(layout: Layout, table: Table) -> None:
    var = layout.variables
    rows = [r.key for r in table.rows] + ([TOTAL] if table.total is not None else [])
    columns = [c.key for c in table.columns]
    for row in rows:
        layout.model.require([*((var[CellRef(table.key, row, c)], 1.0) for c in columns),
                              (var[CellRef(table.key, row, TOTAL)], -1.0)], 0, 0)
    if table.total is None:
        return
    for column in [*columns, TOTAL]:
        layout.model.require(
            [*((var[CellRef(table.key, r, column)], 1.0) for r in rows[:-1]),
             (var[CellRef(table.key, TOTAL, column)], -1.0)], 0, 0)


def _column(layout: Layout, table: Table, column: Column) -> None:
    var = layout.variables
    parts = [var[ref] for r in table.rows
             if (ref := CellRef(table.key, r.key, column.key)) in var]
    total = var.get(CellRef(table.key, TOTAL, column.key))
    if total is None:
        return
    model = layout.model
    if column.additive:
        model.require([*((p, 1.0) for p in parts), (total, -1.0)], 0, 0)
        return
    # Unique people: each row's people are among the total's, and each of the total's
    # people is in at least one row.
    for part in parts:
        model.require([(part, 1.0), (total, -1.0)], -float("inf"), 0)
    model.require([*((p, 1.0) for p in parts), (total, -1.0)], 0, float("inf"))
    if len(parts) == 2:
        model.derived.append(tuple(sorted({parts[0]: 1.0, parts[1]: 1.0, total: -1.0}.items())))


def _shares(layout: Layout, table: Table, column: Column, threshold: int) -> None:
    var, model = layout.variables, layout.model
    rows: list[tuple[int, int]] = []  # (numerator, denominator) of the body rows
    total: tuple[int, int] | None = None
    for row_key, values in _rows(table):
        share = values[table.columns.index(column)]
        if not isinstance(share, Share) or share.denominator == 0:
            continue
        ref = CellRef(table.key, row_key, column.key)
        base = var.get(CellRef(table.key, row_key, column.base)) if column.base else None
        printed_den = (var.get(CellRef(table.key, row_key, column.denominator))
                       if column.denominator else None)
        num = _variable(model, base, share.numerator)
        den = _variable(model, printed_den, share.denominator)
        guards = tuple(g for g in (base, printed_den) if g is not None)
        refused = suppress_share(share.numerator, share.denominator, threshold) is None
        # What the printed whole percent leaves open (``numbers``: rounded half up).
        percent = float(shown_number(share.numerator / share.denominator, ValueKind.SHARE))
        lo, hi = max(percent - 0.5, 0.0) / 100, min(percent + 0.5, 100.0) / 100
        layout.ratios[ref] = len(model.ratios)
        model.ratios.append(Ratio(num, den, lo, hi, guards, refused))
        model.require([(num, 1.0), (den, -1.0)], -float("inf"), 0)
        model.derived.append(tuple(sorted({den: 1.0, num: -1.0}.items())))
        if row_key == TOTAL:
            total = (num, den)
        else:
            rows.append((num, den))
    if total is None or not rows:
        return
    # A total row's share is of the summed numerators and denominators (measures_table).
    for side in (0, 1):
        if not model.published[total[side]]:
            model.require([*((r[side], 1.0) for r in rows), (total[side], -1.0)], 0, 0)


def _variable(model: Model, printed: int | None, value: int) -> int:
    """The printed count's variable if it is this number, else a never-printed one."""
    if printed is not None and model.values[printed] == value:
        return printed
    return model.variable(value, published=False)
