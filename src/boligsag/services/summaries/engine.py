"""``compute_summary``: every figure of the Opgørelser screen, in one read-only unit of
work, with progress and cancel for a background thread; exact for those who may drill
down, withheld as in the exports for everyone else."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from boligsag.domain.permissions import Permission
from boligsag.errors import UserError
from boligsag.services.context import AppContext
from boligsag.summaries.filter import SummaryFilter
from boligsag.summaries.model import Summary

from . import activities, contacts, jobs, participants, referrals
from .filter import filter_names, validate_filter
from .materialize import materialize
from .scope import Scope
from .sections import Section
from .temp import prepare_engine
from .withheld import withhold

Progress = Callable[[str, float], None]  # (stage, fraction done), as `boligsag demo` uses
Cancelled = Callable[[], bool]

SECTIONS = (participants, contacts, activities, referrals, jobs)
SECTION_STEPS = 22  # calls of step() in the sections; only for the progress fraction
# SQLite calls the progress handler every N virtual-machine instructions: often enough
# that cancel answers within a few milliseconds, rarely enough to cost nothing.
_HANDLER_INSTRUCTIONS = 20_000


class SummaryCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("The summary was cancelled.")


def compute_summary(
    ctx: AppContext,
    summary_filter: SummaryFilter,
    *,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Summary:
    """All tables of the summary: exact figures for an actor with the drill-down
    permission (a team lead: the screen shows them and drills down from them); for
    anyone else the figures the exports publish, small counts withheld (``exact`` is
    False). The service decides this, not the screen.

    Raises PermissionDenied, ValidationFailed (e.g. the period ends before it starts) or
    SummaryCancelled. Safe to call off the GUI thread: it opens its own session.
    """
    ctx.require(Permission.VIEW_SUMMARIES)
    validate_filter(summary_filter)
    done, steps = [0], SECTION_STEPS + len(summary_filter.months()) + 1

    def step(stage: str) -> None:
        if cancelled is not None and cancelled():
            raise SummaryCancelled()
        if progress is not None:
            progress(stage, min(done[0] / steps, 0.99))
        done[0] += 1

    # A read unit: the summary only fills TEMP tables, so it never takes the write lock
    # and a colleague's save goes through while it runs (it reads one snapshot).
    prepare_engine(ctx.db.engine)
    with ctx.read(Permission.VIEW_SUMMARIES) as unit, _cancellable(unit.session, cancelled):
        session = unit.session
        scope = Scope.build(session, summary_filter)
        names = filter_names(session, summary_filter)
        materialize(session, scope, step)
        merged = Section()
        for module in SECTIONS:
            part = module.compute(session, scope, step)
            merged.tables += part.tables
            merged.key_figures += part.key_figures
            merged.links += part.links
    if progress is not None:
        progress("done", 1.0)
    order = {key: i for i, key in enumerate(KEY_FIGURE_ORDER)}
    figures = sorted(merged.key_figures, key=lambda f: order.get(f.key, len(order)))
    summary = Summary(
        filter=summary_filter,
        names=names,
        generated_at=ctx.clock.now(),
        tables=tuple(merged.tables),
        key_figures=tuple(figures),
        links=tuple(merged.links),
    )
    return summary if ctx.actor.can(Permission.DRILL_DOWN) else withhold(summary)


KEY_FIGURE_ORDER = (
    "participants", "new_participants", "contacts", "hours", "anonymous_contacts",
    "sessions", "attendance_rate", "drop_in", "enrolled", "started", "ended",
    "referrals", "closed_share", "median_days", "concerns",
    "young_people_with_job", "jobs_started", "moved_to_leisure_job", "still_employed_12",
)


@contextlib.contextmanager
def _cancellable(session: Session, cancelled: Cancelled | None) -> Iterator[None]:
    """Let ``cancelled`` interrupt a running query, not only between queries: a
    ten-year query can take seconds, and cancel must feel immediate."""
    if cancelled is None or session.get_bind().dialect.name != "sqlite":
        # PostgreSQL (the team server's summary, run from the command line) has no
        # progress handler; ``step`` still cancels between statements there.
        yield
        return
    raw: Any = session.connection().connection.driver_connection
    raw.set_progress_handler(lambda: 1 if cancelled() else 0, _HANDLER_INSTRUCTIONS)
    try:
        yield
    except OperationalError as error:
        if cancelled() and "interrupt" in str(error.orig).lower():
            raise SummaryCancelled() from None
        raise
    finally:
        # The connection goes back to the pool: never leave our handler on it.
        raw.set_progress_handler(None, 0)
