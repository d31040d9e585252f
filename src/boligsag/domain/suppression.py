"""Small-count suppression (diskretionering) for aggregated exports.

Rules, as Landsbyggefonden and Danmarks Statistik apply them:

1. **Primary suppression.** A count from 1 to 4 (below ``threshold``) is shown as "<5":
   in a small housing area "3 girls aged 14-17 referred to PPR" points at real children.
   0 is shown as 0; it identifies nobody.
2. **Totals are counts too.** A row, column or grand total below the threshold is
   suppressed like any other count.
3. **Secondary suppression.** A hidden count must not be recoverable by arithmetic from
   what *is* shown. With row and column totals, every row and column is an equation
   ``cells = total``; if a row shows its total and hides a single cell, that cell is the
   total minus the rest. So more cells are hidden until no hidden count (cell or total)
   can be computed exactly from the table. Secondarily hidden counts are 5 or more (or,
   in rare corner cases, 0), so they are shown as ".." rather than a false "<5".
4. **Derived figures.** A share is not shown if its numerator or denominator is 1-4, or
   if the complement (denominator - numerator) is 1-4: "96 % of 100 got a job" tells
   that 4 did not.

How rule 3 is made exact. Think of the table with its totals as a grid with one more
row (column totals, ending in the grand total) and one more column (row totals). Each
hidden entry joins its row to its column; the hidden entries thus form a graph whose
nodes are the grid's rows and columns. Linear algebra on the row and column equations
shows that a hidden entry can be computed exactly if and only if it is a *bridge* of that
graph, i.e. lies on no cycle. "One hidden cell in a row" is the simplest bridge, but not
the only one: two rectangles of hidden cells joined by a single hidden cell pass the
"at least two per row and column" test and still give that cell away. So, until the graph
has no bridge, we take a bridge and hide the cheapest chain of visible entries that
closes a cycle through it (cheapest = the smallest sum of counts, never a 0 if avoidable,
then the fewest entries). That is the "hide the next-smallest cell in the same row and
column" rule of thumb, done so it provably terminates and leaves no exact leak.

What this does not protect against: bounds (a reader still knows a "<5" is 1-4 and can
narrow a ".." from the totals) and tables published separately that share cells or
margins with this one. Exports should publish each breakdown once, from one call here.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
SECONDARY_MARK = ".."  # Danmarks Statistik's mark for a figure withheld for discretion
# The one mark the exports use for every withheld figure, small counts included: a mark
# of their own ("<5") would tell that they are 1-4 (see boligsag.summaries.published).
WITHHELD_MARK = SECONDARY_MARK

_Pos = tuple[int, int]  # (row, column) in the grid including the total row and column
_Cost = tuple[int, int, int]  # (zero entries hidden, sum of counts hidden, entries hidden)


@dataclass(frozen=True)
class Cell:
    """One count as published. ``value`` is the true count: never write it if suppressed."""

    value: int
    suppressed: bool = False
    secondary: bool = False  # hidden only to protect another count, not because it is small
    threshold: int = DEFAULT_THRESHOLD

    def __post_init__(self) -> None:
        if self.secondary and not self.suppressed:
            raise ValueError("a secondary cell is a suppressed cell")

    @property
    def display(self) -> str:
        if not self.suppressed:
            return str(self.value)
        return SECONDARY_MARK if self.secondary else f"<{self.threshold}"


def _check(value: int, threshold: int) -> None:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if value < 0:
        raise ValueError("counts cannot be negative")


def _is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_value(n: int, threshold: int = DEFAULT_THRESHOLD) -> Cell:
    """A single count with primary suppression only (for a figure shown on its own)."""
    _check(n, threshold)
    return Cell(n, suppressed=_is_small(n, threshold), threshold=threshold)


def suppress_share(
    numerator: int, denominator: int, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """``numerator / denominator``, or None where showing it would reveal a small count.

    None also for a zero denominator (no share exists). A numerator of 0 with a large
    enough denominator is shown: 0 identifies nobody, as in rule 1.
    """
    _check(numerator, threshold)
    _check(denominator, threshold)
    if numerator > denominator:
        raise ValueError("the numerator of a share cannot exceed its denominator")
    if denominator < threshold or _is_small(numerator, threshold):
        return None
    if _is_small(denominator - numerator, threshold):
        return None
    return numerator / denominator


def suppress_table(
    rows: Sequence[Sequence[int]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    with_totals: bool = True,
) -> list[list[Cell]]:
    """Suppress a table of counts for publication.

    With ``with_totals`` (the default) the result has one more column, the row totals,
    and one more row, the column totals ending in the grand total; all rules of the
    module docstring apply. Without totals only primary suppression applies, because no
    sums are published; the caller must then not publish the totals elsewhere.
    """
    width = len(rows[0]) if rows else 0
    for row in rows:
        if len(row) != width:
            raise ValueError("all rows must have the same number of columns")
        for value in row:
            _check(value, threshold)
    if not with_totals:
        return [[suppress_value(v, threshold) for v in row] for row in rows]

    grid = [[*row, sum(row)] for row in rows]
    grid.append([sum(column) for column in zip(*grid, strict=True)] if grid else [0])
    primary = {
        (i, j)
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if _is_small(value, threshold)
    }
    hidden = protect(grid, primary)
    return [
        [
            Cell(
                value,
                suppressed=(i, j) in hidden,
                secondary=(i, j) in hidden and (i, j) not in primary,
                threshold=threshold,
            )
            for j, value in enumerate(row)
        ]
        for i, row in enumerate(grid)
    ]


def protect(grid: list[list[int]], primary: set[_Pos]) -> set[_Pos]:
    """Grow ``primary`` until no hidden entry is a bridge (see the module docstring)."""
    hidden = set(primary)
    n_rows = len(grid)
    while bridges := _bridges(hidden, n_rows):
        # One bridge at a time: closing a cycle through it often removes other bridges too.
        hidden.update(_cheapest_detour(grid, hidden, min(bridges)))
    return hidden


def _nodes(pos: _Pos, n_rows: int) -> tuple[int, int]:
    """Graph nodes of an entry: rows are 0..n_rows-1, columns follow."""
    return pos[0], n_rows + pos[1]


def _adjacency(hidden: Iterable[_Pos], n_rows: int) -> dict[int, list[tuple[int, _Pos]]]:
    adjacency: dict[int, list[tuple[int, _Pos]]] = defaultdict(list)
    for pos in sorted(hidden):  # sorted: the same table always gets the same suppression
        u, v = _nodes(pos, n_rows)
        adjacency[u].append((v, pos))
        adjacency[v].append((u, pos))
    return adjacency


def _bridges(hidden: set[_Pos], n_rows: int) -> list[_Pos]:
    """Hidden entries on no cycle of the hidden-entry graph (Tarjan, iterative)."""
    adjacency = _adjacency(hidden, n_rows)
    discovered: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: list[_Pos] = []
    for root in sorted(adjacency):
        if root in discovered:
            continue
        discovered[root] = low[root] = len(discovered)
        # Each frame: node, the entry we arrived by, and the neighbours still to visit.
        stack: list[tuple[int, _Pos | None, Iterator[tuple[int, _Pos]]]] = [
            (root, None, iter(adjacency[root]))
        ]
        while stack:
            node, arrived_by, neighbours = stack[-1]
            for nxt, pos in neighbours:
                if pos == arrived_by:
                    continue
                if nxt in discovered:
                    low[node] = min(low[node], discovered[nxt])
                else:
                    discovered[nxt] = low[nxt] = len(discovered)
                    stack.append((nxt, pos, iter(adjacency[nxt])))
                    break
            else:
                stack.pop()
                if stack and arrived_by is not None:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > discovered[parent]:
                        bridges.append(arrived_by)
    return bridges


def _component(hidden: set[_Pos], n_rows: int, start: int) -> set[int]:
    adjacency = _adjacency(hidden, n_rows)
    seen, todo = {start}, [start]
    while todo:
        for nxt, _ in adjacency[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _cheapest_detour(grid: list[list[int]], hidden: set[_Pos], bridge: _Pos) -> set[_Pos]:
    """The visible entries to hide so that ``bridge`` lies on a cycle.

    Dijkstra over the complete row-column graph (every entry is an edge) from the
    bridge's row side to its column side, where already hidden entries are free.
    """
    n_rows, n_cols = len(grid), len(grid[0])
    others = hidden - {bridge}
    row_node, col_node = _nodes(bridge, n_rows)
    sources = _component(others, n_rows, row_node)
    targets = _component(others, n_rows, col_node)

    def entry(u: int, v: int) -> _Pos:
        return (u, v - n_rows) if u < n_rows else (v, u - n_rows)

    def cost(pos: _Pos) -> _Cost:
        if pos in hidden:
            return (0, 0, 0)
        value = grid[pos[0]][pos[1]]
        return (int(value == 0), value, 1)

    best: dict[int, _Cost] = dict.fromkeys(sources, (0, 0, 0))
    came_from: dict[int, tuple[int, _Pos]] = {}
    heap: list[tuple[_Cost, int]] = [(best[u], u) for u in sorted(sources)]
    while heap:
        so_far, node = heapq.heappop(heap)
        if so_far > best[node]:
            continue  # a stale heap entry: a cheaper way here was already handled
        if node in targets:
            added: set[_Pos] = set()
            while node not in sources:
                node, pos = came_from[node]
                added.add(pos)
            return added - hidden
        far_side = range(n_rows, n_rows + n_cols) if node < n_rows else range(n_rows)
        for nxt in far_side:
            pos = entry(node, nxt)
            if pos == bridge:
                continue
            step = cost(pos)
            total = (so_far[0] + step[0], so_far[1] + step[1], so_far[2] + step[2])
            if nxt not in best or total < best[nxt]:
                best[nxt] = total
                came_from[nxt] = (node, pos)
                heapq.heappush(heap, (total, nxt))
    # Unreachable: the grid has at least 2 rows and 2 columns whenever something is
    # hidden, and a complete bipartite graph that size stays connected without one edge.
    raise RuntimeError("no way to protect a suppressed count")
