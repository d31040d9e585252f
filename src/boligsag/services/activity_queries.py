"""Read-only look-ups the activities, jobs and network-mother screens need beyond the
casework services: a volunteer's own conversation forms (volunteers cannot use the
contacts list, which needs VIEW_PEOPLE)."""

from __future__ import annotations

from sqlalchemy import select

from boligsag.domain.enums import ContactKind
from boligsag.domain.permissions import Permission
from boligsag.storage.models import Contact

from .casework_common import clamp_limit
from .contact_rows import ContactRow, contact_rows
from .context import AppContext

RECENT_CONVERSATIONS = 50


def my_network_mother_conversations(ctx: AppContext,
                                    limit: int = RECENT_CONVERSATIONS) -> list[ContactRow]:
    """The conversation forms this user logged, newest first (ix_contacts_staff)."""
    query = (select(Contact)
             .where(Contact.staff_user_id == ctx.actor.user_id,
                    Contact.kind == ContactKind.NETWORK_MOTHER,
                    Contact.deleted_at.is_(None))
             .order_by(Contact.occurred_at.desc(), Contact.id.desc())
             .limit(clamp_limit(limit)))
    with ctx.read(Permission.LOG_NETWORK_MOTHER) as r:
        return contact_rows(r.session, ctx, list(r.session.scalars(query)))
