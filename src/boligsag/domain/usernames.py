"""One way to compare usernames, used by the key file and by the users table checks.

"Åse" and "åse", "Mette" and full-width "Ｍｅｔｔｅ", or "ø" typed as o + combining stroke
are one account: NFKC folds compatibility forms (full-width letters, ligatures), casefold
folds case (ß -> ss), and NFKC again because casefolding can leave a string unnormalised.
"""

from __future__ import annotations

import unicodedata


def fold_username(username: str) -> str:
    """The comparison key of a username; the stored username keeps how it was typed."""
    folded = unicodedata.normalize("NFKC", username).strip().casefold()
    return unicodedata.normalize("NFKC", folded)


def same_username(a: str, b: str) -> bool:
    return fold_username(a) == fold_username(b)
