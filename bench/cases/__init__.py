"""Benchmark cases. Each module here exposes ``CASES: list[Case]``; a case is run on the
encrypted database and, with ``compare_plain``, on the plain copy with the same code
(or, with ``baseline``, compared with that function on the encrypted database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from boligsag.services.context import AppContext


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[[AppContext, Any], object]
    target_ms: float | None = None
    prepare: Callable[[AppContext], Any] | None = None  # runs once, untimed
    compare_plain: bool = True
    # How many user-visible operations one call performs (e.g. keystrokes); the report
    # divides the timing by it so the figure compares with a per-operation target.
    operations: int = 1
    # Measured instead of the plain copy in the comparison column, on the encrypted
    # database (e.g. the SQLCipher summary a PostgreSQL case compares with); the ratio is
    # then this case / baseline.
    baseline: Callable[[AppContext, Any], object] | None = None
    # Runs only when --only names it explicitly (e.g. the PostgreSQL cases, whose
    # preparation copies the whole database into a cluster for minutes): a plain
    # ``--only summary`` must stay the quick summary run it always was.
    opt_in: bool = False
