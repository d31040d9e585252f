"""The server's HTTPS certificate: a self-signed ECDSA P-256 one made by ``server init``
(valid for the host names given), or the organisation's own certificate and key.

Laptops pin the certificate by its SHA-256 fingerprint (issue 12), which ``server init``
prints; ``fingerprint`` computes it the same way from the PEM file.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from boligsag.errors import UserError

from .config import write_private

VALID_DAYS = 10 * 365  # a pinned certificate: renewing it means re-pinning every laptop


class CertificateUnusable(UserError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__("The certificate or key {path} cannot be used: {reason}",
                         path=str(path), reason=reason)


def _san(hosts: Sequence[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(h.strip() for h in hosts if h.strip()):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return x509.SubjectAlternativeName(names)


def self_signed(hosts: Sequence[str], organisation: str) -> tuple[bytes, bytes]:
    """``(certificate PEM, private key PEM)`` for ``hosts`` (DNS names or IP addresses)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0][:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                         (organisation.strip() or "Boligsag")[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(_san(hosts), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def own_certificate(cert_path: Path, key_path: Path) -> tuple[bytes, bytes]:
    """The organisation's certificate and unencrypted key, checked to belong together."""
    try:
        cert_pem, key_pem = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as error:
        raise CertificateUnusable(Path(error.filename or cert_path), error.strerror or "") \
            from None
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise CertificateUnusable(cert_path, "not a PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise CertificateUnusable(key_path, "not an unencrypted PEM private key") from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if (cert.public_key().public_bytes(serialization.Encoding.DER, public)
            != key.public_key().public_bytes(serialization.Encoding.DER, public)):
        raise CertificateUnusable(key_path, "the key does not belong to the certificate")
    return cert_pem, key_pem


def write_pair(cert_path: Path, key_path: Path, cert_pem: bytes, key_pem: bytes) -> None:
    cert_path.write_bytes(cert_pem)
    write_private(key_path, key_pem)


def fingerprint_of_pem(cert_pem: bytes) -> str:
    """SHA-256 of the certificate's DER form, as colon-separated upper-case hex."""
    digest = x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def fingerprint_of_der(cert_der: bytes) -> str:
    digest = x509.load_der_x509_certificate(cert_der).fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)
