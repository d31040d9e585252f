"""Every CLI command, with no arguments, with ``--help`` and with garbage, prints no
traceback and exits 1 or 2 (0 only for ``--help``) — issue 8, item 3.

The commands come from ``boligsag.cli.COMMANDS``, and each command's required options
from its own parser, so a new command is covered without touching this file.

Speed: a fresh interpreter that imports the CLI costs ~1 s, and there are ~100 cases.
So one subprocess imports the CLI once and forks a child per case; each child closes
stdin, sends stdout/stderr to files and runs the real entry point
(``boligsag.__main__.main``), handling an escaping exception the way the interpreter's
top level does (traceback on stderr). tests/integration/test_cli_errors.py covers what
only a fresh interpreter shows (a closed stdin at startup, a closed pipe at exit).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

from boligsag.cli import COMMANDS, build_parser

from ..conftest import ADMIN_PASSWORD, CreatedDb

pytestmark = pytest.mark.skipif(os.name != "posix", reason="forks a child per case")

_RUNNER = r"""
import json, os, signal, sys, traceback
from boligsag.storage import keys
from boligsag.storage.kdf import KdfParams
keys.KDF_PARAMS = KdfParams(memory_cost=1024, iterations=1, lanes=1)
from boligsag.__main__ import main
import boligsag.cli  # every command module imported once, before the forks
boligsag.cli.build_parser()

cases = json.loads(open(sys.argv[1], encoding="utf-8").read())
results = []
for i, args in enumerate(cases):
    out, err = f"{sys.argv[2]}/{i}.out", f"{sys.argv[2]}/{i}.err"
    pid = os.fork()
    if pid == 0:
        fd0 = os.open(os.devnull, os.O_RDONLY)
        os.dup2(fd0, 0)
        os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT, 0o600), 1)
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT, 0o600), 2)
        os.close(0)  # stdin closed, as in `boligsag ... <&-`
        sys.stdin = None
        signal.alarm(60)  # a hang is a failure too
        try:
            code = main(args)
            sys.stdout.flush()
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code or 0)
    _, status = os.waitpid(pid, 0)
    results.append(os.waitstatus_to_exitcode(status))
print(json.dumps(results))
"""

NON_UTF8 = os.fsdecode(b"\xff\xfe-\xe6\xf8.db")  # a file name that is not UTF-8
LONG = "x" * 100_000


def _is(action: argparse.Action, kind: type) -> bool:
    try:
        return isinstance(action.type("2024-01-01" if kind is date else "1"), kind)  # type: ignore[misc]
    except (TypeError, ValueError, argparse.ArgumentTypeError):
        return False


def _subparsers(parser: argparse.ArgumentParser | None = None,
                prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command, and every action of a command with actions ("user add")."""
    parser = parser or build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found: dict[str, argparse.ArgumentParser] = {}
    for name, sub in actions[0].choices.items():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        found.update(_subparsers(sub, f"{prefix}{name} ") if nested
                     else {f"{prefix}{name}": sub})
    return found


def _server_cases(name: str, parser: argparse.ArgumentParser, tmp: Path
                  ) -> list[tuple[str, list[str]]]:
    """The team server's commands take a DATABASE_URL, a user or a device and a
    configuration folder, not a database PATH: each positional and --config in turn
    garbage (never a reachable database, so no command gets as far as a prompt)."""
    positionals = [a for a in parser._actions if not a.option_strings]
    required = [a for a in parser._actions if a.option_strings and a.required]
    words = name.split()

    def argv(replace: dict[str, str], extra: tuple[str, ...] = ()) -> list[str]:
        values = {a.dest: "x" for a in [*positionals, *required]} | replace
        result = [*words, *(values[a.dest] for a in positionals)]
        for action in required:
            result += [action.option_strings[0], values[action.dest]]
        return [*result, *extra]

    missing = str(tmp / "no-such-config")
    cases = [("no arguments", words), ("--help", [*words, "--help"]),
             ("an unknown option", argv({}, ("--no-such-option",)))]
    for label, value in (("a missing folder", missing), ("a file", str(tmp / "empty.db")),
                         ("a non-UTF-8 name", str(tmp / NON_UTF8)),
                         ("an absurdly long name", str(tmp / LONG)), ("empty", "")):
        cases.append((f"--config {label}", argv({}, ("--config", value))))
    for action in positionals:
        for label, value in (("absurdly long", LONG), ("non-UTF-8", NON_UTF8), ("empty", ""),
                             ("a URL of another kind", "sqlite:///x.db")):
            cases.append((f"{label} {action.dest}",
                          argv({action.dest: value}, ("--config", missing))))
    return cases


def _cases(name: str, parser: argparse.ArgumentParser, tmp: Path, db: Path
           ) -> list[tuple[str, list[str]]]:
    """(label, argv) pairs: the required arguments filled with plausible values, then one
    of them at a time replaced by garbage."""
    if name.startswith("server "):
        return _server_cases(name, parser, tmp)
    positionals = [a for a in parser._actions if not a.option_strings]
    required = [a for a in parser._actions if a.option_strings and a.required]
    dates = [a for a in parser._actions if a.option_strings and _is(a, date)]
    ints = [a for a in parser._actions if a.option_strings and _is(a, int)]

    def sample(action: argparse.Action) -> str:
        if action.choices:
            return str(next(iter(action.choices)))
        if _is(action, date):
            return "2024-01-01"
        if action.dest == "out":
            return str(tmp / "out" / f"{name.replace(' ', '-')}.csv")
        if "UUID" in (action.help or ""):
            return str(uuid.uuid4())
        return "admin" if action.dest in ("username", "user") else "x"

    def argv(path: str, *, replace: dict[str, str] | None = None,
             extra: tuple[str, ...] = ()) -> list[str]:
        values = {a.dest: sample(a) for a in [*positionals, *required]}
        values["path"] = path
        values.update(replace or {})
        result = [*name.split(), *(values[a.dest] for a in positionals)]
        for action in required:
            result += [action.option_strings[0], values[action.dest]]
        if name == "init":
            result += ["--area", values.get("area", "Nord")]
        return [*result, *extra]

    empty, folder = tmp / "empty.db", tmp / "folder"
    creates = "create" in (positionals[0].help or "")
    missing = str(empty / "x.db") if creates else str(tmp / "missing.db")
    cases = [("no arguments", name.split()), ("--help", [*name.split(), "--help"]),
             ("a directory as PATH", argv(str(folder))),
             ("an empty file as PATH", argv(str(empty))),
             ("a missing file as PATH", argv(missing)),
             ("a non-UTF-8 file name", argv(str(tmp / NON_UTF8))),
             ("an absurdly long PATH", argv(str(tmp / LONG))),
             ("an unknown option", argv(str(db), extra=("--no-such-option",))),
             ("an empty PATH", argv(""))]
    for action in positionals[1:]:
        for label, value in (("absurdly long", LONG), ("non-UTF-8", NON_UTF8), ("empty", "")):
            cases.append((f"{label} {action.dest}", argv(str(db), replace={action.dest: value})))
    for action in dates:
        for value in ("2024-02-30", "9999-12-31", "0001-01-01", LONG):
            extra = () if action in required else (action.option_strings[0], value)
            replace = {action.dest: value} if action in required else {}
            cases.append((f"{action.option_strings[0]} {value[:12]}",
                          argv(str(db), replace=replace, extra=extra)))
    if dates:  # every date option at once: a whole period in the year 9999 or 0001
        for value in ("9999-12-31", "0001-01-01"):
            extra = [x for a in dates if a not in required for x in (a.option_strings[0], value)]
            cases.append((f"every date {value}", argv(
                str(db), replace={a.dest: value for a in dates if a in required},
                extra=tuple(extra))))
    for action in ints:
        for value in ("-1", "9" * 30, "9" * 5000, "x"):
            cases.append((f"{action.option_strings[0]} {value[:12]}",
                          argv(missing, extra=(action.option_strings[0], value))))
    for action in required:
        if action.dest == "out":
            for label, value in (("a directory", str(folder)), ("a long name", str(tmp / LONG))):
                cases.append((f"--out {label}", argv(str(db), replace={"out": value})))
    return cases


def test_every_command_with_nothing_help_or_garbage_gives_no_traceback(
        created_db: CreatedDb, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "folder").mkdir(parents=True)
    (work / "empty.db").touch()
    (work / NON_UTF8).touch()
    (work / "out").mkdir()
    cases = [(name, label, args)
             for name, parser in _subparsers().items()
             for label, args in _cases(name, parser, work, created_db.path)]
    assert {name.split()[0] for name, _, _ in cases} == set(COMMANDS)
    (tmp_path / "cases.json").write_text(json.dumps([args for _, _, args in cases]),
                                         encoding="utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {**os.environ, "BOLIGSAG_PASSWORD": ADMIN_PASSWORD,
           "BOLIGSAG_NEW_PASSWORD": "et-nyt-kodeord-1", "BOLIGSAG_TRACEBACK": ""}
    runner = subprocess.run([sys.executable, "-c", _RUNNER, str(tmp_path / "cases.json"),
                             str(logs)], env=env, capture_output=True, text=True, timeout=600,
                            cwd=work, stdin=subprocess.DEVNULL)
    assert runner.returncode == 0, runner.stderr
    codes = json.loads(runner.stdout)
    failures = []
    for i, ((name, label, _), code) in enumerate(zip(cases, codes, strict=True)):
        output = ((logs / f"{i}.out").read_text("utf-8", "replace")
                  + (logs / f"{i}.err").read_text("utf-8", "replace"))
        allowed = {0} if label == "--help" else {1, 2}
        # "unexpected error" is cli.main's last resort: a defect it only hides.
        if "Traceback" in output or "unexpected error" in output or code not in allowed:
            last = output.strip().splitlines()[-1:] or [""]
            failures.append(f"{name} with {label}: exit {code}: {last[0][:200]}")
    assert not failures, "\n".join(failures)
