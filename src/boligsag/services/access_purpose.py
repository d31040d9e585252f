"""A purpose for opening someone else's restricted case (issue 13 §4).

A restricted person (``Person.restricted``) is seen by the responsible staff member,
team leads and administrators. When anyone but the responsible staff member opens
such a person's page (the person and their timeline) or makes their access report,
the service first asks for a purpose: one of a short list, or free text. The purpose
is kept for this log-in (``AppContext.purposes``, by the person's uuid; never on disk
outside the audit log) and written into the audit entry of every view under it, so the
access log and the person's access report show why the case was opened.

A purpose is refused when it is empty, longer than 200 characters or holds a CPR
number (the audit log never holds one).
"""

from __future__ import annotations

from boligsag.domain.cpr import contains_cpr
from boligsag.errors import UserError
from boligsag.storage.models import Person

from .casework_common import visible_person_or_fail
from .context import AppContext
from .errors import ValidationFailed

# The short list the dialog offers (message ids; stored in the UI's language as chosen).
PURPOSES = (
    "Follow-up on the case",
    "The resident or a relative contacted us",
    "Covering for a colleague",
    "Management supervision or quality assurance",
    "A request for access (indsigt)",
)
MAX_LENGTH = 200


class PurposeRequired(UserError):
    """Raised before a restricted case of someone else is shown without a purpose."""

    def __init__(self, person_id: int, name: str) -> None:
        super().__init__("{name} is a restricted case. Say why you open it; the purpose "
                         "is written in the access log.", name=name)
        self.person_id = person_id
        self.name = name


def needs_purpose(ctx: AppContext, person: Person) -> bool:
    return (person.restricted and person.responsible_user_id != ctx.actor.user_id
            and person.uuid not in ctx.purposes)


def require_purpose(ctx: AppContext, person: Person) -> None:
    if needs_purpose(ctx, person):
        raise PurposeRequired(person.id, person.full_name)


def purpose_detail(ctx: AppContext, person: Person) -> str:
    """What a view's audit entry says of its purpose ("" for one that needs none)."""
    purpose = ctx.purposes.get(person.uuid)
    return f"purpose: {purpose}" if purpose else ""


def give_purpose(ctx: AppContext, person_id: int, purpose: str) -> None:
    """Record why the user opens ``person_id``'s restricted case, for this log-in."""
    text = checked_purpose(purpose)
    with ctx.read() as unit:
        person = visible_person_or_fail(unit.session, ctx, person_id)
        ctx.purposes[person.uuid] = text


def checked_purpose(purpose: str) -> str:
    """``purpose`` on one line, or ValidationFailed when it may not go in the log."""
    text = " ".join(purpose.split())
    if not text:
        raise ValidationFailed({"purpose": ("Choose or write a purpose.", {})})
    if len(text) > MAX_LENGTH:
        raise ValidationFailed({"purpose": ("Use at most {count} characters.",
                                            {"count": MAX_LENGTH})})
    if contains_cpr(text):
        raise ValidationFailed({"purpose": ("Do not write a CPR number in the purpose.", {})})
    return text
