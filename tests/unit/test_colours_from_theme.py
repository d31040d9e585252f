"""Screens take their colours from the theme's scheme (ui/theme.py), so the high-contrast
look reaches them: a colour written into a widget's code stays light-on-light or
dark-on-black there (the referral history's notes were dark text on black, a restricted
case's badge yellow on cream)."""

from __future__ import annotations

import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "src" / "boligsag" / "ui"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|\b(?:color|background):\s*(?:white|black)\b"
                    r"|QColor\(\"(?:white|black)\"\)")
# Files that may name colours, each with its reason.
ALLOWED = {
    "theme.py": "the schemes themselves",
    "summaries/charts.py": "the charts' palettes, one per look, chosen by scheme()",
    "people/timeline.py": "activities' purple, one per look, chosen by scheme()",
    "icons.py": "the application icon, the same in every look",
    "shell/main_window.py": "the selected navigation icon, white on the sidebar in both",
    "letters/preview.py": "the grey around a letter's white paper pages",
    "recovery_sheet.py": "the printed recovery sheet: ink on paper",
}


def test_no_screen_names_a_colour_of_its_own() -> None:
    found = [f"{path.relative_to(UI)}:{number}: {line.strip()}"
             for path in sorted(UI.rglob("*.py"))
             if str(path.relative_to(UI)) not in ALLOWED
             for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
             if COLOUR.search(line)]
    assert found == []


def test_the_check_finds_a_written_colour() -> None:
    assert COLOUR.search("label.setStyleSheet('background: #fff4e0')")
    assert COLOUR.search('f"QListView {{ background: white; }}"')
    assert not COLOUR.search('f"QListView {{ background: {SURFACE}; }}"')
