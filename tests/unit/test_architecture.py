"""The layers of DESIGN.md §4: domain and services never import Qt or the UI."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "boligsag"
FORBIDDEN = ("PySide6", "shiboken6", "boligsag.ui")
CORE_PACKAGES = ("domain", "services", "storage", "documents", "exports", "commands")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_layers_import_no_qt_and_no_ui() -> None:
    offenders = []
    for package in CORE_PACKAGES:
        for path in (SRC / package).rglob("*.py"):
            for name in _imports(path):
                if name.startswith(FORBIDDEN):
                    offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_domain_imports_neither_storage_nor_sqlalchemy() -> None:
    offenders = [
        f"{path.name} imports {name}"
        for path in (SRC / "domain").rglob("*.py")
        for name in _imports(path)
        if name.startswith(("sqlalchemy", "boligsag.storage", "boligsag.services"))
    ]
    assert offenders == []


def test_cli_never_imports_qt() -> None:
    assert not {n for n in _imports(SRC / "cli.py") if n.startswith(FORBIDDEN)}
