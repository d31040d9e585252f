"""One wrapped copy of the database key, and its JSON form in the key file.

The database key is encrypted (AES-GCM) under a key-encryption key that Argon2id derives
from one secret: a user's password or the printed recovery key. ``keys.KeyStore`` holds
one such entry per user (:class:`UserKey`) and one for the recovery key, and reads and
writes the key file; this module is the entry itself and the base64 fields it is
written with.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from boligsag.storage.kdf import KdfParams, password_bytes

DB_KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 12
WRAPPED_BYTES = DB_KEY_BYTES + 16  # AES-GCM appends a 16-byte tag


def b64(data: bytes) -> str:
    """Bytes as the key file writes them: base64 text."""
    return base64.b64encode(data).decode("ascii")


def unb64(value: Any, name: str, length: int | None = None) -> bytes:
    """A base64 field read back; ValueError (naming the field) if it is not one."""
    if not isinstance(value, str):
        raise ValueError(f"field {name!r} is not a string")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"bad base64 in field {name!r}") from None
    if length is not None and len(data) != length:
        raise ValueError(f"field {name!r} has the wrong length")
    return data


def required_str(doc: Any, name: str) -> str:
    """A text field that must be present and not empty."""
    value = doc.get(name) if isinstance(doc, dict) else None
    if not isinstance(value, str) or not value:
        raise ValueError(f"field {name!r} is missing or not a string")
    return value


@dataclass(frozen=True)
class WrappedKey:
    """The database key encrypted under a KEK derived from one secret."""

    kdf: KdfParams
    salt: bytes
    nonce: bytes
    wrapped: bytes

    @classmethod
    def wrap(cls, secret: bytes, db_key: bytes, aad: bytes, params: KdfParams) -> WrappedKey:
        salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
        kek = params.derive(secret, salt)
        return cls(params, salt, nonce, AESGCM(kek).encrypt(nonce, db_key, aad))

    @classmethod
    def decoy(cls, params: KdfParams) -> WrappedKey:
        """Random bytes shaped like an entry of the same cost: unwrapping it takes as long
        as a real one and always fails."""
        return cls(params, os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES),
                   os.urandom(WRAPPED_BYTES))

    def unwrap(self, secret: bytes, aad: bytes) -> bytes:
        """Raises ``InvalidTag`` when the secret (or the aad) is wrong."""
        kek = self.kdf.derive(secret, self.salt)
        return AESGCM(kek).decrypt(self.nonce, self.wrapped, aad)

    def to_json(self) -> dict[str, Any]:
        return {"kdf": self.kdf.to_json(), "salt": b64(self.salt),
                "nonce": b64(self.nonce), "wrapped": b64(self.wrapped)}

    @classmethod
    def from_json(cls, doc: Any) -> WrappedKey:
        if not isinstance(doc, dict):
            raise ValueError("key entry is not an object")
        salt = unb64(doc.get("salt"), "salt")
        if not 8 <= len(salt) <= 64:
            raise ValueError("field 'salt' has the wrong length")
        return cls(KdfParams.from_json(doc.get("kdf")), salt,
                   unb64(doc.get("nonce"), "nonce", NONCE_BYTES),
                   unb64(doc.get("wrapped"), "wrapped", WRAPPED_BYTES))


@dataclass(frozen=True)
class UserKey:
    user_uuid: str
    username: str
    key: WrappedKey
    # A one-time password (set by an administrator) must be replaced at the next log-in.
    # Kept here, beside the wrapped key it describes, rather than in the users table: it
    # changes under the key file's lock in the same write as the key, so a reset and its
    # flag can never be saved apart, and a password change by the user (a new entry)
    # clears it by construction. Written only when true, so older files stay identical.
    must_change: bool = False

    @classmethod
    def wrap(cls, user_uuid: str, username: str, password: str, db_key: bytes,
             params: KdfParams, *, must_change: bool = False) -> UserKey:
        """The user's UUID is the associated data, so the entry cannot be moved to
        another user."""
        if not user_uuid or not username.strip():
            raise ValueError("user UUID and username must not be empty")
        key = WrappedKey.wrap(password_bytes(password), db_key, user_uuid.encode(), params)
        return cls(user_uuid, username, key, must_change)
