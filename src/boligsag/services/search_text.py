"""What a search box hands to SQL: whatever was typed or pasted, made into plain text.

People search and the household picker both pass their input through
:func:`clean_search_text` first, so a pasted NUL, a lone surrogate (from a broken
clipboard or a Windows file name) or a 10,000-character paste is searched as text
instead of failing in SQLite ("unterminated string", UnicodeEncodeError, "Expression
tree is too large").
"""

from __future__ import annotations

import unicodedata

# Longer than any name, address, e-mail or phone number anyone types to find someone;
# short enough that the SQL built from the words (one condition per word) stays small.
MAX_SEARCH_LENGTH = 100
_MAX_EXAMINED = 40 * MAX_SEARCH_LENGTH

# Control characters (Cc: NUL, escape, tab...) and surrogates (Cs) are never part of a
# name; format characters (Cf, e.g. a right-to-left override) only hide what is typed.
_DROPPED = frozenset({"Cc", "Cf"})


def clean_search_text(text: str) -> str:
    """``text`` without control and format characters, with any lone surrogate replaced
    by U+FFFD, whitespace runs made one space, and cut to :data:`MAX_SEARCH_LENGTH`."""
    text = text[:_MAX_EXAMINED]  # bound the work on a pasted megabyte
    # A well-formed surrogate pair (as Qt on Windows may hand over) becomes the
    # character it stands for; a lone half cannot be encoded and becomes U+FFFD.
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    kept = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in _DROPPED
    )
    return " ".join(kept.split())[:MAX_SEARCH_LENGTH].strip()
