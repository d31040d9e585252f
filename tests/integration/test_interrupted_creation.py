"""`boligsag init` and `boligsag demo` killed part-way: the folder holds both files or
neither, and the next run succeeds and leaves no stray file (issue 8, item 1.3).

Real subprocesses, real SIGTERM and SIGKILL. The child runs the real CLI with the test's
cheap Argon2id parameters (production ones would make each run take seconds).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from boligsag.services.demo import DEMO_PASSWORD, STAGES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

_CHILD = """
import sys
from boligsag.storage import keys
from boligsag.storage.kdf import KdfParams
keys.KDF_PARAMS = KdfParams(memory_cost=1024, iterations=1, lanes=1)
{patch}
from boligsag.cli import main
sys.exit(main(sys.argv[1:]))
"""

DEMO = ["demo", "--people", "10", "--contacts", "100"]
INIT = ["init", "--organisation", "Hus", "--plan", "Plan", "--area", "Nord",
        "--admin-name", "Åse Nørgaard"]


def _spawn(args: list[str], patch: str = "") -> subprocess.Popen[str]:
    # init reads the new password here; demo sets its own (DEMO_PASSWORD).
    password = DEMO_PASSWORD if args[0] in ("demo", "check-demo") else "korrekt-hest-batteri"
    args = ["check", *args[1:]] if args[0] == "check-demo" else args
    return subprocess.Popen([sys.executable, "-c", _CHILD.format(patch=patch), *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "BOLIGSAG_PASSWORD": password})


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    child = _spawn(args)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(args, child.returncode, out, err)


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _assert_both_or_neither(folder: Path) -> None:
    names = _names(folder) & {"d.db", "d.db.keys"}
    assert names in (set(), {"d.db", "d.db.keys"}), names


def _assert_rerun_succeeds(folder: Path, args: list[str]) -> None:
    if {"d.db", "d.db.keys"} <= _names(folder):  # the killed run had already finished
        for name in ("d.db", "d.db.keys"):
            (folder / name).unlink()
    again = _run([*args, str(folder / "d.db")])
    assert again.returncode == 0, again.stderr
    assert "Traceback" not in again.stderr
    assert _names(folder) == {"d.db", "d.db.keys"}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
@pytest.mark.parametrize("stage", [STAGES[1], STAGES[5], STAGES[7]])
def test_demo_killed_at_a_stage_leaves_nothing_and_the_next_run_succeeds(
        tmp_path: Path, sig: signal.Signals, stage: str) -> None:
    child = _spawn([*DEMO, str(tmp_path / "d.db")])
    assert child.stderr is not None
    for line in child.stderr:
        if line.startswith(stage):
            child.send_signal(sig)
            break
    child.communicate(timeout=60)
    assert child.returncode != 0 or stage == STAGES[7]  # Finishing: may win the race
    _assert_both_or_neither(tmp_path)
    if sig == signal.SIGTERM:  # a terminated run cleans up after itself
        assert _names(tmp_path) - {"d.db", "d.db.keys"} == set()
    _assert_rerun_succeeds(tmp_path, DEMO)


# The child signals itself when it reaches a step of the creation: the schema is being
# made, the reference data is being written, the key file is being saved.
_SIGNAL_AT = """
import os
import {module} as _target
_original = _target.{name}
def _signalled(*args, **kwargs):
    os.kill(os.getpid(), {sig})
    return _original(*args, **kwargs)
_target.{name} = _signalled
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
@pytest.mark.parametrize("module, name", [
    ("boligsag.storage.migrate", "upgrade"),
    ("boligsag.services.setup", "load_reference_data"),
    ("boligsag.storage.keys.KeyStore", "save"),
], ids=["schema", "reference-data", "key-file"])
def test_init_killed_at_a_step_leaves_nothing_and_the_next_run_succeeds(
        tmp_path: Path, sig: signal.Signals, module: str, name: str) -> None:
    if module.endswith("KeyStore"):
        patch = _SIGNAL_AT.replace("import {module} as _target",
                                   "from boligsag.storage.keys import KeyStore as _target")
    else:
        patch = _SIGNAL_AT
    child = _spawn([*INIT, str(tmp_path / "d.db")],
                   patch=patch.format(module=module, name=name, sig=int(sig)))
    _, err = child.communicate(timeout=60)
    assert child.returncode != 0
    assert "Traceback" not in err
    _assert_both_or_neither(tmp_path)
    if sig == signal.SIGTERM:  # a terminated run cleans up after itself
        assert _names(tmp_path) == set()
    _assert_rerun_succeeds(tmp_path, INIT)


# The child kills itself with SIGKILL right after moving its first file into place (the
# one moment at which the two files are not yet both in place).
_KILL_AFTER_FIRST_MOVE = """
import os, signal
from boligsag.storage import staging
_move = staging._move_no_replace
def _move_then_die(src, dst):
    _move(src, dst)
    os.kill(os.getpid(), signal.SIGKILL)
staging._move_no_replace = _move_then_die
"""


@pytest.mark.parametrize("args", [INIT, DEMO], ids=["init", "demo"])
def test_killed_between_the_two_moves_the_next_run_rolls_back_and_succeeds(
        tmp_path: Path, args: list[str]) -> None:
    child = _spawn([*args, str(tmp_path / "d.db")], patch=_KILL_AFTER_FIRST_MOVE)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert "d.db" not in _names(tmp_path)  # the database is the last file moved
    _assert_rerun_succeeds(tmp_path, args)
    # What the rerun made is a real, complete database.
    check = _run(["check-demo" if args[0] == "demo" else "check", str(tmp_path / "d.db")])
    assert check.returncode == 0, check.stderr


def test_a_running_creation_and_real_databases_are_never_taken_for_leftovers(
        tmp_path: Path) -> None:
    first = _run([*INIT, str(tmp_path / "a.db")])
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # A creation in progress in the same folder (stopped, so it stays in progress).
    child = _spawn([*DEMO, str(tmp_path / "b.db")])
    assert child.stderr is not None
    for line in child.stderr:
        if line.startswith(STAGES[2]):
            child.send_signal(signal.SIGSTOP)
            break
    try:
        in_progress = _names(tmp_path) - set(before)
        assert in_progress, "the stopped creation has its temporaries in the folder"
        second = _run([*INIT, str(tmp_path / "c.db")])
        assert second.returncode == 0, second.stderr
        assert in_progress <= _names(tmp_path)  # the running creation's files stay
        for name, data in before.items():
            assert (tmp_path / name).read_bytes() == data
    finally:
        child.send_signal(signal.SIGCONT)
        child.communicate(timeout=60)
    assert child.returncode == 0
    assert _names(tmp_path) == {*before, "b.db", "b.db.keys", "c.db", "c.db.keys"}
