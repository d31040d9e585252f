"""Jobs and their follow-ups, as widgets other pages embed.

- ``JobsPanel(ctx, events, person_id)``: a young person's jobs (person page).
- ``FollowUpList(ctx, events)``: follow-ups that are due (start page); wire its
  ``open_person(int)`` signal to open the person.
"""

from .follow_up_list import FollowUpList
from .job_dialog import JobDialog, MoveToLeisureDialog
from .jobs_panel import JobsPanel

__all__ = ["FollowUpList", "JobDialog", "JobsPanel", "MoveToLeisureDialog"]
