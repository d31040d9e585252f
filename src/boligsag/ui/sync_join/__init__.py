"""Joining this computer to a team server (issue 12 §1): the "Forbind til teamserver…"
dialog, opened from Administration and from the first-run wizard's first page.

The dialog asks for the server's address, its certificate fingerprint (pinned: a
mismatch is refused, never "continue anyway"), the staff member's server credentials
and where to save the new team database; it joins off the GUI thread with a progress bar
and a cancel that leaves a join which can be resumed, then unlocks the new replica and
hands its context to whoever opened the dialog (the controller opens the main window).
"""

from .dialog import JoinDialog

__all__ = ["JoinDialog"]
