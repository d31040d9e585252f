"""The two ways the sync engine turns a request down; the server maps them to HTTP.

They are not :class:`~boligsag.errors.UserError`\\ s: the text travels to another
program (the laptop's sync client) in an HTTP body, in English, and the client decides
what its user sees. Like every other message in Boligsag, the text never carries personal
data: it names tables, fields, positions in the batch and uuids, never a field's value
(which could be a note or a CPR number).
"""

from __future__ import annotations

__all__ = ["BadBatch", "CursorFromOtherServer", "Refused", "SyncError"]


class SyncError(Exception):
    """Base of the sync refusals; ``message`` is the English text for the HTTP body."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadBatch(SyncError):
    """The request is malformed (wrong type, unknown table or field, too long, unknown
    referenced uuid): HTTP 400, nothing applied."""


class Refused(SyncError):
    """The request is well formed but the actor may not do it (scope, role): HTTP 403,
    nothing applied."""


class CursorFromOtherServer(SyncError):
    """A pull's cursor was handed out by another server database, or by this one before
    it was restored from a backup (the restore gives the database a new identity):
    counting on from it could skip changes, so the laptop must pull everything again.
    HTTP 409 ``cursor_from_other_server``."""
