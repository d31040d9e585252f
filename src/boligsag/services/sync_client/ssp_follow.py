"""A replica follows its user's SSP access (issue 13 §5; services/sync/ssp_strip.py).

The server sends the notes of SSP-locked contacts only to a user with SSP access, and
says on every pull page whether the user has it now. When that differs from what the
replica's notes were sent under (``sync_ssp_access``):

- access taken away: the notes of SSP-locked contacts are emptied here, in the page's
  transaction, so the text does not stay on a laptop whose user may no longer read it
  (the server keeps it);
- access given: the replica's SSP-locked contacts were sent with empty notes, and
  their versions are the server's, so the comparison would not fetch them: they go on
  the refetch list (server_link.py) and the comparison is made due. A replica started
  from the team snapshot, which is built for no one in particular and so without SSP
  notes, gets its SSP user's notes the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from boligsag.services import org_settings
from boligsag.storage.models import Contact

from . import server_link

__all__ = ["follow_ssp_access"]


def follow_ssp_access(session: Session, page: dict[str, Any]) -> None:
    """Inside the transaction applying ``page``, with the outbox triggers silent."""
    if not isinstance(page.get("ssp_access"), bool):
        return  # a fetch's rows, or a server from before pages said it
    now = page["ssp_access"]
    before = org_settings.get_setting(session, "sync_ssp_access")
    if before == now:
        return
    if not now:
        session.execute(update(Contact).where(Contact.ssp_locked.is_(True), Contact.note != "")
                        .values(note="").execution_options(synchronize_session=False))
    elif before is False:
        locked = session.scalars(select(Contact.uuid).where(Contact.ssp_locked.is_(True)))
        server_link.add_refetches(session, [("contacts", uuid) for uuid in locked])
    org_settings.set_setting(session, "sync_ssp_access", now)
