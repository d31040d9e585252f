"""The refusals every service can raise, for the UI and the CLI to show.

Each is a :class:`~boligsag.errors.UserError`: an English message id with named params,
so the same refusal reads in Danish in the UI (``message()``) and in English on the
command line (``str()``). A service's own refusals subclass UserError beside it.
"""

from __future__ import annotations

from boligsag.errors import UserError
from boligsag.i18n import tr, tr_in

# Raised by storage, caught by the log-in and password dialogs, which import only
# services: re-exported here so the UI never reaches into storage.
from boligsag.storage.errors import WrongPassword

__all__ = ["NoKeyFile", "NotFound", "PermissionDenied", "StaleRecord", "ValidationFailed",
           "WrongPassword"]


class PermissionDenied(UserError):
    def __init__(self) -> None:
        super().__init__("Your role does not allow this.")


class NoKeyFile(UserError):
    """A laptop-only action (accounts and passwords in the key file) on a database that
    has no key file: a team server's, whose accounts the server keeps."""

    def __init__(self) -> None:
        super().__init__("This database has no key file: its user accounts and passwords "
                         "are managed on the team server.")


class NotFound(UserError):
    """``what`` names the kind of record for logs and tests; it is not shown, as it would
    need translating. A subclass gives its own ``source`` when it knows more."""

    def __init__(self, what: str = "record",
                 source: str = "The record no longer exists; someone may have deleted it.",
                 /, **params: object) -> None:
        super().__init__(source, **params)
        self.what = what


class StaleRecord(UserError):
    """Someone saved the record after it was opened here: never overwrite silently."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this record after you opened it. "
            "Reopen it to see their changes, then save again."
        )


class ValidationFailed(UserError):
    """One or more fields are invalid; ``fields`` maps a field name to its message id
    and parameters, so a form can show each message beside its field. The command line
    gets them in English as the detail."""

    def __init__(self, fields: dict[str, tuple[str, dict[str, object]]]) -> None:
        super().__init__("Please correct the marked fields.")
        self.fields = fields

    def field_messages(self) -> dict[str, str]:
        return {name: tr(source, **params)
                for name, (source, params) in self.fields.items()}

    def field_messages_en(self) -> dict[str, str]:
        """English, for the command line."""
        return {name: tr_in("en", source, **params)
                for name, (source, params) in self.fields.items()}

    @property  # type: ignore[override]
    def detail(self) -> str:
        return "; ".join(f"{name}: {text}" for name, text in self.field_messages_en().items())
