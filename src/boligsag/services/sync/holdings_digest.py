"""The digest of a set of rows, computed the same way by the team server (of what an
actor may hold, holdings.py) and by a laptop (of what it holds, issue 12): so that the
two compare bucket by bucket without sending every row.

A table's rows, each named by ``(uuid, version)``, fall into 256 buckets by the first
two characters of the uuid (uuids are lower-case hex, as ``uuid.uuid4()`` writes them).
A bucket's digest is its row count and a hash: SHA-256 over the bucket's lines
``"<uuid>:<version>\\n"`` in uuid order (code-point order, as Python sorts strings),
UTF-8, the first 16 bytes in lower-case hex. Empty buckets are left out.

Which rows count is the callers' rule, the same on both sides: live rows only. A
tombstone counts on neither side, so a deletion the laptop applied and one it never
received (the row was never in its scope) both compare equal, and a live row the laptop
holds but the server lists nowhere (deleted there, or now outside the laptop's scope) is
one the laptop drops from its replica.

Pure Python, no database: the laptop calls it on its own rows.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

__all__ = ["BUCKET", "Digest", "bucket_digest", "bucket_of", "digest"]

BUCKET = re.compile(r"[0-9a-f]{2}")  # a bucket's name
HASH_BYTES = 16

# bucket name -> (row count, hash)
Digest = dict[str, tuple[int, str]]


def bucket_of(row_uuid: str) -> str:
    """The bucket a row's uuid falls into."""
    return row_uuid[:2]


def bucket_digest(rows: Iterable[tuple[str, int]]) -> tuple[int, str]:
    """(count, hash) of one bucket's ``(uuid, version)`` rows, in any order."""
    ordered = sorted(rows)
    hasher = hashlib.sha256()
    for row_uuid, version in ordered:
        hasher.update(f"{row_uuid}:{version}\n".encode())
    return len(ordered), hasher.digest()[:HASH_BYTES].hex()


def digest(rows: Iterable[tuple[str, int]]) -> Digest:
    """The digest of one table's ``(uuid, version)`` rows: every non-empty bucket."""
    buckets: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row_uuid, version in rows:
        buckets[bucket_of(row_uuid)].append((row_uuid, version))
    return {name: bucket_digest(found) for name, found in sorted(buckets.items())}
