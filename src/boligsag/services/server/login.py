"""Logging in to the team server, its tokens, and checking a token on each request.

- Logging in: username + password + device id -> a token for 15 minutes, in three
  steps so that the Argon2id run (0.1-0.5 s) holds no database connection and no lock,
  which a burst of logins would otherwise take from the syncs (server/app.py runs the
  two database steps in their turns and the check between them outside, in that order;
  a right password gives a token, else LoginFailed / LoginThrottled / AuthRefused
  ``user_disabled`` or ``device_revoked``, the last two only once the password was right):
  ``begin`` (a short write unit: the throttle, the attempt counted, the account read),
  ``verify`` (Argon2id, no database) and ``finish`` (a short write unit: on success the
  throttle row is cleared and the device registered, on failure the LOGIN_FAILED audit
  entry). An unknown username and a wrong password give the same answer after the same
  work (one Argon2id run, against a dummy hash for an unknown name; the same writes).
  The throttle is the laptop's (storage/throttle.py): two free failures, then 1, 2, 4 ...
  s, at most 30 s, counted per typed username; its row is keyed by an HMAC of the
  folded name, so a name without an account is never stored as text.
- A token is ``<payload>.<mac>``: base64url of a compact JSON ``{"u": user uuid,
  "d": device id, "exp": epoch seconds}`` and its HMAC-SHA256 under a key derived from
  ``secret.key``. Nothing is kept in memory: any instance with the same secret and
  database verifies it.
- ``authenticate``: the token's MAC and expiry, the device the request names, and in the
  database, every time, that the user is active and the device not revoked.

Refusals are not UserErrors: their reason code travels to the laptop's client in an HTTP
body, and the client decides what its user reads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from boligsag.domain.enums import AuditAction, Role
from boligsag.domain.usernames import fold_username
from boligsag.storage import kdf, keys
from boligsag.storage.models import ServerCredential, ServerDevice, ServerLoginFailure, User
from boligsag.storage.throttle import delay_for

from .accounts import ServerDb, audit_admin, find_user, user_json

TOKEN_LIFETIME = 15 * 60  # seconds
MAX_DEVICE_NAME = 120
MAX_USERNAME = 200
MAX_PASSWORD = 1024
_TOKEN_INFO = b"boligsag server token v1"
_USERNAME_INFO = b"boligsag server login throttle v1"


class LoginFailed(Exception):
    """Unknown user or wrong password (one answer for both): HTTP 401."""


@dataclass
class LoginThrottled(Exception):
    """Too many failures for this username: HTTP 429, try again in ``retry_after`` s."""

    retry_after: int


@dataclass
class AuthRefused(Exception):
    """A request's token is not accepted: HTTP 401 with ``reason`` as the error code:
    ``unauthenticated``, ``token_expired``, ``user_disabled`` or ``device_revoked``."""

    reason: str


class BadLogin(ValueError):
    """A malformed login request (no device id, wrong types): HTTP 400."""


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def username_key(secret: bytes, username: str) -> str:
    """The throttle row's key: HMAC of the folded name (as the laptop folds it)."""
    return hmac.new(_derive(secret, _USERNAME_INFO), fold_username(username).encode("utf-8"),
                    hashlib.sha256).hexdigest()


@cache
def _dummy_hash() -> str:
    """A hash nobody's password matches, verified for an unknown username so that it
    costs what a known one costs (same parameters as real hashes)."""
    return kdf.phc_hash(uuid.uuid4().hex, keys.KDF_PARAMS)


def warm_up() -> None:
    """Compute the dummy hash now (server start), not in the first unknown-name login,
    which would otherwise take one Argon2id run longer than a known name's."""
    _dummy_hash()


# -- tokens ------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(secret: bytes, user_uuid: str, device_id: str, *, now: float) -> tuple[str, int]:
    """``(token, expires_at)``, the expiry in epoch seconds."""
    expires = int(now) + TOKEN_LIFETIME
    payload = _b64(json.dumps({"u": user_uuid, "d": device_id, "exp": expires},
                              separators=(",", ":")).encode("utf-8"))
    mac = hmac.new(_derive(secret, _TOKEN_INFO), payload.encode("ascii"), hashlib.sha256)
    return f"{payload}.{_b64(mac.digest())}", expires


def read_token(secret: bytes, token: str, *, now: float) -> tuple[str, str]:
    """``(user_uuid, device_id)`` of a genuine, unexpired token; AuthRefused otherwise."""
    payload, _, mac = token.partition(".")
    try:
        expected = hmac.new(_derive(secret, _TOKEN_INFO), payload.encode("ascii"),
                            hashlib.sha256).digest()
        genuine = hmac.compare_digest(_unb64(mac), expected)
        doc = json.loads(_unb64(payload)) if genuine else None
    except (UnicodeEncodeError, binascii.Error, ValueError):
        genuine, doc = False, None
    if not genuine or not isinstance(doc, dict):
        raise AuthRefused("unauthenticated")
    user, device, expires = doc.get("u"), doc.get("d"), doc.get("exp")
    if not (isinstance(user, str) and isinstance(device, str) and type(expires) is int):
        raise AuthRefused("unauthenticated")
    if now >= expires:
        raise AuthRefused("token_expired")
    return user, device


# -- login -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    token: str
    expires_at: int  # epoch seconds
    user: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "expires_at": self.expires_at, "user": self.user}


def check_device_id(device_id: object) -> str:
    if not isinstance(device_id, str):
        raise BadLogin("device_id must be a uuid")
    try:
        return str(uuid.UUID(device_id))
    except ValueError:
        raise BadLogin("device_id must be a uuid") from None


@dataclass(frozen=True)
class Attempt:
    """A login attempt that ``begin`` let through and counted: what ``verify`` checks
    without the database, and what ``finish`` records."""

    key: str  # the throttle row (username_key)
    user_id: int | None  # None: no account of that name, or none with a server password
    user_uuid: str | None
    stored_hash: str = field(repr=False)  # the account's hash, or the dummy hash
    password: str = field(repr=False)
    device: str
    device_name: str
    now: float  # epoch seconds
    at: datetime  # the same instant, naive UTC as utc_now()


def begin(server: ServerDb, username: object, password: object, device_id: object,
          device_name: object = "", *, now: float | None = None) -> Attempt:
    """Check the request, refuse a throttled name (LoginThrottled), count the attempt as
    a failure until ``finish`` knows better, and read the account's hash: one short
    transaction, committed before any password is checked."""
    if not isinstance(username, str) or not isinstance(password, str):
        raise BadLogin("username and password must be text")
    # Bounds that hold for every name alike, so they tell nothing about an account;
    # without them a megabyte "password" would cost Argon2id time for nothing.
    if len(username) > MAX_USERNAME or len(password) > MAX_PASSWORD:
        raise BadLogin("username or password too long")
    if not isinstance(device_name, str):
        raise BadLogin("device_name must be text")
    device = check_device_id(device_id)
    now = time.time() if now is None else now
    at = datetime.fromtimestamp(now, UTC).replace(tzinfo=None)  # as utc_now(), to the µs
    key = username_key(server.secret, username)
    with server.write() as session:
        # The typed name's throttle row, locked until this transaction ends: tries of one
        # name are counted one at a time. Each is counted BEFORE its password is checked
        # (outside, in parallel with others): parallel wrong guesses all count, and once
        # the count reaches the pause the next try is refused at once, so a burst gets no
        # more free guesses than tries one after another would. A right password clears
        # the row in ``finish``. The price: a third try of one name sent while two are
        # still being checked is refused (429, 1 s) even with the right password.
        session.execute(pg_insert(ServerLoginFailure).values(username_key=key, failures=0)
                        .on_conflict_do_nothing(index_elements=["username_key"]))
        row = session.get(ServerLoginFailure, key, with_for_update=True)
        assert row is not None
        if row.locked_until is not None and row.locked_until > at:
            raise LoginThrottled(max(1, math.ceil((row.locked_until - at).total_seconds())))
        row.failures += 1
        row.last_failure_at = at
        pause = delay_for(row.failures)
        row.locked_until = at + timedelta(seconds=pause) if pause else None
        user = find_user(session, username)
        credential = session.get(ServerCredential, user.id) if user is not None else None
        known = user is not None and credential is not None
    return Attempt(key, user.id if known else None, user.uuid if user is not None else None,
                   credential.password_hash if known else _dummy_hash(), password, device,
                   device_name.strip()[:MAX_DEVICE_NAME], now, at)


def verify(attempt: Attempt) -> bool:
    """The Argon2id check, with no database connection: the same run for an unknown
    name (against the dummy hash, which no password matches)."""
    matches = kdf.phc_verify(attempt.password, attempt.stored_hash)
    return matches and attempt.user_id is not None


def finish(server: ServerDb, attempt: Attempt, verified: bool) -> LoginResult:
    """Record the verdict in one short transaction: a failure's audit entry (its count
    was taken in ``begin``), or for the right password the throttle cleared, the device
    registered and a token. LoginFailed and AuthRefused are raised after the commit, so
    what the unit wrote stays: the failure's audit entry, or the throttle a right
    password cleared (also for a disabled user or a revoked device)."""
    refusal: str | None = None
    result: LoginResult | None = None
    with server.write() as session:
        user = session.get(User, attempt.user_id) if verified and attempt.user_id else None
        credential = session.get(ServerCredential, user.id) if user is not None else None
        if credential is None or credential.password_hash != attempt.stored_hash:
            # A wrong password, an unknown name, or a password set anew since ``begin``
            # read it (the one checked is no longer the account's).
            _record_failure(server, session, attempt.user_uuid)
        else:
            assert user is not None
            session.execute(delete(ServerLoginFailure)
                            .where(ServerLoginFailure.username_key == attempt.key))
            if not user.active or user.deleted_at is not None:
                refusal = "user_disabled"
            else:
                refusal = _register(session, attempt.device, user.id, attempt.device_name,
                                    attempt.at)
            if refusal is None:
                audit_admin(server, session, AuditAction.LOGIN, entity="server_devices",
                            entity_uuid=attempt.device, detail="server login",
                            user_id=user.id, username=user.username)
                token, expires = issue_token(server.secret, user.uuid, attempt.device,
                                             now=attempt.now)
                result = LoginResult(token, expires, user_json(user))
    if refusal is not None:
        raise AuthRefused(refusal)
    if result is None:
        raise LoginFailed()
    return result


def _register(session: Session, device: str, user_id: int, name: str,
              at: datetime) -> str | None:
    """First login from a device registers it; a revoked device stays refused (the
    refusal's reason, None when the device may log in)."""
    session.execute(pg_insert(ServerDevice).values(
        uuid=device, user_id=user_id, name=name, registered_at=at)
        .on_conflict_do_nothing(index_elements=["uuid"]))
    row = session.get(ServerDevice, device, with_for_update=True)
    assert row is not None
    if row.revoked_at is not None:
        return "device_revoked"
    row.last_seen_at = at
    if name:
        row.name = name
    return None


def _record_failure(server: ServerDb, session: Session, user_uuid: str | None) -> None:
    """The same write for a known and an unknown name: the audit entry (which names the
    account only when there is one, as on the laptop)."""
    detail = "failed server login"
    if user_uuid is None:
        detail += " with a username that has no account"
    audit_admin(server, session, AuditAction.LOGIN_FAILED, entity="users",
                entity_uuid=user_uuid, detail=detail, username="")


# -- each request ------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who sent a request: what the sync engine's SyncActor holds, and the username for
    the audit log. (The front-end builds the SyncActor: the sync package builds on the
    server's audit module, so the services here do not import it back.)"""

    user_id: int
    user_uuid: str
    role: Role
    device_id: str
    username: str
    ssp_access: bool = False  # may read SSP-locked notes, now (sync/ssp_strip.py)


@dataclass(frozen=True)
class Claim:
    """What a genuine, unexpired token sent from its own device says; not yet checked
    against the database (``caller``)."""

    user_uuid: str
    device_id: str


def check_token(secret: bytes, token: str, device_id: str | None, *, now: float) -> Claim:
    """The token's claim, without the database: a request with a forged or expired token
    is refused before its body is read or it waits for a database connection."""
    user_uuid, device = read_token(secret, token, now=now)
    if device_id is None or device_id.strip().lower() != device:
        raise AuthRefused("unauthenticated")  # a token is only good on its own device
    return Claim(user_uuid, device)


def authenticate(server: ServerDb, token: str, device_id: str | None, *,
                 now: float | None = None) -> Caller:
    """The caller of a request, checked against the database each time."""
    now = time.time() if now is None else now
    return caller(server, check_token(server.secret, token, device_id, now=now))


def caller(server: ServerDb, claim: Claim) -> Caller:
    """The claim's user, if still active, on the device, if not revoked."""
    user_uuid, device = claim.user_uuid, claim.device_id
    with server.read() as session:
        user = session.scalars(select(User).where(User.uuid == user_uuid)).first()
        if user is None or not user.active or user.deleted_at is not None:
            raise AuthRefused("user_disabled")
        row = session.get(ServerDevice, device)
        if row is None or row.revoked_at is not None:
            raise AuthRefused("device_revoked")
        return Caller(user.id, user.uuid, Role(user.role), device, user.username,
                      bool(user.ssp_access))
