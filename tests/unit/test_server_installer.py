"""installer/server/ (the team server's installation on Debian 12) stays in step with
the code: the systemd units start commands the CLI accepts, as the user install.sh
creates, and the smoke test needs nothing but httpx and the standard library."""

from __future__ import annotations

import ast
import re
import shlex
import sys
from pathlib import Path

import pytest

from boligsag.cli import build_parser

INSTALLER = Path(__file__).resolve().parents[2] / "installer" / "server"
SERVICES = ["boligsag-server.service", "boligsag-server@.service"]


def unit_settings(name: str) -> dict[str, str]:
    """``Key=value`` lines of a unit file, continuation lines joined."""
    text = (INSTALLER / name).read_text(encoding="utf-8").replace("\\\n", " ")
    settings: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), value.strip())
    return settings


def install_script_value(name: str) -> str:
    match = re.search(rf'^{name}="([^"]*)"', (INSTALLER / "install.sh").read_text(
        encoding="utf-8"), re.MULTILINE)
    assert match, name
    return match.group(1)


@pytest.mark.parametrize("unit", SERVICES)
def test_the_unit_starts_a_command_the_cli_accepts(unit: str) -> None:
    settings = unit_settings(unit)
    program, *arguments = shlex.split(settings["ExecStart"].replace("%i", "8444"))
    assert program == f"{install_script_value('prefix')}/bin/boligsag"
    args = build_parser().parse_args(arguments)  # SystemExit(2) on an unknown option
    assert (args.command, args.action) == ("server", "run")
    assert str(args.config) == install_script_value("config")
    assert settings["User"] == install_script_value("service_user")


def test_the_smoke_test_imports_only_httpx_and_the_standard_library() -> None:
    tree = ast.parse((INSTALLER / "smoke_test.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    outside = {name for name in imported
               if name not in sys.stdlib_module_names and name != "__future__"}
    assert outside == {"httpx"}
