"""``publish_summary``: a team lead's exact summary in the form the exports publish it,
for the Opgørelser screen's "Vis som i eksporten".

Publishing (the linear-programming suppression of ``boligsag.summaries.published``)
costs as much as a good part of the summary itself, and most team leads never look at
the published view, so ``compute_summary`` does not do it: the screen asks for it, in
the background, when the team lead turns the view on, and keeps it for that summary.
Publishing stays the service's job, not the screen's, so the screen never calls
``publish`` itself. A staff member's summary arrives already published (withheld) from
``compute_summary`` and needs no second step. The exports publish on their own.
"""

from __future__ import annotations

from boligsag.domain.permissions import Permission
from boligsag.services.context import AppContext
from boligsag.summaries.model import Summary
from boligsag.summaries.published import PublishedSummary, publish


def publish_summary(ctx: AppContext, summary: Summary) -> PublishedSummary:
    """The figures of the exact ``summary`` exactly as the exports publish them.

    Reads nothing from the database (the summary holds every figure), so it is safe to
    call off the GUI thread. Raises PermissionDenied for someone who may not see
    summaries, ValueError for a summary that is already withheld (``exact`` False).
    """
    ctx.require(Permission.VIEW_SUMMARIES)
    return publish(summary)
