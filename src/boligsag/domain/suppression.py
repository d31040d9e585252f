"""Small-count suppression (diskretionering): the threshold, the mark and the share rule.

Rules, as Landsbyggefonden and Danmarks Statistik apply them:

1. **Primary suppression.** A count from 1 to 4 (below ``threshold``) is withheld: in a
   small housing area "3 girls aged 14-17 referred to PPR" points at real children.
   0 is shown as 0; it identifies nobody. Totals are counts too.
2. **One mark.** Every withheld figure is shown as ``WITHHELD_MARK`` (".."): a mark of
   its own for small counts ("<5") would itself tell that they are 1-4.
3. **Secondary suppression.** No withheld count may be worked out, or narrowed to fewer
   than 3 values or to 1-4, from everything else one export prints. That is decided on
   the whole export, by a linear-programming attacker: ``boligsag.summaries.disclosure``
   (what a reader knows), ``disclosure_lp`` (the LPs) and ``secondary`` (what to withhold).
4. **Derived figures.** A share is not shown if its numerator or denominator is 1-4, or
   if the complement (denominator - numerator) is 1-4: "96 % of 100 got a job" tells
   that 4 did not (``suppress_share``; rule 3 then also sees that the two counts beside
   it do not give the complement away).
"""

from __future__ import annotations

DEFAULT_THRESHOLD = 5
# Danmarks Statistik's mark for a figure withheld for discretion, used for every withheld
# figure (rule 2; boligsag.summaries.published).
WITHHELD_MARK = ".."


def _check(value: int, threshold: int) -> None:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    if value < 0:
        raise ValueError("counts cannot be negative")


def _is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


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
