"""Errors services raise for the UI and the CLI to show.

Each carries ``source``: an English message id for :func:`boligsag.i18n.tr`, and
``params`` for its named fields, so the same refusal reads in Danish in the UI and
in English on the command line.
"""

from __future__ import annotations

from boligsag.i18n import tr, tr_in


class ServiceError(Exception):
    def __init__(self, source: str, /, **params: object) -> None:
        super().__init__(tr_in("en", source, **params))
        self.source = source
        self.params = params

    def message(self) -> str:
        """The message in the UI's current language."""
        return tr(self.source, **self.params)


class PermissionDenied(ServiceError):
    def __init__(self) -> None:
        super().__init__("Your role does not allow this.")


class NotFound(ServiceError):
    def __init__(self, what: str = "record") -> None:
        super().__init__("The record no longer exists; someone may have deleted it.")
        self.what = what  # for logs and tests; not shown, as it would need translating


class StaleRecord(ServiceError):
    """Someone saved the record after it was opened here: never overwrite silently."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this record after you opened it. "
            "Reopen it to see their changes, then save again."
        )


class ValidationFailed(ServiceError):
    """One or more fields are invalid; ``fields`` maps a field name to its message id
    and parameters, so a form can show each message beside its field."""

    def __init__(self, fields: dict[str, tuple[str, dict[str, object]]]) -> None:
        super().__init__("Please correct the marked fields.")
        self.fields = fields

    def field_messages(self) -> dict[str, str]:
        return {name: tr(source, **params) for name, (source, params) in self.fields.items()}

    def field_messages_en(self) -> dict[str, str]:
        """English, for the command line."""
        return {
            name: tr_in("en", source, **params) for name, (source, params) in self.fields.items()
        }
