"""The layer order of DESIGN.md §4, checked on every import of every module.

Every import counts: ``import x``, ``from x import y`` (``y`` resolved to a submodule
when it is one), relative imports resolved to absolute names, imports inside functions
and under ``TYPE_CHECKING``. The checker reads the sources with ``ast`` only, so it is
fast and sees imports that are never executed in a test run. Below it, tests plant an
upward import, a relative upward import and a package cycle, and show the checker
reports each: a rule that cannot fail proves nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Container, Iterator, Mapping
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
ROOT = "boligsag"

# DESIGN.md §4 "Architecture": each layer imports only the layers below it. A module
# belongs to the longest prefix listed here; it may import its own component and any
# component of a LOWER rank, nothing at its own rank (siblings stay independent) and
# nothing above.
RANKS: dict[str, int] = {
    # 0: base modules every layer may use (package metadata, translation, formatting of
    # dates and numbers, resource files, the one user-facing error type, atomic file
    # writes, the settings file).
    "boligsag": 0,  # boligsag/__init__.py: the version
    "boligsag.i18n": 0,
    "boligsag.formatting": 0,
    "boligsag.resources": 0,
    "boligsag.errors": 0,
    "boligsag.atomic": 0,  # atomic file replacement: a file-system helper, no database
    "boligsag.app_settings": 0,  # the desktop's preferences file; Qt-free
    "boligsag.collation": 0,  # Danish name order (ICU): SQL collation, lists and exports
    # 1: plain rules, no database.
    "boligsag.domain": 1,
    # 2: the database; the letter and report PDFs; the summary value types (no DB, no
    # Qt), which both the exports and the services read.
    "boligsag.storage": 2,
    "boligsag.documents": 2,
    "boligsag.summaries": 2,
    # 3: CSV / XLSX / PDF exports of published summaries.
    "boligsag.exports": 3,
    # 4: use cases, one function per user action.
    "boligsag.services": 4,
    # 5: front-ends.
    "boligsag.ui": 5,
    "boligsag.commands": 5,
    "boligsag.cli": 5,
    "boligsag.cli_commands": 5,
    "boligsag.__main__": 5,
    "boligsag.server": 5,  # the team server's HTTP front-end (issue 11)
}

# Base modules are one layer and build on each other (i18n reads resources, formatting
# uses i18n); the cycle test below keeps them from importing each other round a loop.
BASE = frozenset(name for name, rank in RANKS.items() if rank == 0)

# Front-ends see the core only through the services, the domain's value types and rules,
# the summary value types and the base modules: not storage, exports or documents.
FRONT_ENDS = frozenset(name for name, rank in RANKS.items() if rank == 5)
FRONT_END_MAY_IMPORT = BASE | {"boligsag.services", "boligsag.domain", "boligsag.summaries"}

# The only imports between components of the same rank, each with its reason.
SAME_RANK_ALLOWED: dict[tuple[str, str], str] = {
    ("boligsag.__main__", "boligsag.ui"): "`boligsag` without a subcommand starts the GUI",
    ("boligsag.__main__", "boligsag.cli"): "`boligsag COMMAND` hands over to the CLI",
    ("boligsag.__main__", "boligsag.cli_commands"): "the command table decides GUI or CLI",
    ("boligsag.cli", "boligsag.cli_commands"): "the CLI builds its parser from the table",
    ("boligsag.cli", "boligsag.commands"): "the CLI runs the subcommands",
    ("boligsag.commands", "boligsag.server"): "`boligsag server` sets up and runs the server",
    # Base modules build on each other without a cycle (checked below).
    **{(low, high): "base modules" for low in BASE for high in BASE},
}

QT = ("PySide6", "shiboken6")
QT_ALLOWED = frozenset({"boligsag.ui"})
SQL = ("sqlalchemy",)
NO_SQL = BASE | {"boligsag.domain", "boligsag.summaries"}

# Publishing (hiding small counts) happens in the services; a front-end that called it
# could show figures the service did not decide on.
FORBIDDEN_NAMES: dict[str, frozenset[str]] = {
    "boligsag.summaries.published.publish": FRONT_ENDS,
}


def read_tree(src: Path = SRC) -> dict[str, tuple[str, bool]]:
    """Module name -> (source, is a package ``__init__``) for every module under src."""
    modules: dict[str, tuple[str, bool]] = {}
    for path in sorted((src / ROOT).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts.pop()
        modules[".".join(parts)] = (path.read_text(encoding="utf-8"), package)
    return modules


def _absolute(module: str, package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included (in functions, classes, if TYPE_CHECKING,
    try, with, match): an import is a statement, so expressions need no visit."""
    for statement in body:
        yield statement
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(statement, field, ()):
                if isinstance(child, ast.stmt):
                    yield from _statements([child])
                else:  # an except handler or a match case: its body holds statements
                    yield from _statements(child.body)


@cache
def _raw_imports(module: str, source: str, package: bool) -> tuple[tuple[str, str, int], ...]:
    """(module, imported name or "", line) of every import statement; parsed once per
    source, since parsing is most of the checker's time."""
    found: list[tuple[str, str, int]] = []
    for node in _statements(ast.parse(source).body):
        if isinstance(node, ast.Import):
            found += [(alias.name, "", node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, package, node)
            found += [(target, alias.name, node.lineno) for alias in node.names]
    return tuple(found)


def imports_of(module: str, source: str, package: bool,
               modules: Container[str]) -> list[tuple[str, str]]:
    """(imported module or name, line) of every import in ``source``, whatever its
    place: top level, in a function, under TYPE_CHECKING. ``from pkg import mod`` names
    the submodule ``pkg.mod``; ``from mod import name`` names ``mod.name`` when ``mod``
    is a known module (so rules on single names can see it)."""
    found: list[tuple[str, str]] = []
    for target, name, line in _raw_imports(module, source, package):
        full = f"{target}.{name}" if name else target
        if name and full not in modules and target not in modules:
            full = target  # a name from a third-party module: the module is enough
        found.append((full, f"line {line}"))
    return found


def component(name: str) -> str | None:
    """The longest RANKS prefix of a boligsag module name."""
    if name == ROOT:
        return ROOT
    parts = name.split(".")
    # From 2: "boligsag" itself names only boligsag/__init__.py, not a whole subtree.
    for end in range(len(parts), 1, -1):
        prefix = ".".join(parts[:end])
        if prefix in RANKS:
            return prefix
    return None


def _module_of(name: str, modules: Mapping[str, object]) -> str:
    """The module an imported name lives in (``pkg.mod.Name`` -> ``pkg.mod``)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def layer_violations(modules: Mapping[str, tuple[str, bool]]) -> list[str]:
    problems: list[str] = []
    for module, (source, package) in modules.items():
        if module.split(".")[0] != ROOT:
            continue
        own = component(module)
        if own is None:
            problems.append(f"{module}: not in RANKS; give it a layer")
            continue
        for name, where in imports_of(module, source, package, modules):
            if name.startswith(QT) and own not in QT_ALLOWED:
                problems.append(f"{module} ({where}) imports Qt: {name}")
            if name.startswith(SQL) and own in NO_SQL:
                problems.append(f"{module} ({where}) imports SQLAlchemy: {name}")
            if component(name) is None or name.split(".")[0] != ROOT:
                continue
            if own in FORBIDDEN_NAMES.get(name, ()):
                problems.append(f"{module} ({where}) imports {name}")
            other = component(name)
            assert other is not None
            if other == own:
                continue
            if (own, other) in SAME_RANK_ALLOWED:
                continue
            if own in FRONT_ENDS and other not in FRONT_END_MAY_IMPORT:
                problems.append(f"{module} ({where}) is a front-end and imports {name}")
            elif RANKS[other] >= RANKS[own]:
                problems.append(f"{module} ({where}) imports {name}: rank {RANKS[other]} "
                                f"({other}) is not below rank {RANKS[own]} ({own})")
    return problems


def _node(module: str, package: bool) -> str:
    """The package a module belongs to in the cycle graph: its directory package; a
    top-level module (boligsag.cli, boligsag.i18n) is a node of its own."""
    if package or module.count(".") == 1:
        return module
    return module.rsplit(".", 1)[0]


def package_cycles(modules: Mapping[str, tuple[str, bool]]) -> dict[frozenset[str], str]:
    """Strongly connected components of the package graph (two or more packages that
    import each other, directly or round a loop), each with the imports that make its
    edges."""
    edges: dict[str, dict[str, list[str]]] = {}
    for module, (source, package) in modules.items():
        here = _node(module, package)
        for name, where in imports_of(module, source, package, modules):
            target = _module_of(name, modules)
            if target not in modules:
                continue
            there = _node(target, modules[target][1])
            if there == here:
                continue
            why = f"{module} ({where}) -> {target}"
            reasons = edges.setdefault(here, {}).setdefault(there, [])
            if why not in reasons:
                reasons.append(why)
    return {
        frozenset(scc): "cycle " + " <-> ".join(sorted(scc)) + ":\n    " + "\n    ".join(
            why for a in sorted(scc) for b in sorted(edges.get(a, {}))
            if b in scc for why in edges[a][b])
        for scc in _strongly_connected(edges) if len(scc) > 1
    }


def _strongly_connected(edges: Mapping[str, Mapping[str, object]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph is small, recursion would do too)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    nodes = set(edges) | {b for targets in edges.values() for b in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, {}))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                scc = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    scc.add(member)
                    if member == node:
                        break
                found.append(scc)
    return found


# -- the rules on the real tree ---------------------------------------------------------


def test_every_import_follows_the_layer_order() -> None:
    problems = layer_violations(read_tree())
    assert problems == [], "\n".join(problems)


def test_no_import_cycle_between_packages() -> None:
    cycles = package_cycles(read_tree())
    assert cycles == {}, "\n".join(cycles.values())


# -- the checker catches what it should ----------------------------------------------------


def _planted(module: str, source: str, package: bool = False) -> dict[str, tuple[str, bool]]:
    modules = read_tree()
    modules[module] = (source, package)
    return modules


def _about(problems: list[str], *modules: str) -> list[str]:
    """The problems found in the planted modules only (the real tree may have pending
    ones)."""
    return sorted(p for p in problems if p.startswith(tuple(f"{m} " for m in modules))
                  or p.startswith(tuple(f"{m}:" for m in modules)))


def test_a_planted_upward_import_is_reported() -> None:
    problems = layer_violations(_planted(
        "boligsag.domain.planted", "def f():\n    from boligsag.ui.shell import app\n"))
    assert _about(problems, "boligsag.domain.planted") == [
        "boligsag.domain.planted (line 2) imports boligsag.ui.shell.app: rank 5 (boligsag.ui) "
        "is not below rank 1 (boligsag.domain)"]


def test_a_planted_relative_upward_import_is_reported() -> None:
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
              "    from ..services import context\n")
    problems = layer_violations(_planted("boligsag.storage.planted", source))
    assert _about(problems, "boligsag.storage.planted") == [
        "boligsag.storage.planted (line 3) imports boligsag.services.context: rank 4 "
        "(boligsag.services) is not below rank 2 (boligsag.storage)"]


def test_planted_sibling_front_end_qt_and_sql_imports_are_reported() -> None:
    planted = {
        "boligsag.storage.planted": "from boligsag.documents import fonts\n",
        "boligsag.commands.planted": "import PySide6.QtCore\nfrom boligsag.ui.shell import app\n",
        "boligsag.ui.planted": "from boligsag.storage import keys\n"
                               "from boligsag.summaries.published import publish\n",
        "boligsag.summaries.planted": "from sqlalchemy import select\n",
    }
    modules = read_tree()
    modules.update({name: (source, False) for name, source in planted.items()})
    assert _about(layer_violations(modules), *planted) == [
        "boligsag.commands.planted (line 1) imports Qt: PySide6.QtCore",
        "boligsag.commands.planted (line 2) is a front-end and imports boligsag.ui.shell.app",
        "boligsag.storage.planted (line 1) imports boligsag.documents.fonts: rank 2 "
        "(boligsag.documents) is not below rank 2 (boligsag.storage)",
        "boligsag.summaries.planted (line 1) imports SQLAlchemy: sqlalchemy",
        "boligsag.ui.planted (line 1) is a front-end and imports boligsag.storage.keys",
        "boligsag.ui.planted (line 2) imports boligsag.summaries.published.publish",
    ]


def test_a_planted_two_package_cycle_is_reported() -> None:
    modules = read_tree()
    modules["boligsag.domain.left"] = ("", True)
    modules["boligsag.domain.left.a"] = ("from ..right import b\n", False)
    modules["boligsag.domain.right"] = ("", True)
    modules["boligsag.domain.right.b"] = ("def f():\n    import boligsag.domain.left.a\n",
                                          False)
    cycles = package_cycles(modules)
    assert cycles[frozenset({"boligsag.domain.left", "boligsag.domain.right"})] == (
        "cycle boligsag.domain.left <-> boligsag.domain.right:\n"
        "    boligsag.domain.left.a (line 1) -> boligsag.domain.right.b\n"
        "    boligsag.domain.right.b (line 2) -> boligsag.domain.left.a")


def test_a_module_outside_every_layer_is_reported() -> None:
    problems = layer_violations(_planted("boligsag.newthing", "import os\n"))
    assert _about(problems, "boligsag.newthing") == [
        "boligsag.newthing: not in RANKS; give it a layer"]
