"""Why a letter cannot be produced. Raised instead of printing blanks or broken text.

Both are :class:`~boligsag.domain.errors.DomainError` subclasses, so the CLI's and the
GUI's existing handling of "a rule refused this" covers them. Like service errors they
carry an English message id (``source``) and ``params``; :meth:`translated` gives the
text in the UI's language. No personal data goes into them: the message names *which*
field is missing, never its owner.
"""

from __future__ import annotations

from collections.abc import Sequence

from boligsag.domain.errors import DomainError
from boligsag.i18n import current_language, tr, tr_in


class DocumentError(DomainError):
    def __init__(self, code: str, source: str, /, **params: object) -> None:
        super().__init__(code, tr_in("en", source, **params), **params)
        self.source = source

    def translated(self) -> str:
        """The message in the UI's current language."""
        return tr(self.source, **self.params)


# Field keys of MissingLetterData -> message ids naming them for the user.
MISSING_FIELD_LABELS: dict[str, str] = {
    "service.name": "the service's name",
    "service.street": "the service's street address",
    "service.postal_code": "the service's postal code",
    "service.city": "the service's city",
    "person.name": "the person's name",
    "person.birth_date": "the person's date of birth",
    "person.cpr": "the person's CPR number",
    "person.address": "the person's address",
    "person.identification": "the child's date of birth or CPR number",
    "staff.name": "the staff member's name",
    "staff.contact": "the staff member's phone or e-mail",
    "organisation.name": "the organisation's name",
    "reason": "the reason",
    "consent": "the consent",
}


class MissingLetterData(DocumentError):
    """Information the letter needs is empty. ``missing`` holds field keys (see
    ``MISSING_FIELD_LABELS``) so a form can highlight them; the message lists them."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(
            "letter.missing_data",
            "The letter cannot be made because this information is missing: {fields}.",
            fields=self.field_labels("en"),
        )

    def field_labels(self, language: str | None = None) -> str:
        lang = language or current_language()
        return ", ".join(tr_in(lang, MISSING_FIELD_LABELS.get(k, k)) for k in self.missing)

    def translated(self) -> str:
        # The list of fields is itself translated, so it is rebuilt in the UI language
        # rather than taken from the English params.
        return tr(self.source, fields=self.field_labels())


class TemplateError(DocumentError):
    """A letter template is broken: an unknown placeholder, a missing section, or
    unbalanced braces. Names the file, line and placeholder so an administrator can fix
    the template; the letter is not printed."""
