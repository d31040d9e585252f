"""SSP-locked notes (issue 13 §5; retsplejeloven § 115).

Information exchanged in the SSP cooperation (school, social services, police) may be
passed on only within it. A contact marked SSP (``Contact.ssp_locked``) therefore
keeps its note from everyone but the staff members the administrator gave SSP access
(``User.ssp_access``, per person, not by role):

- everyone who may see the contact sees that it exists, is SSP-locked, and all its
  other fields; the note's text is never in a list, timeline, follow-up, search,
  export, summary, letter or indsigt (:func:`withheld`);
- a staff member with SSP access reads the note only by asking for it in the contact
  (``contacts.reveal_ssp_note``), with a purpose that goes into the audit entry, as for a
  colleague's restricted case (access_purpose.py);
- only a staff member with SSP access marks a note SSP, unlocks it, changes its text or
  deletes the contact; anyone else's edit of the contact's other fields keeps the note.

Access is read from the user's row at each check, so a revoked permission holds at
once, not at the next log-in. The team server applies the same rule to what it sends
and accepts (sync/ssp_strip.py, used by the pull, the fetch and scope.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from boligsag.domain.enums import Role
from boligsag.storage.models import Contact, User

from .context import AppContext

__all__ = ["may_read_ssp", "ssp_problems", "withheld"]


def may_read_ssp(session: Session, ctx: AppContext) -> bool:
    """Whether the signed-in user has SSP access now."""
    user = session.get(User, ctx.actor.user_id)
    return bool(user is not None and user.active and user.deleted_at is None
                and user.ssp_access)



def withheld(contact: Contact) -> bool:
    """Whether a row read for a list or page leaves this contact's note out: always for
    an SSP note, whoever reads (its text is shown only by ``contacts.reveal_ssp_note``)."""
    return bool(contact.ssp_locked and contact.note)


def ssp_problems(role: Role, ssp_access: bool) -> dict[str, tuple[str, dict[str, object]]]:
    """SSP access is for staff in the SSP cooperation, never a volunteer's."""
    if ssp_access and Role(role) == Role.VOLUNTEER:
        return {"ssp_access": ("A volunteer cannot have SSP access.", {})}
    return {}
