"""Secondary suppression decided by the disclosure auditor.

Start from the primary cells (every count from 1 to ``threshold`` - 1, totals and
figures repeated elsewhere included: one variable each) and the shares the share rule
refuses. Then repeat: ask the auditor what a reader of the whole export can work out, and
for every count it narrows too far (a hidden count to fewer than 3 possible values, a
count that is truly small to a range without 0 and without ``threshold`` or more, derived
counts such as an overlap or a share's complement included) withhold one more figure:
the smallest nonzero printed count in a constraint that bounds it (totals are larger, so
they go last), or, where no count does, a printed share. Until the auditor finds nothing.

Zeros are never withheld: a withheld count is known to be at least 1, and the auditor
assumes exactly that. Every step withholds at least one more figure of a finite export,
so this ends; the loop visits variables and constraints in a fixed order, so the same
data always gets the same cells withheld.
"""

from __future__ import annotations

from .disclosure import Linear, Model, Shown, Terms, active_constraints, free_variables
from .disclosure_lp import Auditor


def protect(model: Model, threshold: int) -> Shown:
    primary = {v for v, (value, printed) in enumerate(zip(model.values, model.published,
                                                             strict=True))
               if printed and 0 < value < threshold}
    primary_derived = {i for i, terms in enumerate(model.derived)
                       if 0 < round(model.evaluate(terms)) < threshold}
    hidden, withheld = set(primary), set[int]()
    auditor = Auditor(model)
    safe: set[tuple[str, int]] = set()
    while True:
        _close_equations(model, hidden)
        shown = Shown(frozenset(hidden), frozenset(withheld))
        cells, derived = auditor.failures(shown, threshold, primary, primary_derived,
                                          safe)
        if not cells and not derived:
            return shown
        constraints = active_constraints(model, shown)
        free = free_variables(model, shown)
        touching: dict[int, list[Linear]] = {}
        for constraint in constraints:
            for v, _ in constraint.terms:
                touching.setdefault(v, []).append(constraint)
        items: list[Terms] = [((v, 1.0),) for v in cells]
        items += [model.derived[i] for i in derived]
        for terms in items:
            kind, index = _cheapest(model, touching, free, terms)
            (hidden if kind == "count" else withheld).add(index)


def _close_equations(model: Model, hidden: set[int]) -> None:
    """The fast first step, without LPs: while an equation (a row or column and its
    total) has exactly one hidden count, also hide its smallest nonzero printed count.
    A lone hidden count in an equation is known exactly, so the LPs would ask for this
    anyway, one round at a time; here a chain of them costs one pass."""
    equations = [c for c in model.constraints if c.lo == c.hi]
    changed = True
    while changed:
        changed = False
        for equation in equations:
            unknown = [v for v, _ in equation.terms
                       if v in hidden or not model.published[v]]
            if len(unknown) != 1 or unknown[0] not in hidden:
                continue
            printed = [v for v, _ in equation.terms
                       if v not in hidden and model.values[v] > 0]
            if printed:
                hidden.add(min(printed, key=lambda v: (model.values[v], v)))
                changed = True


def _cheapest(model: Model, touching: dict[int, list[Linear]], free: set[int],
              terms: Terms) -> tuple[str, int]:
    """The cheapest figure to withhold so that the item ``terms`` gets wider: searched
    outward from the item through the constraints (``touching``: by variable), nearest
    first."""
    frontier = {v for v, _ in terms if v in free}
    counts = {v for v, _ in terms if v not in free}
    seen = set(frontier)
    while True:
        near = {c for v in frontier for c in touching.get(v, ())}
        counts |= {v for c in near for v, _ in c.terms if v not in free}
        counts = {v for v in counts if model.values[v] > 0}
        if counts:
            return "count", min(counts, key=lambda v: (model.values[v], v))
        ratios = {c.ratio for c in near if c.ratio is not None}
        if ratios:
            return "ratio", min(ratios, key=lambda r: (model.values[model.ratios[r].denominator],
                                                       r))
        nearer = {v for c in near for v, _ in c.terms if v in free} - seen
        if not nearer:
            # Everything around it is withheld already: the reader's bounds then come
            # from the marks alone, which leave every count unbounded above.
            raise RuntimeError("secondary suppression found nothing left to withhold")
        frontier = nearer
        seen |= nearer
