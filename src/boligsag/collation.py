"""Danish alphabetical order of names, from ICU (issue 14 §3).

One Danish collator (CLDR's ``da`` rules, default tertiary strength) serves every place
that sorts names a user sees: SQLite calls :func:`danish_compare` through the collation
``da`` registered on each connection (storage/engine.py), Python code sorts by
:func:`danish_key`, and PostgreSQL compares by its own ICU collation of the same locale
(storage/dialect.py). The rules this gives:

- Æ, Ø, Å come after Z, in that order; "aa"/"Aa" sorts as Å (Aabenraa after Ørsted);
- accented and Turkish letters sort beside their base letter (Çelik among the C's,
  Şahin just after Sahin); ı sorts right after i;
- case decides only between names that are otherwise equal (Danish puts the capital
  first), so "anders" comes before "Bent";
- two different texts ICU finds equal (the same letters, composed or decomposed) are
  put in code point order, as PostgreSQL's deterministic ICU collations do, so both
  databases agree on every pair.

The order depends on the ICU version's data: an index built under one version may be
out of order under another, so the version is stored with the database
(storage/collation_upkeep.py) and the indexes rebuilt when it changes.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["LOCALE", "danish_compare", "danish_key", "icu_version"]

LOCALE = "da_DK"


# PyICU is imported on first use, not with this module: importing it takes 20-60 ms,
# which the log-in window must not wait for (issue 14 §2).
@functools.cache
def _collator() -> Any:
    import icu

    # One instance for the process. PyICU keeps the GIL during a comparison, so
    # SQLite's callbacks from several threads' connections never use it at once.
    return icu.Collator.createInstance(icu.Locale(LOCALE))


def icu_version() -> str:
    """The version of the ICU library PyICU brings; its collation data decides the order."""
    import icu

    return str(icu.ICU_VERSION)


def danish_key(text: str) -> bytes:
    """The ICU sort key of ``text``: sorting by it gives Danish alphabetical order, the
    same order as SQL's ``COLLATE da``."""
    # ICU's key ends in its only zero byte, so the UTF-8 text after it (whose byte
    # order is code point order) only decides between texts with equal keys.
    return bytes(_collator().getSortKey(text)) + text.encode("utf-8", "surrogatepass")


def danish_compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` in Danish order (SQLite's
    collation callback)."""
    found = int(_collator().compare(a, b))
    if found == 0 and a != b:
        return -1 if a < b else 1  # str order is code point order
    return found
