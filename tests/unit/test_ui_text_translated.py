"""Text a window shows goes through ``tr``: a string literal handed straight to a Qt
text setter would stay in one language whichever the user chose. The runtime check of
every page in English is tests/gui/test_english_complete.py; this one also covers the
dialogs and messages that test does not open."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "src" / "boligsag" / "ui"

# Qt calls whose first argument is text a user reads.
TEXT_CALLS = frozenset({
    "setText", "setWindowTitle", "setToolTip", "setPlaceholderText", "setStatusTip",
    "setWhatsThis", "setTitle", "addAction", "addMenu", "setAccessibleName",
    "setAccessibleDescription", "setLabelText", "addTab", "setTabText", "QLabel",
    "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu", "addItem",
    "setSpecialValueText", "setSuffix", "setPrefix", "information", "warning", "critical",
    "question", "setInformativeText", "setDetailedText", "setButtonText", "showMessage",
    "addRow", "setNameFilter", "getSaveFileName", "getOpenFileName"})
WORDS = re.compile(r"[A-Za-zÆØÅæøå]{2}")
# Literals that are the same in every language, each with its reason.
LANGUAGE_FREE = {
    "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX": "the recovery key's shape",
    "https://boligsag.example.dk:8443": "the shape of a team server's address",
    "Boligsag": "the program's name",
}
LOGGERS = frozenset({"log", "logger", "logging"})


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _is_logging(call: ast.Call) -> bool:
    target = call.func.value if isinstance(call.func, ast.Attribute) else None
    return isinstance(target, ast.Name) and target.id in LOGGERS


def untranslated(source: str) -> list[tuple[int, str]]:
    """(line, literal) of each language-bound literal given to a Qt text call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _call_name(node) in TEXT_CALLS and node.args):
            continue
        if _is_logging(node):
            continue
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if WORDS.search(first.value) and first.value not in LANGUAGE_FREE:
                found.append((node.lineno, first.value))
        elif isinstance(first, ast.JoinedStr):
            words = "".join(part.value for part in first.values
                            if isinstance(part, ast.Constant) and isinstance(part.value, str))
            if WORDS.search(words):
                found.append((node.lineno, ast.unparse(first)))
    return found


def test_no_ui_text_bypasses_the_translation() -> None:
    problems = [f"{path.relative_to(UI)}:{line}: {text!r}"
                for path in sorted(UI.rglob("*.py"))
                for line, text in untranslated(path.read_text(encoding="utf-8"))]
    assert problems == []


def test_the_check_finds_a_literal_label_and_passes_a_translated_one() -> None:
    planted = ("label = QLabel('Gemt')\nbutton.setToolTip(f'Slet {name}')\n"
               "ok = QLabel(tr('Saved'))\nlog.warning('could not load %s', x)\n")
    assert untranslated(planted) == [(1, "Gemt"), (2, "f'Slet {name}'")]
