"""The printed recovery key as text: 160 random bits in Crockford base32, in groups of
four (``K7M2-9QXD-...``), and the forgiving reading of what someone types back.

``keys.KeyStore`` makes the random bits and wraps the database key under them; this
module only turns them into text and back.
"""

from __future__ import annotations

# Crockford base32: no I, L, O, U, so a printed key cannot be misread.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_BITS = 160
_RECOVERY_CHARS = RECOVERY_BITS // 5  # 32 characters = 8 groups of 4


def format_recovery_key(raw: bytes) -> str:
    """160 bits -> ``K7M2-9QXD-...``: 8 groups of 4 Crockford base32 characters."""
    if len(raw) * 8 != RECOVERY_BITS:
        raise ValueError("a recovery key is 20 bytes")
    n = int.from_bytes(raw, "big")
    chars = [_CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(_RECOVERY_CHARS))]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, _RECOVERY_CHARS, 4))


def normalize_recovery_key(text: str) -> str:
    """Canonical 32-character form; forgives case, spaces, dashes and O/0, I/L/1 mix-ups."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " \t\r\n-–—_.")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != _RECOVERY_CHARS:
        raise ValueError(f"it must have {_RECOVERY_CHARS} letters and digits, "
                         f"not {len(cleaned)}")
    bad = sorted({ch for ch in cleaned if ch not in _CROCKFORD})
    if bad:
        raise ValueError(f"it contains characters that are never used: {' '.join(bad)}")
    return cleaned
