"""The disclosure auditor's linear programs: the reader's bounds on withheld counts.

``disclosure`` says what the reader knows; here each connected component of withheld
and never-printed counts becomes one small LP (printed counts substituted), solved with
SciPy's HiGHS for the smallest and largest value of each count. ``Auditor.audit`` gives
those bounds; ``Auditor.failures`` only tells which counts are narrowed too far, proving
the others safe with as few LPs as it can (see ``Component.narrowed``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

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
# HiGHS has been seen to call an unbounded maximum "infeasible" (scipy 1.16, three
# variables p <= t, l <= t, t <= p + l), and no count of this program comes near it.
_CAP = 1e7
_UNBOUNDED = 1e6


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
        self._matrices: tuple[np.ndarray | None, ...] | None = None

    def _build(self) -> tuple[np.ndarray | None, ...]:
        """(A_ub, b_ub, A_eq, b_eq) with the printed counts moved to the right side."""
        eq_rows: list[np.ndarray] = []
        eq_rhs: list[float] = []
        ub_rows: list[np.ndarray] = []
        ub_rhs: list[float] = []
        for constraint in self.constraints:
            row = np.zeros(len(self.index))
            constant = 0.0
            for v, c in constraint.terms:
                if v in self.index:
                    row[self.index[v]] += c
                else:
                    assert v not in self.free
                    constant += c * self.model.values[v]
            lo, hi = constraint.lo - constant, constraint.hi - constant
            if lo == hi:
                eq_rows.append(row)
                eq_rhs.append(lo)
                continue
            if hi < math.inf:
                ub_rows.append(row)
                ub_rhs.append(hi)
            if lo > -math.inf:
                ub_rows.append(-row)
                ub_rhs.append(-lo)
        return (np.array(ub_rows) if ub_rows else None, np.array(ub_rhs) if ub_rhs else None,
                np.array(eq_rows) if eq_rows else None, np.array(eq_rhs) if eq_rhs else None)

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
        low = [math.inf] * len(items)
        high = [-math.inf] * len(items)

        def see(point: np.ndarray | None) -> None:
            if point is None:
                return
            for k, (vector, constant) in enumerate(objectives):
                value = float(vector @ point) + constant
                low[k], high[k] = min(low[k], value), max(high[k], value)

        def safe(k: int) -> bool:
            if high[k] < low[k]:
                return False  # not seen at any point yet
            lo = max(math.ceil(low[k] - _EPS), 0)
            hi = math.floor(high[k] + _EPS) if high[k] < _UNBOUNDED else math.inf
            return hi - lo + 1 >= 3 and not (items[k][1] and lo >= 1 and hi < threshold)

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
        if self._matrices is None:
            self._matrices = self._build()
        a_ub, b_ub, a_eq, b_eq = self._matrices
        result = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                         bounds=self.capped, method="highs")
        if result.status != 0:
            # The true counts satisfy every constraint, so the LP is feasible.
            raise RuntimeError(f"disclosure LP failed: {result.message}")
        if result.fun < -_UNBOUNDED:
            return None, result.x
        return float(result.fun), result.x


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
