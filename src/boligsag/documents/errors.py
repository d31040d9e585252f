"""Why a letter cannot be produced. Raised instead of printing blanks or broken text.

Both are :class:`~boligsag.domain.errors.DomainError` subclasses (user errors with a
``code``), so the CLI's and the GUI's one way of showing a user error covers them. No
personal data goes into them: the message names *which* field is missing, never its
owner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from boligsag.domain.errors import DomainError
from boligsag.i18n import tr_in

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


class MissingLetterData(DomainError):
    """Information the letter needs is empty. ``missing`` holds field keys (see
    ``MISSING_FIELD_LABELS``) so a form can highlight them; the message lists them."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        super().__init__(
            "letter.missing_data",
            "The letter cannot be made because this information is missing: {fields}.",
        )

    def params_in(self, language: str) -> Mapping[str, object]:
        # The list of fields is itself translated, so it is built in the reader's language.
        return {"fields": ", ".join(tr_in(language, MISSING_FIELD_LABELS.get(k, k))
                                    for k in self.missing)}


class TemplateError(DomainError):
    """A letter template is broken: an unknown placeholder, a missing section, or
    unbalanced braces. Names the file, line and placeholder so an administrator can fix
    the template; the letter is not printed."""
