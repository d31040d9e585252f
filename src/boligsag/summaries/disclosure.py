"""The disclosure auditor: what a reader of one export can work out about its hidden counts.

A reader who has every table of one export knows far more than each number on its own:
rows add up to their totals, the same figure is printed in several tables, a share ties
its numerator to its denominator, and the mark of a withheld count bounds it. Everything
they know is *linear* in the true counts, so the smallest and largest value a hidden count
can have, given all of it, is a linear program. ``disclosure_lp`` solves those with
HiGHS (highspy); integer rounding of the LP bounds (ceil of the minimum, floor of the
maximum) is sound, because every integer solution is also an LP solution.

The model (:class:`Model`) is one variable per distinct count of the export (a figure
printed in several tables is one variable) plus variables for counts that are never
printed but tie others together (the registered attendance behind an attendance rate).
Its constraints are of two kinds:

- structural (:class:`Linear`), true for any data of the export's shape: row and column
  sums, a unique-people total between the largest row and the sum of the rows, a share's
  numerator no larger than its denominator;
- printed: a printed count is exact, a printed share (:class:`Ratio`) bounds
  numerator / denominator to the interval its rounding leaves (a whole percent: 70 %
  is 69.5 % to 70.5 %), and a withheld count is at least 1, because zeros are always
  printed (``secondary.protect`` never withholds a 0).

``derived`` are counts no table prints but the printed ones imply, e.g. the young people
with both a pocket-money and a leisure job (pocket + leisure - anyone) or the answered
follow-ups where the person no longer had the job (answered - still employed): they
point at people just like a printed cell, so they are audited like one.

The linear programs themselves are in ``disclosure_lp``: the printed counts are
substituted as constants and the hidden variables split into connected components
(variables linked by a constraint, ``components`` here), each a small LP.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Terms = tuple[tuple[int, float], ...]  # (variable, coefficient), variables ascending

# Float tolerance of the true counts against a constraint, and of a share's bounds.
_EPS = 1e-6
_RATIO_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Linear:
    """``lo <= sum(coefficient * count) <= hi``, true for every data set of this shape."""

    terms: Terms
    lo: float
    hi: float
    ratio: int | None = None  # the printed share this comes from, if it does


@dataclass(frozen=True)
class Ratio:
    """A share: ``numerator / denominator`` (variables). Printed, it tells the reader
    ``lo <= numerator / denominator <= hi`` (its rounding). ``guards`` are the printed
    counts whose withholding withholds the share too (its count column, its
    denominator); ``refused`` when the share rule withholds it whatever else is shown."""

    numerator: int
    denominator: int
    lo: float
    hi: float
    guards: tuple[int, ...]
    refused: bool


@dataclass
class Model:
    """Everything one export could publish, over the true counts (see the module)."""

    values: list[int] = field(default_factory=list)
    published: list[bool] = field(default_factory=list)  # False: never printed anywhere
    constraints: list[Linear] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    derived: list[Terms] = field(default_factory=list)

    def variable(self, value: int, *, published: bool = True) -> int:
        self.values.append(value)
        self.published.append(published)
        return len(self.values) - 1

    def holds(self, terms: Terms, lo: float, hi: float) -> bool:
        total = self.evaluate(terms)
        return lo - _EPS <= total <= hi + _EPS

    def require(self, terms: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
        """Add a structural constraint, if the true counts satisfy it. A constraint the
        data breaks (a data error) would make the reader's system infeasible; leaving it
        out keeps the auditor sound, at worst a little weaker than that reader."""
        merged: dict[int, float] = {}
        for var, coefficient in terms:
            merged[var] = merged.get(var, 0.0) + coefficient
        canonical = tuple(sorted((v, c) for v, c in merged.items() if c))
        if canonical and self.holds(canonical, lo, hi):
            self.constraints.append(Linear(canonical, lo, hi))

    def evaluate(self, terms: Terms) -> float:
        return sum(self.values[v] * c for v, c in terms)


@dataclass(frozen=True)
class Shown:
    """What one publication shows: the hidden count variables and the withheld shares.
    Every other published variable is printed, and printed exactly."""

    hidden: frozenset[int]
    withheld_ratios: frozenset[int]
    # What the mark of a hidden count tells, if not "at least 1" (the marks of this
    # module's publications); an attack on other marks, e.g. "<5" as 1..4, says so here.
    marks: Mapping[int, tuple[int, int | None]] = field(default_factory=dict)

    def bounds(self, var: int) -> tuple[float, float | None]:
        if var not in self.hidden:
            return (0.0, None)  # a count no table prints
        lo, hi = self.marks.get(var, (1, None))
        return (float(lo), None if hi is None else float(hi))

    def ratio_printed(self, model: Model, index: int) -> bool:
        ratio = model.ratios[index]
        return (index not in self.withheld_ratios and not ratio.refused
                and not any(g in self.hidden for g in ratio.guards))


@dataclass(frozen=True)
class Bounds:
    """The smallest and largest integer an item can be, given what is shown (``hi``
    None: no upper bound)."""

    lo: int
    hi: int | None

    @property
    def width(self) -> float:
        return math.inf if self.hi is None else self.hi - self.lo + 1


def active_constraints(model: Model, shown: Shown) -> list[Linear]:
    """The constraints the reader has: the structural ones and every printed share."""
    result = list(model.constraints)
    for index, ratio in enumerate(model.ratios):
        if not shown.ratio_printed(model, index):
            continue
        # Widened by a hair: a share printed as exactly its ratio must not exclude it.
        low, high = ratio.lo - _RATIO_TOLERANCE, ratio.hi + _RATIO_TOLERANCE
        terms = ((ratio.numerator, 1.0), (ratio.denominator, -low))
        result.append(Linear(tuple(sorted(terms)), 0.0, math.inf, index))
        terms = ((ratio.numerator, 1.0), (ratio.denominator, -high))
        result.append(Linear(tuple(sorted(terms)), -math.inf, 0.0, index))
    return result


def free_variables(model: Model, shown: Shown) -> set[int]:
    """The variables the reader does not see: hidden counts and never-printed counts."""
    return set(shown.hidden) | {v for v, p in enumerate(model.published) if not p}


def components(free: set[int], constraints: Sequence[Linear]) -> list[list[int]]:
    """Free variables grouped by the constraints that link them, each sorted."""
    parent = {v: v for v in free}

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for constraint in constraints:
        linked = [v for v, _ in constraint.terms if v in free]
        for other in linked[1:]:
            a, b = find(linked[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for v in sorted(free):
        groups.setdefault(find(v), []).append(v)
    return list(groups.values())
