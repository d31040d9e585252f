"""The bars of DESIGN.md §6 (a year's summary < 0.5 s, ten years < 2 s, encrypted within
1.5x of plain SQLite: the ratio column) and issue 15 (the XLSX export of a year < 1 s)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from boligsag.services.context import AppContext
from boligsag.services.summaries import compute_summary
from boligsag.services.summaries.export import export_summary
from boligsag.summaries.filter import SummaryFilter

from . import Case

OUT = Path(__file__).resolve().parents[1] / ".cache" / "out"


def _year(ctx: AppContext) -> SummaryFilter:
    year = ctx.today().year - 1
    return SummaryFilter(date_from=date(year, 1, 1), date_to=date(year, 12, 31))


def _ten_years(ctx: AppContext) -> SummaryFilter:
    today = ctx.today()
    return SummaryFilter(date_from=date(today.year - 10, today.month, 1), date_to=today)


def _compute(ctx: AppContext, summary_filter: Any) -> object:
    return compute_summary(ctx, summary_filter)


def _export(ctx: AppContext, summary_filter: Any) -> object:
    OUT.mkdir(parents=True, exist_ok=True)
    # The benchmark's own folder, synthetic data only; the tempfile name keeps runs apart.
    with tempfile.NamedTemporaryFile(dir=OUT, suffix=".xlsx") as target:
        return export_summary(ctx, summary_filter, "xlsx", Path(target.name))


CASES = [
    Case("summary, one year", _compute, 500, prepare=_year),
    Case("summary, ten years", _compute, 2000, prepare=_ten_years),
    Case("XLSX export of a year's summary", _export, 1000, prepare=_year),
]
