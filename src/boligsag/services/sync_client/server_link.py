"""What a laptop keeps of its team server, inside its ENCRYPTED database (org_settings,
never QSettings or a plain file: the address says which organisation it serves):

- ``sync_server_url``: ``https://host[:port]``, checked and normalised;
- ``sync_server_fingerprint``: the pinned SHA-256 of the server's certificate, stored
  as ``AB:CD:…`` (upper case, colons) whatever form it was typed in;
- ``sync_device_id``: this laptop database's device id on the server, a uuid4 made once
  and kept after an unlink (the server knows the laptop by it; an administrator revokes
  it there);
- ``sync_cursor``: where the next pull starts (empty: from the beginning);
- ``sync_reconcile_due``: a pulled page asked for the comparison with the server
  (engine.py), or a change was set aside (push_client.py), and it has not finished yet;
- ``sync_refetch``: rows the next comparison fetches again whatever their version (a
  refused change left its local values in them).

The functions take the caller's session and do not commit: joining a team (the next
piece) stores the link in the same transaction as its other writes, and the sync engine
stores a cursor in the transaction that applies its page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from boligsag.services import org_settings

from .errors import InvalidServerAddress
from .pinning import normalise_fingerprint

__all__ = ["ServerLink", "add_refetch", "add_refetches", "adopt", "clear_refetch", "current",
           "device_id", "link", "normalise_url", "reconcile_due", "refetch_due", "set_cursor",
           "set_reconcile_due", "unlink"]

MAX_URL = 2000


@dataclass(frozen=True)
class ServerLink:
    url: str
    fingerprint: str
    device_id: str
    cursor: str | None


def normalise_url(text: str) -> str:
    """``https://host[:port]`` (host in lower case, no trailing slash) from what was
    typed; InvalidServerAddress saying what is wrong otherwise."""
    text = text.strip()
    if not text:
        raise InvalidServerAddress("Enter the team server's address, e.g. "
                                   "https://boligsag.example.dk:8443.")
    if len(text) > MAX_URL or any(ch.isspace() for ch in text):
        raise InvalidServerAddress("The server address must be one line without spaces, "
                                   "e.g. https://boligsag.example.dk:8443.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidServerAddress("The port must be a number from 1 to 65535.") from None
    if parts.scheme.lower() != "https":
        raise InvalidServerAddress("The server address must start with https://.")
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidServerAddress("The server address needs a host name, e.g. "
                                   "https://boligsag.example.dk:8443.")
    if parts.username is not None or parts.password is not None:
        raise InvalidServerAddress("The server address must not contain a username or "
                                   "password.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidServerAddress("The server address must be only https:// and the "
                                   "host name (and port), without a path.")
    if port == 0:
        raise InvalidServerAddress("The port must be a number from 1 to 65535.")
    shown = f"[{host}]" if ":" in host else host
    return f"https://{shown}:{port}" if port is not None else f"https://{shown}"


def device_id(session: Session) -> str:
    """This laptop database's device id, made (a uuid4) the first time it is asked."""
    existing = str(org_settings.get_setting(session, "sync_device_id"))
    if existing:
        return existing
    made = str(uuid.uuid4())
    org_settings.set_setting(session, "sync_device_id", made)
    return made


def link(session: Session, url: str, fingerprint: str) -> ServerLink:
    """Remember the team server at ``url`` whose certificate has ``fingerprint``; both
    checked first (InvalidServerAddress, InvalidFingerprint), nothing stored if either is
    wrong. Another address starts the pulls over (its cursor would mean nothing there);
    a new certificate for the same address keeps the cursor."""
    clean_url, clean_fingerprint = normalise_url(url), normalise_fingerprint(fingerprint)
    before = current(session)
    device = device_id(session)
    org_settings.set_setting(session, "sync_server_url", clean_url)
    org_settings.set_setting(session, "sync_server_fingerprint", clean_fingerprint)
    cursor = before.cursor if before is not None and before.url == clean_url else None
    org_settings.set_setting(session, "sync_cursor", cursor or "")
    return ServerLink(clean_url, clean_fingerprint, device, cursor)


def adopt(session: Session, url: str, fingerprint: str, device: str) -> None:
    """A new replica's server and this laptop's device id, both checked first
    (InvalidServerAddress, InvalidFingerprint). Unlike :func:`link` the cursor stays: a
    replica made from the team snapshot carries on from the snapshot's."""
    clean_url, clean_fingerprint = normalise_url(url), normalise_fingerprint(fingerprint)
    org_settings.set_setting(session, "sync_device_id", device)
    org_settings.set_setting(session, "sync_server_url", clean_url)
    org_settings.set_setting(session, "sync_server_fingerprint", clean_fingerprint)


def current(session: Session) -> ServerLink | None:
    """The linked server, or None for a laptop on its own."""
    url = str(org_settings.get_setting(session, "sync_server_url"))
    fingerprint = str(org_settings.get_setting(session, "sync_server_fingerprint"))
    if not url or not fingerprint:
        return None
    cursor = str(org_settings.get_setting(session, "sync_cursor"))
    # Made by link(), so a read unit never writes here.
    device = str(org_settings.get_setting(session, "sync_device_id"))
    return ServerLink(url, fingerprint, device, cursor or None)


def set_cursor(session: Session, cursor: str | None) -> None:
    org_settings.set_setting(session, "sync_cursor", cursor or "")


def reconcile_due(session: Session) -> bool:
    return bool(org_settings.get_setting(session, "sync_reconcile_due"))


def set_reconcile_due(session: Session, due: bool) -> None:
    org_settings.set_setting(session, "sync_reconcile_due", due)


def refetch_due(session: Session) -> list[tuple[str, str]]:
    return [(str(t), str(u)) for t, u in org_settings.get_setting(session, "sync_refetch")]


def add_refetch(session: Session, table: str, row_uuid: str) -> None:
    """Have the next comparison fetch this row again, and make it due."""
    add_refetches(session, [(table, row_uuid)])


def add_refetches(session: Session, rows: Iterable[tuple[str, str]]) -> None:
    """:func:`add_refetch` for many rows at once (one read and one write of the list)."""
    due = refetch_due(session)
    known = set(due)
    new = [pair for pair in dict.fromkeys(rows) if pair not in known]
    if new:
        org_settings.set_setting(session, "sync_refetch", [*map(list, due), *map(list, new)])
    set_reconcile_due(session, True)


def clear_refetch(session: Session, done: list[tuple[str, str]]) -> None:
    left = [list(pair) for pair in refetch_due(session) if pair not in set(done)]
    org_settings.set_setting(session, "sync_refetch", left)


def unlink(session: Session) -> None:
    """Forget the server (address, fingerprint, cursor); the device id stays."""
    for key in ("sync_server_url", "sync_server_fingerprint", "sync_cursor"):
        org_settings.set_setting(session, key, "")
