"""Small-count suppression, checked by an attacker who only does arithmetic on the totals."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligsag.domain.suppression import (
    Cell,
    suppress_share,
    suppress_table,
    suppress_value,
)

Pos = tuple[int, int]


def shown(table: list[list[Cell]]) -> list[list[str]]:
    return [[cell.display for cell in row] for row in table]


def hidden(table: list[list[Cell]]) -> set[Pos]:
    return {(i, j) for i, row in enumerate(table) for j, cell in enumerate(row) if cell.suppressed}


# --- The attacker ---------------------------------------------------------------------
# The published grid includes a total column and a total row. Every row says
# "cells = row total" and every column "cells = column total"; the total row and
# column themselves end in the grand total.


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[Pos, int]]]:
    """Each equation as (entry, coefficient) pairs that sum to zero."""
    rows = [
        [((i, j), 1) for j in range(n_cols - 1)] + [((i, n_cols - 1), -1)] for i in range(n_rows)
    ]
    cols = [
        [((i, j), 1) for i in range(n_rows - 1)] + [((n_rows - 1, j), -1)] for j in range(n_cols)
    ]
    return rows + cols


def leaks_by_propagation(n_rows: int, n_cols: int, unknown: set[Pos]) -> set[Pos]:
    """What a patient reader finds: a line with one unknown gives it away; repeat."""
    unknown, found = set(unknown), set()
    progress = True
    while progress:
        progress = False
        for line in _lines(n_rows, n_cols):
            missing = [pos for pos, _ in line if pos in unknown]
            if len(missing) == 1:
                unknown.discard(missing[0])
                found.add(missing[0])
                progress = True
    return found


def leaks_by_linear_algebra(n_rows: int, n_cols: int, unknown: set[Pos]) -> set[Pos]:
    """Every unknown that any combination of the equations pins down exactly.

    Reduce the equations (restricted to the unknowns) to row echelon form; an unknown is
    determined exactly when its reduced row is the unit vector, i.e. no free unknown
    can change it.
    """
    variables = sorted(unknown)
    index = {pos: k for k, pos in enumerate(variables)}
    matrix = []
    for line in _lines(n_rows, n_cols):
        row = [Fraction(0)] * len(variables)
        for pos, coefficient in line:
            if pos in index:
                row[index[pos]] = Fraction(coefficient)
        matrix.append(row)
    pivots: list[int] = []
    rank = 0
    for col in range(len(variables)):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][col]
        matrix[rank] = [value / lead for value in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(col)
        rank += 1
    return {
        variables[col]
        for r, col in enumerate(pivots)
        if all(value == 0 for k, value in enumerate(matrix[r]) if k != col)
    }


def test_the_attacker_sees_a_leak_that_two_per_line_does_not() -> None:
    # Two 2x2 blocks of hidden cells joined by one hidden cell at (1, 2): every row and
    # column hides two or more entries, yet (1, 2) follows from the totals. This is why
    # suppress_table looks for bridges, not just lonely cells.
    dumbbell = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    assert leaks_by_propagation(5, 5, dumbbell) == set()
    assert leaks_by_linear_algebra(5, 5, dumbbell) == {(1, 2)}
    assert leaks_by_linear_algebra(3, 3, {(0, 0)}) == {(0, 0)}
    assert leaks_by_linear_algebra(3, 3, {(0, 0), (0, 1), (1, 0), (1, 1)}) == set()


# --- Single figures -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "display"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (1234, "1234")]
)
def test_suppress_value(n: int, display: str) -> None:
    cell = suppress_value(n)
    assert cell.display == display
    assert cell.suppressed is (display == "<5")
    assert cell.value == n


def test_threshold_is_configurable_and_shown() -> None:
    assert suppress_value(2, threshold=3).display == "<3"
    assert suppress_value(3, threshold=3).display == "3"


def test_negative_counts_and_thresholds_are_bugs() -> None:
    with pytest.raises(ValueError):
        suppress_value(-1)
    with pytest.raises(ValueError):
        suppress_value(1, threshold=0)
    with pytest.raises(ValueError):
        Cell(10, suppressed=False, secondary=True)


def test_secondary_cells_do_not_claim_to_be_small() -> None:
    assert Cell(40, suppressed=True, secondary=True).display == ".."


@pytest.mark.parametrize(
    ("numerator", "denominator", "share"),
    [
        (10, 20, 0.5),
        (0, 20, 0.0),  # nobody: identifies nobody
        (20, 20, 1.0),  # everybody: the complement is 0
        (3, 20, None),  # 3 people
        (17, 20, None),  # 3 people did not
        (96, 100, None),  # "96 % got a job": 4 did not
        (95, 100, 0.95),
        (3, 4, None),  # tiny denominator
        (0, 4, None),
        (0, 0, None),  # no share at all
    ],
)
def test_suppress_share(numerator: int, denominator: int, share: float | None) -> None:
    assert suppress_share(numerator, denominator) == share


def test_a_share_above_one_is_a_bug() -> None:
    with pytest.raises(ValueError):
        suppress_share(6, 5)


# --- Tables ---------------------------------------------------------------------------


def test_a_table_without_small_counts_gets_its_totals() -> None:
    table = suppress_table([[10, 20], [30, 0]])
    assert shown(table) == [["10", "20", "30"], ["30", "0", "30"], ["40", "20", "60"]]
    assert hidden(table) == set()


def test_a_lonely_small_cell_takes_the_next_smallest_with_it() -> None:
    # Girls/boys in one age group: showing the total would give the 3 away.
    table = suppress_table([[3, 10, 20]])
    assert shown(table) == [["<5", "..", "20", "33"], ["<5", "..", "20", "33"]]


def test_secondary_suppression_picks_the_cheapest_rectangle() -> None:
    table = suppress_table([[30, 40, 50], [20, 2, 60], [10, 70, 80]])
    assert shown(table) == [
        ["..", "..", "50", "120"],
        ["..", "<5", "60", "82"],
        ["10", "70", "80", "160"],
        ["60", "112", "190", "362"],
    ]
    assert [c.value for row in table for c in row if c.secondary] == [30, 40, 20]


def test_small_totals_are_suppressed_too() -> None:
    table = suppress_table([[1, 0], [0, 2]])
    assert shown(table) == [["<5", "0", "<5"], ["0", "<5", "<5"], ["<5", "<5", "<5"]]


def test_zeros_and_empty_tables() -> None:
    assert shown(suppress_table([[0, 0], [0, 0]])) == [["0"] * 3] * 3
    assert shown(suppress_table([])) == [["0"]]
    assert shown(suppress_table([[], []])) == [["0"], ["0"], ["0"]]


def test_without_totals_only_small_counts_are_hidden() -> None:
    table = suppress_table([[3, 10], [0, 7]], with_totals=False)
    assert shown(table) == [["<5", "10"], ["0", "7"]]


def test_bad_tables_are_bugs() -> None:
    with pytest.raises(ValueError):
        suppress_table([[1, 2], [3]])
    with pytest.raises(ValueError):
        suppress_table([[1, -2]])


def test_the_same_table_always_gets_the_same_suppression() -> None:
    rows = [[3, 8, 8, 2], [8, 8, 3, 8], [2, 8, 8, 8]]
    assert shown(suppress_table(rows)) == shown(suppress_table([list(r) for r in rows]))


counts = st.one_of(st.integers(0, 6), st.integers(0, 60))


@st.composite
def tables(draw: st.DrawFn) -> list[list[int]]:
    n_rows, n_cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    return draw(
        st.lists(
            st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )


@settings(max_examples=200, deadline=None)
@given(rows=tables(), threshold=st.sampled_from([3, 5, 10]))
def test_no_hidden_count_can_be_computed_from_the_table(
    rows: list[list[int]], threshold: int
) -> None:
    table = suppress_table(rows, threshold)
    n_rows, n_cols = len(table), len(table[0])
    assert (n_rows, n_cols) == (len(rows) + 1, len(rows[0]) + 1)

    # What is shown is true, and totals add up.
    for i, row in enumerate(rows):
        assert [c.value for c in table[i][:-1]] == row
        assert table[i][-1].value == sum(row)
    assert table[-1][-1].value == sum(map(sum, rows))

    # Every small count is hidden as "<threshold"; nothing else claims to be small.
    for row in table:
        for cell in row:
            small = 0 < cell.value < threshold
            assert cell.suppressed or not small
            assert (cell.display == f"<{threshold}") is (cell.suppressed and not cell.secondary)
            assert (cell.suppressed and not cell.secondary) is small
            if not cell.suppressed:
                assert cell.display == str(cell.value)

    unknown = hidden(table)
    assert leaks_by_propagation(n_rows, n_cols, unknown) == set()
    assert leaks_by_linear_algebra(n_rows, n_cols, unknown) == set()
