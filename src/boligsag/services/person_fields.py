"""Pure helpers for people's fields: phone numbers, e-mail, postal codes, and the
text folding that makes "Sukru Yilmaz" find "Şükrü Yılmaz".

No database here, so every rule is unit-tested on its own.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

# Letters that Unicode does not decompose into base letter + accent, so neither
# NFKD nor SQLite FTS5's ``remove_diacritics`` strip them. Search text is folded with
# this table both when it is indexed (by the triggers of migration 0002, which repeat
# it in SQL) and when a query is built, so the two always agree; a test checks that.
SEARCH_FOLDS: tuple[tuple[str, str], ...] = (
    ("ø", "o"), ("Ø", "O"),
    ("æ", "ae"), ("Æ", "AE"),
    ("œ", "oe"), ("Œ", "OE"),
    ("ı", "i"),
    ("ł", "l"), ("Ł", "L"),
    ("đ", "d"), ("Đ", "D"),
    ("ð", "d"), ("Ð", "D"),
    ("þ", "th"), ("Þ", "TH"),
    ("ß", "ss"),
)

_PHONE_SEPARATORS = re.compile(r"[\s.\-/]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_POSTAL_CODE = re.compile(r"^[0-9]{4}$")
# A letterhead or service phone line is printed as typed ("+45 33 12 34 56", "(+45) 7012
# 3456"), so it is only checked for a plausible shape, not normalised like a person's.
_PRINTED_PHONE = re.compile(r"\+?[\d ()-]{8,20}")

FieldProblems = dict[str, tuple[str, dict[str, object]]]


def search_fold(text: str) -> str:
    """Fold the letters FTS5 cannot fold by itself (it handles case and accents)."""
    for source, target in SEARCH_FOLDS:
        text = text.replace(source, target)
    return text


def fold_name(text: str) -> str:
    """A comparison key for names: case, accents and the letters above folded, and
    punctuation ("Al-Sayed", "O'Neill") and extra spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", search_fold(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    # casefold may reintroduce foldable letters (e.g. "ẞ" → "ss" is fine, "Ø" → "ø").
    stripped = search_fold(stripped)
    words = re.sub(r"[^\w\s]|_", " ", stripped).split()
    return " ".join(words)


def names_similar(first_a: str, last_a: str, first_b: str, last_b: str) -> bool:
    """True when two names plausibly belong to the same person.

    Catches what a duplicate registration typically looks like: the same name typed
    with or without accents ("Sukru Yilmaz" / "Şükrü Yılmaz"), first and last name
    swapped, a middle name added or left out, or a small spelling variant
    ("Mohamed" / "Mohammed"). Only used together with an equal birth date, so a
    generous match costs at most an extra warning.
    """
    a = fold_name(f"{first_a} {last_a}")
    b = fold_name(f"{first_b} {last_b}")
    if not a or not b:
        return False
    if a == b:
        return True
    words_a, words_b = a.split(), b.split()
    if sorted(words_a) == sorted(words_b):
        return True
    shorter, longer = sorted((set(words_a), set(words_b)), key=len)
    if len(shorter) >= 2 and shorter <= longer:
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def normalise_phone(text: str) -> str | None:
    """A Danish phone number as "12 34 56 78", or None if ``text`` is not one.

    Accepts 8 digits with an optional +45 / 0045 prefix, with spaces (and the dashes,
    dots and slashes people copy from letterheads) anywhere. Empty input gives "".
    """
    compact = _PHONE_SEPARATORS.sub("", text)
    if not compact:
        return ""
    for prefix in ("+45", "0045"):
        if compact.startswith(prefix) and len(compact) == len(prefix) + 8:
            compact = compact[len(prefix):]
            break
    if len(compact) != 8 or not (compact.isascii() and compact.isdigit()):
        return None
    return " ".join(compact[i:i + 2] for i in range(0, 8, 2))


def is_valid_email(text: str) -> bool:
    """The shape of an address (someone@somewhere.tld); deliverability is not ours to
    judge."""
    return bool(_EMAIL.match(text))


def is_valid_postal_code(text: str) -> bool:
    """Danish postal codes have four digits."""
    return bool(_POSTAL_CODE.match(text))


def clean_text(text: str) -> str:
    """Trim and collapse runs of whitespace (names pasted from letters carry tabs and
    non-breaking spaces)."""
    return " ".join(text.split())


def address_and_phone_problems(*, postal_code: str, city: str, phone: str) -> FieldProblems:
    """The checks every organisation address form shares (letterhead, service
    catalogue), keyed by field name, with one message per field so the forms read alike.
    Empty fields are allowed: not every sender has a phone line or a street address."""
    problems: FieldProblems = {}
    if postal_code and not is_valid_postal_code(postal_code):
        problems["postal_code"] = ("A Danish postal code has four digits.", {})
    if postal_code and not city:
        problems["city"] = ("Enter the city that goes with the postal code.", {})
    if phone and not _PRINTED_PHONE.fullmatch(phone):
        problems["phone"] = ("Enter a phone number of at least 8 digits.", {})
    return problems
