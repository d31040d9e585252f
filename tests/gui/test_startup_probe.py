"""The installed program's smoke test and the start-up benchmark rely on two
environment hooks (ui/shell/startup_probe.py): the first window's name and time on
stderr, and a clean exit a set time after it is shown."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def test_probe_reports_the_first_window_and_the_program_quits_by_itself(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BOLIGSAG_STARTUP_PROBE": "1",
           "BOLIGSAG_QUIT_AFTER_MS": "300", "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    before = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "boligsag"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    shown = [line.split() for line in done.stderr.splitlines()
             if line.startswith("boligsag-probe shown ")]
    # No database yet: the first window is the start choice (new database or join a team).
    assert shown and shown[0][2] == "startChoice"
    assert before < float(shown[0][3]) < time.monotonic()


def test_without_the_environment_nothing_is_printed(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("BOLIGSAG_STARTUP_PROBE", "BOLIGSAG_QUIT_AFTER_MS")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    # Without the quit hook the program waits for the user: it is still running after
    # 3 s (the timeout) and has printed no probe line.
    process = subprocess.Popen([sys.executable, "-m", "boligsag"], env=env,
                               stderr=subprocess.PIPE, text=True)
    try:
        process.wait(timeout=3)
        raise AssertionError("the program ended without being asked to")
    except subprocess.TimeoutExpired:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "boligsag-probe" not in err
