"""The keyboard shortcuts the user guide names are the ones the code binds, so the guide
cannot drift from the application.

Every `code span` of the "Genveje" topic (both languages) must be a key the user
interface really binds; in the other topics every code span that reads as a key must be
one too. Keys are read from the source of ``boligsag/ui``: shortcut strings
("Ctrl+Shift+N"), the numbered page keys (f"Ctrl+{number}") and keys handled by hand
(``Qt.Key.Key_Space``). A button's underlined letter (Alt+letter) follows its
translated label, so the guide names those in plain text, not as code.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

import boligsag.ui
from boligsag.i18n import LANGUAGES
from boligsag.resources import resource_path

UI = Path(boligsag.ui.__file__).parent
HELP = resource_path("help")
SHORTCUTS_TOPIC = "genveje"

MODIFIERS = ("Ctrl", "Alt", "Shift", "Meta")
# The names the guide uses (Danish and English) for the names Qt uses.
NAMES = {
    "enter": "Return", "return": "Return", "mellemrum": "Space", "space": "Space",
    "esc": "Esc", "escape": "Esc", "del": "Del", "delete": "Del",
    "←": "Left", "→": "Right", "↑": "Up", "↓": "Down", "left": "Left", "right": "Right",
    "up": "Up", "down": "Down", "pgup": "PgUp", "pgdown": "PgDown", "tab": "Tab",
    "backspace": "Backspace",
}
#: QKeySequence.StandardKey names as they are on Windows and Linux.
STANDARD_KEYS = {"Undo": ("Ctrl+Z",), "Quit": ("Ctrl+Q",), "Find": ("Ctrl+F",),
                 "Copy": ("Ctrl+C",), "Save": ("Ctrl+S",), "Print": ("Ctrl+P",),
                 "HelpContents": ("F1",)}
#: Keys Qt itself gives every window (focus moves to the next field).
QT_OWN = frozenset({"Tab"})
NAMED_KEY = re.compile(r"^(F\d{1,2}|Return|Space|Esc|Del|Left|Right|Up|Down|PgUp|PgDown|Tab|"
                       r"Backspace)$")


def normalise(text: str) -> str | None:
    """``"Ctrl+Enter"`` → ``"Ctrl+Return"``; None when ``text`` is not a key."""
    parts = re.split(r"\+(?=.)", text.strip())  # "Ctrl++" is Ctrl and "+"
    *modifiers, key = parts
    if any(m not in MODIFIERS for m in modifiers) or len(set(modifiers)) != len(modifiers):
        return None
    key = NAMES.get(key.casefold(), key)
    if len(key) == 1:
        key = key.upper()
        if not (key.isalnum() or key in "+-") or (not modifiers and not key.isalpha()):
            return None
    elif not NAMED_KEY.match(key):
        return None
    ordered = [m for m in MODIFIERS if m in modifiers]
    return "+".join([*ordered, key])


@cache
def bound_keys() -> frozenset[str]:
    keys: set[str] = set()
    for path in UI.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        literals = [node.value for node in ast.walk(ast.parse(source))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)]
        for literal in literals:
            key = normalise(literal)
            # A bare letter in quotes is text, not a key; single keys count from Qt.Key.
            if key is not None and ("+" in key[:-1] or NAMED_KEY.match(key)):
                keys.add(key)
        for name in re.findall(r"Qt\.Key\.Key_(\w+)", source):
            key = normalise({"Escape": "Esc", "Enter": "Return", "Delete": "Del",
                             "PageUp": "PgUp", "PageDown": "PgDown"}.get(name, name))
            if key is not None:
                keys.add(key)
        for name in re.findall(r"StandardKey\.(\w+)", source):
            keys.update(STANDARD_KEYS.get(name, ()))
        # Keys handled by hand with a modifier: `key() == Qt.Key.Key_F10 and
        # event.modifiers() == Qt.KeyboardModifier.ShiftModifier`.
        for name, modifier in re.findall(
                r"Key_(\w+)\s+and\s+event\.modifiers\(\)\s*==\s*"
                r"Qt\.KeyboardModifier\.(\w+)Modifier", source):
            key = normalise(f"{'Ctrl' if modifier == 'Control' else modifier}+{name}")
            if key is not None:
                keys.add(key)
        if 'shortcut=f"Ctrl+{number}"' in source:  # the pages, numbered from 1
            keys.update(f"Ctrl+{n}" for n in range(1, 10))
    return frozenset(keys | QT_OWN)


def code_spans(language: str, topic: str) -> list[str]:
    text = (HELP / language / f"{topic}.md").read_text(encoding="utf-8")
    return re.findall(r"`([^`]+)`", text)


def test_the_key_reader_understands_the_guides_names() -> None:
    assert normalise("Ctrl+Enter") == "Ctrl+Return"
    assert normalise("Alt+←") == "Alt+Left"
    assert normalise("Ctrl++") == "Ctrl++"
    assert normalise("Mellemrum") == "Space"
    assert normalise("boligsag.db") is None
    assert {"Ctrl+L", "Ctrl+Shift+L", "F1", "Space", "Ctrl+Return", "Del", "Ctrl+Z",
            "Shift+F10"} <= bound_keys()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_key_in_the_shortcuts_topic_is_bound(language: str) -> None:
    bound = bound_keys()
    spans = code_spans(language, SHORTCUTS_TOPIC)
    assert len(spans) > 30
    for span in spans:
        key = normalise(span)
        assert key is not None, f"{language}/{SHORTCUTS_TOPIC}.md: not a key: `{span}`"
        assert key in bound, f"{language}/{SHORTCUTS_TOPIC}.md names `{span}`, which " \
                             f"nothing in boligsag/ui binds"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_keys_named_in_the_other_topics_are_bound(language: str) -> None:
    bound = bound_keys()
    for path in sorted((HELP / language).glob("*.md")):
        for span in code_spans(language, path.stem):
            key = normalise(span)
            if key is not None:
                assert key in bound, f"{language}/{path.name} names `{span}`, which " \
                                     f"nothing in boligsag/ui binds"
