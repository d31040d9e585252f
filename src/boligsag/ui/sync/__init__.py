"""The app's side of a laptop replica's sync with its team server (issue 12 §2):
background sync (controller.py), the status bar widget and "Synkroniser nu"
(status_widget.py, attach.py), the password question (password_prompt.py)."""

from .attach import attach_sync
from .controller import SyncController

__all__ = ["SyncController", "attach_sync"]
