"""Team-lead summaries (Opgørelser): what the team did in a period, computed in SQL.

Public API::

    from boligsag.services.summaries import compute_summary, drill_down
    from boligsag.summaries.filter import SummaryFilter
    from boligsag.summaries.model import CellRef

    summary = compute_summary(ctx, SummaryFilter(date(2025, 1, 1), date(2025, 12, 31)),
                              progress=on_progress, cancelled=is_cancelled)
    summary.table("contacts_by_channel").rows
    drill_down(ctx, summary.filter, CellRef("contacts_by_channel", "3", "contacts"))

The Summary holds exact figures for an actor with the drill-down permission, and the
published figures (small counts ``Withheld``, ``Summary.exact`` False) for anyone else.
Exports (and anything else shown outside the team) must go through
``boligsag.summaries.published.publish`` first, which takes an exact Summary; the
screen asks ``publish_summary`` for it when a team lead wants the published view.
The value types (filter, summary, published figures) live in ``boligsag.summaries``.
"""

from .drill import RecordRef, drill_down
from .engine import SummaryCancelled, compute_summary
from .filter import resolve_filter, validate_filter
from .publishing import publish_summary

__all__ = [
    "RecordRef",
    "SummaryCancelled",
    "compute_summary",
    "drill_down",
    "publish_summary",
    "resolve_filter",
    "validate_filter",
]
