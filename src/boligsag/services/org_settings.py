"""Organisation settings kept inside the encrypted database (letterhead, logo,
reminder limits). Declared in one place with their defaults."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from boligsag.storage.models import Setting

DEFAULTS: dict[str, Any] = {
    "database_id": "",
    "organisation_name": "",
    "organisation_street": "",
    "organisation_postal_code": "",
    "organisation_city": "",
    "organisation_phone": "",
    "organisation_email": "",
    "organisation_web": "",
    "current_plan_uuid": "",
    # Days a referral may stay in a status before it is shown as overdue.
    "referral_reminder_days": {"draft": 7, "sent": 14, "received": 21, "first_meeting": 60},
    # Months without activity before a person is listed for deletion (anonymisation).
    "retention_months": 60,
    "idle_lock_minutes": 10,
    # Where this installation's backups go (services/backups.py; empty: not chosen).
    # This computer's own: never one of the settings a team server shares.
    "backup_folder": "",
    # The last verified backup: {"at": ISO local time, "audit_id": the newest audit entry
    # then}, so an automatic backup is skipped when nothing has changed since.
    "backup_last": {},
    # How many backups rotation keeps (services/backups.py Keep): {"daily", "weekly",
    # "monthly"}; empty: Keep's defaults (7, 4, 12).
    "backup_keep": {},
    # Team server: the newest change-log entry `boligsag server prune` removed (its seq);
    # a pull from before it may have missed a change that moved a row out of scope.
    "sync_pruned_through": 0,
    # A laptop's team server (services/sync_client/server_link.py); empty: on its own.
    "sync_server_url": "",
    "sync_server_fingerprint": "",
    "sync_device_id": "",
    "sync_cursor": "",
    # A pulled page said the user's scope may have moved (or the server refused the
    # cursor): the comparison with the server is due. Stored with the page, cleared
    # after the comparison, so a sync interrupted between the two still compares.
    "sync_reconcile_due": False,
    # Rows whose local change the server refused (set aside, push_client.py): [table,
    # uuid] pairs fetched again by the next comparison, which their version alone
    # would not bring, since it is the server's.
    "sync_refetch": [],
    # Whether the notes of SSP-locked contacts in this replica were sent to a user with
    # SSP access (the last pull page said so; "": not known yet, a replica from before
    # pages said it, which got every note). sync_client/ssp_follow.py.
    "sync_ssp_access": "",
    # A laptop's push (services/sync_client/push_client.py): the batch sent and not yet
    # acknowledged (JSON text; empty: none), and the last audit entry id pushed.
    "sync_pending_batch": "",
    "sync_audit_pushed_through": 0,
    # Changes the server refused (outside the user's scope now), kept for the user to see
    # and decide on: a JSON list (push_client.py).
    "sync_refused_changes": [],
    # When the last sync ended without error (ISO local time; empty: never), for the
    # status bar; and whether a joined replica's first pull finished (join.py).
    "sync_last_success": "",
    "sync_first_pull_done": False,
    # When the team snapshot a joined replica started from was built (empty: it was
    # joined by pull; sync_client/snapshot_client.py).
    "sync_joined_from_snapshot": "",
    # The etag of the team server's shared settings stored here (shared_settings.py):
    # sent with each sync, so unchanged settings come back as one short answer.
    "sync_settings_etag": "",
}


def get_setting(session: Session, key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting: {key}")
    row = session.get(Setting, key)
    return DEFAULTS[key] if row is None or row.value == "" else json.loads(row.value)


def set_setting(session: Session, key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting: {key}")
    row = session.get(Setting, key) or Setting(key=key)
    row.value = json.dumps(value, ensure_ascii=False)
    session.add(row)


def get_logo(session: Session) -> bytes | None:
    row = session.get(Setting, "logo")
    return row.blob if row else None


def set_logo(session: Session, data: bytes | None) -> None:
    row = session.get(Setting, "logo") or Setting(key="logo", value="")
    row.blob = data
    session.add(row)
