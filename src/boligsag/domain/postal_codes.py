"""The town (by) that goes with a Danish postal code, from the bundled list
``resources/reference/postal_codes.json`` (source and licence in its header and in
``resources/reference/README.md``).

The list is read once, on first use, so an app that never looks up a code never reads it.
An unknown code is not an error: PO-box codes and foreign addresses are real, they are
just not in the list, so callers only say they don't know the code.
"""

from __future__ import annotations

from functools import cache

from boligsag.resources import load_json


@cache
def _towns() -> dict[str, str]:
    towns: dict[str, str] = load_json("reference", "postal_codes.json")["postal_codes"]
    return towns


def town_for(postal_code: str) -> str | None:
    """The town for a four-digit code ("8000" → "Aarhus C"), or None if it is unknown."""
    return _towns().get(postal_code.strip())
