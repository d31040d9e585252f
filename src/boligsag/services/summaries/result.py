"""``compute_summary_result``: a summary together with its published figures, for a
screen that lets a team lead switch between exact and published figures.

Publishing is the service's job, not the screen's: the screen receives both halves and
only chooses which to show, so it never calls ``publish`` itself and cannot show a
staff member anything the service did not hand out.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligsag.services.context import AppContext
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import Summary
from boligsag.summaries.published import PublishedSummary, publish

from .engine import Cancelled, Progress, compute_summary


@dataclass(frozen=True)
class SummaryResult:
    # Exact for an actor with the drill-down permission, withheld for anyone else
    # (``summary.exact``), as ``compute_summary`` returns it.
    summary: Summary
    # The figures exactly as the exports publish them, when ``summary`` is exact (a team
    # lead's "show as published"); None when ``summary`` is already withheld, since
    # it then holds the published figures itself.
    published: PublishedSummary | None


def compute_summary_result(
    ctx: AppContext,
    summary_filter: SummaryFilter,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> SummaryResult:
    """``compute_summary`` and, for exact figures, their published form.

    Raises what ``compute_summary`` raises. Safe to call off the GUI thread.
    """
    summary = compute_summary(ctx, summary_filter, progress=progress, cancelled=cancelled)
    return SummaryResult(summary, publish(summary) if summary.exact else None)
