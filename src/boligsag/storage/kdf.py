"""Argon2id parameters and the PHC password-hash string, on the `cryptography` package.

``keys.py`` decides which parameters new hashes and key wraps use (``keys.KDF_PARAMS``);
this module only knows how to run and encode them.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from boligsag.errors import UserError

_SALT_BYTES = 16
# One derivation at a time in a process. OpenSSL (3.2 and newer, through `cryptography`)
# spreads an Argon2id run's lanes over a thread pool sized to the processors; two runs
# with more than one lane at once, from two threads, were seen to hang for good or to
# fail with a MemoryError at 1 MiB (cryptography 50.0.2, OpenSSL 4.0.3, 2 cores). One
# run already keeps the processors mostly busy (on 2 cores: 0.20 s of CPU in 0.14 s),
# so taking turns costs little. The team server checks logins in several worker
# threads at once.
_DERIVING = threading.Lock()


class KdfOutOfMemory(UserError):
    def __init__(self, mebibytes: int) -> None:
        super().__init__("There is not enough free memory on this computer to check the "
                         "password. Close other programs and try again.")
        self.detail = f"(Argon2id needs {mebibytes} MiB)"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost. Stored with every wrapped key and hash so the defaults can be raised."""

    memory_cost: int = 65536  # KiB = 64 MiB
    iterations: int = 3
    lanes: int = 4

    def derive(self, secret: bytes, salt: bytes, length: int = 32) -> bytes:
        kdf = Argon2id(salt=salt, length=length, iterations=self.iterations,
                       lanes=self.lanes, memory_cost=self.memory_cost)
        try:
            with _DERIVING:
                return kdf.derive(secret)
        except MemoryError:
            raise KdfOutOfMemory(self.memory_cost // 1024) from None

    def weaker_than(self, other: KdfParams) -> bool:
        return (self.memory_cost < other.memory_cost or self.iterations < other.iterations
                or self.lanes < other.lanes)

    def check_bounds(self) -> None:
        """Refuse a cost above ``MAX_KDF_PARAMS`` (the most this app ever writes) or below
        Argon2's minimums. A damaged or planted key file or password hash could otherwise
        make every unlock take minutes or exhaust memory (4 GiB was accepted before)."""
        top = MAX_KDF_PARAMS
        if not (1 <= self.lanes <= top.lanes and 1 <= self.iterations <= top.iterations
                and 8 * self.lanes <= self.memory_cost <= top.memory_cost):
            raise ValueError("key derivation parameters out of range")

    def to_json(self) -> dict[str, Any]:
        return {"algorithm": "argon2id", "version": 19, "memory_cost": self.memory_cost,
                "iterations": self.iterations, "lanes": self.lanes}

    @classmethod
    def from_json(cls, doc: Any) -> KdfParams:
        if not isinstance(doc, dict) or doc.get("algorithm") != "argon2id":
            raise ValueError("unknown key derivation algorithm")
        values = [doc.get(name) for name in ("memory_cost", "iterations", "lanes")]
        if any(type(v) is not int for v in values):  # bool is not accepted
            raise ValueError("key derivation parameters are not integers")
        params = cls(*values)
        params.check_bounds()
        return params


# The highest cost accepted from a file: today's defaults, which is the most this app has
# ever written. Raising the defaults means raising this one constant too (tests check that
# the defaults stay within it).
MAX_KDF_PARAMS = KdfParams(memory_cost=65536, iterations=3, lanes=4)


def password_bytes(password: str) -> bytes:
    """NFC first: "ø" typed as one code point or as o + combining stroke is one password."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _b64_nopad(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64_nopad(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def phc_hash(password: str, params: KdfParams) -> str:
    """``$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`` (unpadded base64, as in PHC)."""
    salt = os.urandom(_SALT_BYTES)
    digest = params.derive(password_bytes(password), salt)
    return (f"$argon2id$v=19$m={params.memory_cost},t={params.iterations},p={params.lanes}"
            f"${_b64_nopad(salt)}${_b64_nopad(digest)}")


def phc_parse(stored: str) -> tuple[KdfParams, bytes, bytes]:
    """``(params, salt, hash)``; ValueError for anything malformed."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] or parts[1] != "argon2id" or parts[2] != "v=19":
        raise ValueError("not an argon2id PHC string")
    try:
        fields = dict(item.split("=", 1) for item in parts[3].split(","))
        params = KdfParams(int(fields["m"]), int(fields["t"]), int(fields["p"]))
        salt, digest = _unb64_nopad(parts[4]), _unb64_nopad(parts[5])
    except (KeyError, binascii.Error):
        raise ValueError("malformed PHC string") from None
    params.check_bounds()
    if not (8 <= len(salt) <= 64 and 16 <= len(digest) <= 64):
        raise ValueError("bad salt or hash length")
    return params, salt, digest


def phc_verify(password: str, stored: str) -> bool:
    """Constant-time comparison; a malformed stored hash verifies nothing."""
    try:
        params, salt, expected = phc_parse(stored)
    except ValueError:
        return False
    actual = params.derive(password_bytes(password), salt, len(expected))
    return hmac.compare_digest(actual, expected)
