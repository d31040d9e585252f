"""Who is asking: the server builds a :class:`SyncActor` from a verified token and the
user's row, and passes it to push, pull and the scope rules (design.md, issue 11)."""

from __future__ import annotations

from dataclasses import dataclass

from boligsag.domain.enums import Role

__all__ = ["SyncActor"]


@dataclass(frozen=True)
class SyncActor:
    user_id: int  # users.id on the server
    user_uuid: str
    role: Role
    device_id: str  # the client's device uuid (server_devices.uuid)
    # May read SSP-locked notes (users.ssp_access at this request; sync/ssp_strip.py).
    ssp_access: bool = False
