"""An XLSX sheet's name, derived from its table's title so it says what the table is by.

Excel allows 31 characters and none of []:*?/\\, and no two sheets of a workbook may
share a name (whatever the case). A title that fits is the name. A longer one is
shortened only as much as needed, keeping every "by what":

1. the words of ``SHORTER`` are replaced, one rule at a time, until it fits
   ("efter aldersgruppe og køn" → "pr. alder og køn");
2. then "Subject by a and b" becomes "Subject (a, b)", the form of a statistics table
   ("Kontakter pr. md. og indsatsområde" → "Kontakter (md., indsatsområde)").

Only a title these rules cannot shorten enough is cut at 31 characters; a test runs every
table title in both languages through here and refuses that.
"""

from __future__ import annotations

MAX_LENGTH = 31  # Excel's limit
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

# Words with a shorter form a reader still understands, tried in this order.
SHORTER: dict[str, tuple[tuple[str, str], ...]] = {
    "da": ((" efter ", " pr. "), ("aldersgruppe", "alder"), (" fordelt på ", " og "),
           ("Brobygningens resultat", "Brobygningsresultat"), ("måned", "md.")),
    "en": (("age group", "age"), ("Anonymous ", "Anon. ")),
}
# What comes before the first of these is the subject; what follows, the dimensions.
BY = {"da": (" pr. ", " efter ", " fordelt på "), "en": (" by ", " per ")}
AND = {"da": (" og ",), "en": (" and ",)}


def fits(name: str) -> bool:
    return len(name) <= MAX_LENGTH


def shortened(title: str, language: str) -> str:
    """``title`` as a sheet name of at most 31 characters (before uniqueness)."""
    name = " ".join(title.translate(FORBIDDEN).split())
    for long, short in SHORTER.get(language, ()):
        if fits(name):
            return name
        name = name.replace(long, short)
    if not fits(name):
        name = _dimensions_in_brackets(name, language)
    return name if fits(name) else name[:MAX_LENGTH].rstrip()


def _dimensions_in_brackets(name: str, language: str) -> str:
    found = [(name.find(by), by) for by in BY.get(language, ()) if by in name]
    if not found:
        return name
    at, by = min(found)
    subject, dimensions = name[:at], name[at + len(by):]
    for joiner in (*BY.get(language, ()), *AND.get(language, ())):
        dimensions = dimensions.replace(joiner, ", ")
    return f"{subject} ({dimensions})"


def sheet_name(title: str, language: str, used: set[str]) -> str:
    """The name for a sheet of the table ``title``, unique among ``used``."""
    base = shortened(title, language)
    taken = {u.casefold() for u in used}
    name, n = base, 2
    while name.casefold() in taken:
        suffix = f" ({n})"
        name = base[: MAX_LENGTH - len(suffix)].rstrip() + suffix
        n += 1
    return name
