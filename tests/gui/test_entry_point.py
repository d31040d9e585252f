"""``boligsag`` / ``python -m boligsag``: GUI options or a CLI subcommand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from boligsag import __main__ as entry


def test_gui_options_reach_the_application(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr("boligsag.ui.shell.app.run", lambda **kw: calls.append(kw) or 7)
    assert entry.main(["--db", "x.db", "--lang", "en"]) == 7
    assert entry.main(["--demo"]) == 7
    assert entry.main([]) == 7
    assert calls == [
        {"db_path": Path("x.db"), "demo": False, "language": "en"},
        {"db_path": None, "demo": True, "language": None},
        {"db_path": None, "demo": False, "language": None},
    ]


def test_db_and_demo_cannot_be_combined() -> None:
    with pytest.raises(SystemExit) as exit_:
        entry.main(["--demo", "--db", "x.db"])
    assert exit_.value.code == 2


def test_subcommands_go_to_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setattr("boligsag.cli.main", lambda argv: seen.append(list(argv)) or 3)
    assert entry.main(["check", "some.db"]) == 3
    assert seen == [["check", "some.db"]]


def test_the_cli_path_never_imports_qt() -> None:
    code = ("import sys; from boligsag.__main__ import main; "
            "rc = main(['check', '--help']); "
            "assert not [m for m in sys.modules if m.startswith('PySide6')]")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
