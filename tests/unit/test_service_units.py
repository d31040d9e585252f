"""Every service opens its unit of work through ``ctx.read`` or ``ctx.write``
(services/context.py), which fix the order of permission, lock, version check, audit and
commit in one place. This test reads the source of every module above storage/ (the
services, and the front-ends, which call services instead of opening units) and fails
on the old ways: ``ctx.uow(...)``, ``db.unit_of_work(...)`` or a hand-placed
``.commit()``. Only services/context.py, which implements the two entry points, may use
them; storage/ below it builds the sessions they hand out.

It looks at attribute names in the syntax tree, not at types, so it also catches an
alias (``open_unit = ctx.uow``) and a commit on a Connection: the demo's bulk load
commits its stages with ``with conn.begin():`` instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

import boligsag

PACKAGE = Path(boligsag.__file__).parent
# The two entry points themselves (and the ctx.uow shim until it is removed), and the
# storage layer that makes sessions and commits them for them.
ALLOWED = {"services/context.py"}
BELOW = "storage/"
FORBIDDEN = {"uow", "unit_of_work", "commit"}


def offenders(root: Path) -> list[str]:
    """``path:line .name`` for every use of a forbidden attribute under ``root``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in ALLOWED or relative.startswith(BELOW):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{relative}:{node.lineno} .{node.attr}" for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN]
    return found


def test_services_and_front_ends_use_only_the_two_entry_points() -> None:
    assert offenders(PACKAGE) == []


def test_the_check_finds_a_planted_old_style_unit(tmp_path: Path) -> None:
    """The check can fail: a copy of the package with one old-style save planted in a
    service (and an alias, a nested package and a command) is caught at each place."""
    copy = tmp_path / "boligsag"
    for path in PACKAGE.rglob("*.py"):
        target = copy / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (copy / "services" / "planted.py").write_text(
        "def save(ctx, record):\n"
        "    with ctx.uow() as session:\n"
        "        session.add(record)\n"
        "        session.commit()\n"
        "\n"
        "open_unit = ctx.db.unit_of_work\n", encoding="utf-8")
    (copy / "services" / "summaries" / "planted.py").write_text(
        "def forget(session):\n    session.commit()\n", encoding="utf-8")
    (copy / "commands" / "planted.py").write_text(
        "def run(ctx):\n    with ctx.uow() as session:\n        pass\n", encoding="utf-8")
    planted = {"services/planted.py:2 .uow", "services/planted.py:4 .commit",
               "services/planted.py:6 .unit_of_work", "services/summaries/planted.py:2 .commit",
               "commands/planted.py:2 .uow"}
    assert set(offenders(copy)) == set(offenders(PACKAGE)) | planted
