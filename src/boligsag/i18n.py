"""One translation mechanism for the Qt UI, the PDF letters and the reports.

Source strings are English and are the message ids; catalogues in
``resources/i18n/<lang>/*.json`` (one file per part of the program, merged on load)
map them to translations. Danish is the default
language. Placeholders are named (``{name}``) and filled by :func:`tr`, never by
f-strings inside the call, so a test can check that each translation uses exactly
the fields of its source string (a broken catalogue cannot crash a letter).

Usage::

    from boligsag.i18n import tr
    tr("Saved {count} contacts", count=3)
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable
from functools import cache

from boligsag.resources import resource_path

LANGUAGES: dict[str, str] = {"da": "Dansk", "en": "English"}
DEFAULT_LANGUAGE = "da"

_current = DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> dict[str, str]:
    if language == "en":
        return {}
    data: dict[str, str] = {}
    for path in sorted(resource_path("i18n", language).glob("*.json")):
        with path.open(encoding="utf-8") as handle:
            data.update(json.load(handle))
    return data


def set_language(language: str) -> None:
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    _current = language


def current_language() -> str:
    return _current


def tr(source: str, /, **fields: object) -> str:
    """Translate ``source`` into the current language and fill its named fields."""
    text = catalogue(_current).get(source, source)
    return text.format(**fields) if fields else text


def tr_in(language: str, source: str, /, **fields: object) -> str:
    """Translate into a given language, e.g. a letter printed in Danish from an
    English UI."""
    text = catalogue(language).get(source, source)
    return text.format(**fields) if fields else text


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check_catalogue(language: str, sources: Iterable[str]) -> list[str]:
    """Problems in a catalogue: missing translations and placeholder mismatches."""
    problems = []
    entries = catalogue(language)
    for source in sources:
        if source not in entries:
            problems.append(f"{language}: missing translation of {source!r}")
        elif placeholders(entries[source]) != placeholders(source):
            problems.append(f"{language}: placeholders differ in {source!r}")
    return problems
