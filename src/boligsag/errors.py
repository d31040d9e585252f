"""The one error type a user can see, and the one way to render it.

Every refusal the program explains to a person (a wrong password, a stale record, an
invalid CPR number, a broken letter template, a wrong command-line argument) is a
:class:`UserError`. It carries ``source``, an English message id written as a literal
where the error is defined or raised, and ``params`` for its named placeholders:

- ``error.message()`` is the text in the UI's language (Danish by default), for dialogs;
- ``str(error)`` is the English text for the command line and the log, followed by
  ``detail`` where the error has one (technical, English, never shown in the UI).

Anything that is not a UserError is a bug, and the UI says so calmly (ui/errors.py).
Messages, params and details never contain personal data (a name, a CPR number): they
end up in logs. File paths are allowed; the administrator needs them.

This module is at the bottom of the layers: it imports only :mod:`boligsag.i18n`.
"""

from __future__ import annotations

from collections.abc import Mapping

from boligsag.i18n import current_language, tr_in


class UserError(Exception):
    """Something went wrong that the user can understand and act on."""

    # English technical detail for the command line and the log (a reason from SQLite,
    # the line of a damaged key file); subclasses set it. Not translated, so never shown
    # in the UI.
    detail: str = ""

    def __init__(self, source: str, /, **params: object) -> None:
        super().__init__(source)
        self.source = source
        self.params = params

    def params_in(self, language: str) -> Mapping[str, object]:
        """The placeholders' values in ``language``. A subclass whose values are
        themselves message ids (a list of missing fields) translates them here."""
        return self.params

    def message(self) -> str:
        """The message in the UI's current language."""
        return self.in_language(current_language())

    def english(self) -> str:
        """The message in English, without the technical detail."""
        return self.in_language("en")

    def in_language(self, language: str) -> str:
        return tr_in(language, self.source, **self.params_in(language))

    def __str__(self) -> str:
        english = self.english()
        return f"{english} {self.detail}" if self.detail else english

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.source!r})"
