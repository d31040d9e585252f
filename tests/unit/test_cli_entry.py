"""Every CLI command is reachable through ``boligsag`` itself (the console script), not
only through ``boligsag.cli``: ``boligsag user …`` once opened the desktop parser and
failed with "unrecognized arguments" because the entry point kept its own list."""

from __future__ import annotations

import pytest

from boligsag.__main__ import main
from boligsag.cli_commands import COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_entry_point_hands_each_command_to_the_cli(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"usage: boligsag {name} ")
