"""Every user-visible message id in the source has a Danish translation with exactly
the same named placeholders (Electrum's rule: a translation cannot break a format)."""

from __future__ import annotations

import ast
from pathlib import Path

from boligsag.i18n import catalogue, check_catalogue, placeholders, tr, tr_in

SRC = Path(__file__).resolve().parents[2] / "src" / "boligsag"
# Calls whose first argument is a message id.
MESSAGE_CALLS = {"tr", "UserError", "ValidationError", "_msg"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def message_ids() -> dict[str, str]:
    """msgid -> where it was found. The messages of error classes are found by
    tests/unit/test_user_errors.py, which knows where each class takes its ``source``."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(SRC))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                args = node.args
                msgid = None
                if name in MESSAGE_CALLS and args:
                    msgid = _literal(args[0])
                elif name == "tr_in" and len(args) > 1:
                    msgid = _literal(args[1])
                if msgid:
                    found.setdefault(msgid, where)
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
                # (msgid, {params}) pairs, as in ValidationFailed field maps.
                msgid = _literal(node.elts[0])
                second = node.elts[1]
                if msgid and (isinstance(second, ast.Dict) or (
                        isinstance(second, ast.Name | ast.Call) and " " in msgid)):
                    found.setdefault(msgid, where)
    return found


def test_every_message_has_a_danish_translation_with_the_same_placeholders() -> None:
    ids = message_ids()
    problems = [f"{p} (in {ids[s]})" for s in ids for p in check_catalogue("da", [s])]
    assert problems == []


def test_catalogue_entries_are_well_formed() -> None:
    for source, translation in catalogue("da").items():
        assert translation.strip(), f"empty translation of {source!r}"
        assert placeholders(translation) == placeholders(source), source


def test_tr_fills_named_fields_in_both_languages() -> None:
    assert tr_in("en", "The password must be at least {length} characters long.",
                 length=10) == "The password must be at least 10 characters long."
    danish = tr_in("da", "The password must be at least {length} characters long.", length=10)
    assert "10" in danish and danish != tr_in("en", "The password must be at least "
                                              "{length} characters long.", length=10)
    assert tr("Unknown text is shown as written") == "Unknown text is shown as written"
