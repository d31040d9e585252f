"""The team server's certificate, pinned by its SHA-256 fingerprint.

The server's certificate is self-signed (``boligsag server init``) or the organisation's
own, so no certificate authority and no host name vouch for it: the laptop trusts
exactly the certificate whose fingerprint the administrator typed in, and nothing else.

How: ``PinnedContext`` is an ``ssl.SSLContext`` that skips the CA and host-name checks
and instead, in ``wrap_socket``, compares the fingerprint of the certificate the server
presented with the pinned one as soon as the TLS handshake has finished (httpcore opens
every connection through ``wrap_socket``, which completes the handshake before it
returns). A mismatch closes the socket there, so not one byte of a request, let alone a
password, has been written to it. Matching the certificate is enough: the handshake
itself has proved that the server holds its private key (OpenSSL checks the handshake's
signature whatever the verify mode). This is urllib3's ``assert_fingerprint`` done for
httpx, which has no such option (encode/httpx#761). Checking ``response.extensions``
after a request would be too late: the request (a login's password) would be sent.
``wrap_bio`` (TLS inside TLS, only through an HTTPS proxy) hands back an object before
its handshake, where nothing could be checked in time, so it is refused; the client
uses no proxy (transport.py).
"""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
from typing import Any

from .errors import InvalidFingerprint

_HEX64 = re.compile(r"[0-9A-F]{64}")


def normalise_fingerprint(text: str) -> str:
    """``AB:CD:…`` (32 pairs, upper case) from 64 hex digits with or without colons
    (spaces are ignored too: a fingerprint copied over two lines); InvalidFingerprint
    otherwise."""
    digits = re.sub(r"[\s:]", "", text).upper()
    if not _HEX64.fullmatch(digits):
        raise InvalidFingerprint()
    return ":".join(digits[i:i + 2] for i in range(0, 64, 2))


def fingerprint_of_der(der: bytes) -> str:
    """SHA-256 of a DER certificate, as server/tls.py ``fingerprint_of_der`` writes it."""
    return ":".join(f"{byte:02X}" for byte in hashlib.sha256(der).digest())


class PinRefused(ssl.SSLCertVerificationError):
    """The server showed another certificate. An OSError, as every failed TLS check is,
    so httpcore reports it as a ConnectError; transport.py finds it as the cause."""

    def __init__(self, expected: str, seen: str) -> None:
        super().__init__("the server's certificate is not the pinned one")
        self.expected = expected
        self.seen = seen


class PinnedContext(ssl.SSLContext):
    """A client context that accepts the one certificate whose fingerprint it pins."""

    pinned: str

    def __new__(cls, fingerprint: str) -> PinnedContext:
        context = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)
        context.pinned = normalise_fingerprint(fingerprint)
        return context

    def __init__(self, fingerprint: str) -> None:
        # ssl.SSLContext is made in __new__ and has no __init__ of its own. The pin
        # replaces the CA and host-name checks (see the module docstring).
        self.check_hostname = False
        self.verify_mode = ssl.CERT_NONE
        self.minimum_version = ssl.TLSVersion.TLSv1_2

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        wrapped = super().wrap_socket(sock, *args, **kwargs)
        if not wrapped.do_handshake_on_connect:
            wrapped.do_handshake()
        der = wrapped.getpeercert(binary_form=True)
        seen = fingerprint_of_der(der) if der else "(none)"
        if seen != self.pinned:
            wrapped.close()
            raise PinRefused(self.pinned, seen)
        return wrapped

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        raise ssl.SSLError("a pinned connection cannot run through a TLS proxy")
