"""The disclosure auditor's linear programs: the reader's bounds on withheld counts.

``disclosure`` says what the reader knows; here each connected component of withheld
and never-printed counts becomes one small LP (printed counts substituted), solved with
HiGHS (highspy, its own Python interface) for the smallest and largest value of each
count. ``Auditor.audit`` gives those bounds; ``Auditor.failures`` only tells which counts
are narrowed too far, proving the others safe with as few LPs as it can (see
``Component.narrowed``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from .disclosure import (
    Bounds,
    Linear,
    Model,
    Shown,
    Terms,
    active_constraints,
    components,
    free_variables,
)

# Float tolerance of the LP answers before integer rounding.
_EPS = 1e-6
# Every variable is capped here, and an optimum beyond _UNBOUNDED counts as no bound:
# HiGHS has been seen to call an unbounded maximum "infeasible" (through scipy 1.16's
# linprog: p <= t, l <= t, t <= p + l, maximise t), and no count here comes near it.
_CAP = 1e7
_UNBOUNDED = 1e6
_FEW = 6  # a component with more items than this is first probed with _SEEDS pairs
_SEEDS = 2


class Component:
    """One connected LP: the free variables of a component and the constraints on them,
    printed counts substituted as constants."""

    def __init__(self, model: Model, variables: list[int], constraints: Sequence[Linear],
                 free: set[int], shown: Shown) -> None:
        self.model = model
        self.index = {v: i for i, v in enumerate(variables)}
        self.bounds = [shown.bounds(v) for v in variables]
        self.capped = [(lo, _CAP if hi is None else hi) for lo, hi in self.bounds]
        self.constraints = constraints
        self.free = free
        # Everything the LPs depend on: the printed values are fixed by the model.
        self.key = (tuple(variables), tuple(self.bounds), tuple(constraints))
        self.unconstrained = not constraints
        self._solver: highspy.Highs | None = None

    def _build(self) -> highspy.Highs:
        """The component's LP in HiGHS, printed counts moved to the row bounds. Built
        once: each optimum after the first changes only the objective and starts from
        the last basis, which is what makes hundreds of them per export cheap."""
        starts, columns, values, lower, upper = [0], [], [], [], []
        for constraint in self.constraints:
            constant = 0.0
            for v, c in constraint.terms:
                if v in self.index:
                    columns.append(self.index[v])
                    values.append(c)
                else:
                    assert v not in self.free
                    constant += c * self.model.values[v]
            starts.append(len(columns))
            lower.append(max(constraint.lo - constant, -highspy.kHighsInf))
            upper.append(min(constraint.hi - constant, highspy.kHighsInf))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = len(self.index), len(self.constraints)
        lp.col_cost_ = np.zeros(len(self.index))
        lp.col_lower_ = np.array([lo for lo, _ in self.capped])
        lp.col_upper_ = np.array([hi for _, hi in self.capped])
        lp.row_lower_, lp.row_upper_ = np.array(lower), np.array(upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(columns, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(values)
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.passModel(lp)
        return solver

    def _objective(self, terms: Terms) -> tuple[np.ndarray, float]:
        vector = np.zeros(len(self.index))
        constant = 0.0
        for v, c in terms:
            if v in self.index:
                vector[self.index[v]] += c
            else:
                constant += c * self.model.values[v]
        return vector, constant

    def bounds_of(self, terms: Terms) -> Bounds:
        """Integer bounds of ``sum(coefficient * variable)`` (printed ones as constants)."""
        objective, constant = self._objective(terms)
        low, _ = self._minimum(objective)
        high, _ = self._minimum(-objective)
        lo = math.ceil(constant + low - _EPS) if low is not None else None
        hi = math.floor(constant - high + _EPS) if high is not None else None
        # Counts (and the derived counts audited) are never negative.
        return Bounds(max(lo, 0) if lo is not None else 0, hi)

    def narrowed(self, items: Sequence[tuple[Terms, bool]], threshold: int) -> list[int]:
        """The positions of the items (terms, truly small) that the reader narrows too
        far (see ``leaks``), with as few LPs as possible: every LP solution is a point
        the reader cannot rule out, so an item seen at far-apart values across the
        solutions found so far is safe without LPs of its own."""
        if self.unconstrained:
            return []  # every free variable is unbounded above: nothing is narrowed
        objectives = [self._objective(terms) for terms, _ in items]
        matrix = np.array([vector for vector, _ in objectives])
        constants = np.array([constant for _, constant in objectives])
        low = np.full(len(items), math.inf)
        high = np.full(len(items), -math.inf)

        def see(point: np.ndarray | None) -> None:
            if point is None:
                return
            values = matrix @ point + constants
            np.minimum(low, values, out=low)
            np.maximum(high, values, out=high)

        def safe(k: int) -> bool:
            if high[k] < low[k]:
                return False  # not seen at any point yet
            lo = max(math.ceil(low[k] - _EPS), 0)
            hi = math.floor(high[k] + _EPS) if high[k] < _UNBOUNDED else math.inf
            return hi - lo + 1 >= 3 and not (items[k][1] and lo >= 1 and hi < threshold)

        if len(items) > _FEW:
            # A large component first gets a few far-apart points: each pushes a random
            # half of its counts up and the other half down, and then the reverse, so most
            # counts are seen both high and low without LPs of their own. Seeded by the
            # size, so the same data always takes the same path.
            rng = np.random.default_rng(len(self.index))
            for _ in range(_SEEDS):
                direction = rng.choice([-1.0, 1.0], len(self.index))
                see(self._minimum(direction)[1])
                see(self._minimum(-direction)[1])
        failing = []
        for k, (vector, _) in enumerate(objectives):
            if safe(k):
                continue
            see(self._minimum(-vector)[1])
            if not safe(k):
                see(self._minimum(vector)[1])
                if not safe(k):  # both optima seen: these are the reader's bounds
                    failing.append(k)
        return failing

    def _minimum(self, objective: np.ndarray) -> tuple[float | None, np.ndarray | None]:
        """(min objective·x or None if unbounded below, a point that attains it)."""
        if self.unconstrained:  # only the variables' own bounds: no LP needed
            total = 0.0
            for c, (lo, hi) in zip(objective, self.bounds, strict=True):
                if c < 0 and hi is None:
                    return None, None
                total += c * (lo if c >= 0 else hi)  # type: ignore[operator]
            return total, None
        if self._solver is None:
            self._solver = self._build()
        solver = self._solver
        solver.changeColsCost(len(objective), np.arange(len(objective), dtype=np.int32),
                              objective)
        solver.run()
        if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            # The true counts satisfy every constraint and every variable is capped, so
            # the LP has an optimum.
            raise RuntimeError(f"disclosure LP failed: {solver.getModelStatus()}")
        fun = solver.getInfo().objective_function_value
        point = np.array(solver.getSolution().col_value)
        return (None if fun < -_UNBOUNDED else float(fun)), point


@dataclass
class Audit:
    """The bounds of every hidden count and of every derived count, for one ``Shown``."""

    cells: dict[int, Bounds]
    derived: dict[int, Bounds]


class Auditor:
    """Runs the attacker's LPs for one model, remembering unchanged components."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._cache: dict[tuple[object, ...], object] = {}

    def audit(self, shown: Shown) -> Audit:
        """The reader's bounds of every hidden count and every derived count."""
        result = Audit({}, {})
        for component, hidden, derived in self._components(shown):
            key = ("audit", component.key)
            cached = self._cache.get(key)
            if not isinstance(cached, Audit):
                cached = Audit({v: component.bounds_of(((v, 1.0),)) for v in hidden},
                               {i: component.bounds_of(self.model.derived[i])
                                for i in derived})
                self._cache[key] = cached
            result.cells.update(cached.cells)
            result.derived.update(cached.derived)
        for i, value in self._printed_derived(shown).items():
            result.derived[i] = Bounds(value, value)
        return result

    def failures(self, shown: Shown, threshold: int, primary: set[int],
                 primary_derived: set[int], safe: set[tuple[str, int]] | None = None,
                 ) -> tuple[list[int], list[int]]:
        """What ``leaks`` would say of ``audit(shown)``, found with far fewer LPs.

        ``safe`` holds the items (("cell", variable) or ("derived", index)) already
        shown to be safe, and gets the ones found safe now. Withholding more only widens
        the reader's ranges (a printed count becomes a variable whose range holds its
        value; a withheld share drops constraints), so a safe item stays safe while the
        marks keep their meaning: pass the same set through the rounds of one
        protection, and only new or failing items cost LPs."""
        safe = set() if safe is None else safe
        cells: list[int] = []
        derived: list[int] = []
        for component, hidden, every_part in self._components(shown):
            keyed = [("cell", v) for v in hidden if ("cell", v) not in safe]
            keyed += [("derived", i) for i in every_part
                      if i in primary_derived and ("derived", i) not in safe]
            if not keyed:
                continue
            items = [(((k, 1.0),) if kind == "cell" else self.model.derived[k],
                      k in (primary if kind == "cell" else primary_derived))
                     for kind, k in keyed]
            failing = set(component.narrowed(items, threshold))
            for position, (kind, k) in enumerate(keyed):
                if position not in failing:
                    safe.add((kind, k))
                else:
                    (cells if kind == "cell" else derived).append(k)
        for i, value in self._printed_derived(shown).items():
            if i in primary_derived and value > 0:  # known exactly, and it is small
                derived.append(i)
        return sorted(cells), sorted(derived)

    def _printed_derived(self, shown: Shown) -> dict[int, int]:
        free = free_variables(self.model, shown)
        return {i: round(self.model.evaluate(terms)) for i, terms in enumerate(self.model.derived)
                if not any(v in free for v, _ in terms)}

    def _components(self, shown: Shown) -> Iterable[tuple[Component, list[int], list[int]]]:
        """Each component with its hidden counts and the derived counts it holds."""
        model = self.model
        constraints = active_constraints(model, shown)
        free = free_variables(model, shown)
        by_var: dict[int, list[Linear]] = {}
        for constraint in constraints:
            for v, _ in constraint.terms:
                if v in free:
                    by_var.setdefault(v, []).append(constraint)
        derived_of: dict[int, list[int]] = {}
        for i, terms in enumerate(model.derived):
            first = next((v for v, _ in terms if v in free), None)
            if first is not None:
                derived_of.setdefault(first, []).append(i)
        for variables in components(free, constraints):
            local = sorted({c for v in variables for c in by_var.get(v, ())},
                           key=lambda c: (c.terms, c.lo, c.hi))
            component = Component(model, variables, local, free, shown)
            hidden = [v for v in variables if v in shown.hidden]
            derived = sorted(i for v in variables for i in derived_of.get(v, ()))
            yield component, hidden, derived
