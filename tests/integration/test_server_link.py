"""What a laptop keeps of its team server (services/sync_client/server_link.py): inside
its encrypted database, normalised, checked with a message that says what is wrong, and a
device id made once per database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from boligsag.i18n import current_language, set_language
from boligsag.services.context import AppContext, FixedClock
from boligsag.services.sync_client import server_link
from boligsag.services.sync_client.errors import InvalidFingerprint, InvalidServerAddress
from boligsag.services.unlock import UnlockOptions, lock, unlock

from ..conftest import CreatedDb

FINGERPRINT = ("68:EC:91:BF:37:A3:8C:A9:D1:DF:83:0A:40:9C:AD:16:"
               "43:D0:05:41:D5:A9:95:A2:A9:71:CE:1E:50:D9:38:FD")
HOST = "boligsag.ærtebjerg-boligsocial.dk"


@pytest.fixture
def danish() -> Iterator[None]:
    before = current_language()
    set_language("da")
    yield
    set_language(before)


def _reopen(created_db: CreatedDb, clock: FixedClock) -> AppContext:
    return unlock(created_db.path, "admin", created_db.password, clock=clock,
                  options=UnlockOptions(integrity_check=False))


def test_a_link_is_kept_in_the_encrypted_database_and_survives_a_restart(
        created_db: CreatedDb, clock: FixedClock) -> None:
    ctx = _reopen(created_db, clock)
    with ctx.read() as unit:
        assert server_link.current(unit.session) is None  # a laptop on its own
    with ctx.write(None) as unit:
        linked = server_link.link(unit.session, f"  HTTPS://{HOST.upper()}:8443/ ",
                                  FINGERPRINT.replace(":", "").lower())
    assert linked.url == f"https://{HOST}:8443"
    assert linked.fingerprint == FINGERPRINT and linked.cursor is None
    assert uuid.UUID(linked.device_id).version == 4
    with ctx.write(None) as unit:
        server_link.set_cursor(unit.session, "c-41")
    lock(ctx)

    ctx = _reopen(created_db, clock)
    with ctx.read() as unit:
        assert server_link.current(unit.session) == server_link.ServerLink(
            f"https://{HOST}:8443", FINGERPRINT, linked.device_id, "c-41")
    # Nothing of it in the files on disk: the database is encrypted.
    files = [p for p in Path(created_db.path).parent.iterdir() if p.is_file()]
    for path in files:
        data = path.read_bytes()
        assert HOST.encode() not in data and b"8443" not in data, path
        assert linked.device_id.encode() not in data and b"68:EC:91" not in data, path

    with ctx.write(None) as unit:  # the same address again: the cursor stays
        again = server_link.link(unit.session, f"https://{HOST}:8443", FINGERPRINT)
    assert again.cursor == "c-41" and again.device_id == linked.device_id
    with ctx.write(None) as unit:  # another server: pulls start over, same device id
        moved = server_link.link(unit.session, "https://10.0.0.7", FINGERPRINT)
    assert (moved.url, moved.cursor, moved.device_id) == ("https://10.0.0.7", None,
                                                          linked.device_id)
    with ctx.write(None) as unit:
        server_link.unlink(unit.session)
    with ctx.read() as unit:
        assert server_link.current(unit.session) is None
    with ctx.write(None) as unit:  # the device id outlives the link
        assert server_link.device_id(unit.session) == linked.device_id
    lock(ctx)


@pytest.mark.parametrize(("url", "english", "danish_text"), [
    ("", "Enter the team server's address", "Skriv teamserverens adresse"),
    ("http://server.example.dk", "must start with https://", "skal begynde med https://"),
    ("server.example.dk:8443", "must start with https://", "skal begynde med https://"),
    ("https://", "needs a host name", "skal indeholde et værtsnavn"),
    ("https://:8443", "needs a host name", "skal indeholde et værtsnavn"),
    ("https://server.example.dk:99999", "port must be a number", "Porten skal være et tal"),
    ("https://server.example.dk:port", "port must be a number", "Porten skal være et tal"),
    ("https://ole:hemmelig@server.example.dk", "must not contain a username",
     "må ikke indeholde brugernavn"),
    ("https://server.example.dk/v1/sync", "without a path", "uden en sti"),
    ("https://server.example.dk?x=1", "without a path", "uden en sti"),
    ("https://server example.dk", "without spaces", "uden mellemrum"),
])
def test_a_bad_address_is_refused_saying_what_is_wrong(
        ctx: AppContext, danish: None, url: str, english: str, danish_text: str) -> None:
    with pytest.raises(InvalidServerAddress) as refused, ctx.write(None) as unit:
        server_link.link(unit.session, url, FINGERPRINT)
    assert english in str(refused.value)
    assert danish_text in refused.value.user_message()
    assert "hemmelig" not in str(refused.value)  # a typed password is never repeated
    with ctx.read() as unit:
        assert server_link.current(unit.session) is None


@pytest.mark.parametrize("fingerprint", [
    "", FINGERPRINT[:-3], FINGERPRINT + ":00", FINGERPRINT.replace("68", "G8"),
    "sha256:" + FINGERPRINT,
])
def test_a_bad_fingerprint_is_refused_and_nothing_is_stored(
        ctx: AppContext, danish: None, fingerprint: str) -> None:
    with ctx.write(None) as unit:
        server_link.link(unit.session, "https://a.example.dk", FINGERPRINT)
    with pytest.raises(InvalidFingerprint) as refused, ctx.write(None) as unit:
        server_link.link(unit.session, "https://b.example.dk", fingerprint)
    assert "64 hexadecimal digits" in str(refused.value)
    assert "64 hexadecimale tegn" in refused.value.user_message()
    with ctx.read() as unit:
        kept = server_link.current(unit.session)
    assert kept is not None and kept.url == "https://a.example.dk"  # the old link stays
